#!/usr/bin/env bash
# Prints the path of a `node` of the major version the receiver image runs (ARG NODE_MAJOR in
# packages/receiver/Dockerfile), so the image's smoke test (scripts/check-dockerfile.mjs) and the
# benchmarks run the receiver on its production runtime when the machine's own Node is another
# major:
#
#   RECEIVER_NODE=$(bash scripts/node-runtime.sh) RECEIVER_CMD=bench/receiver.sh ../shared/bench/compare.sh receiver
#
# The machine's `node` is used when its major matches. Otherwise the official build is taken
# from the npm registry (package node-<platform>-<arch>, what the `node` npm package installs),
# once, into .cache/node/ (ignored by git); npm checks the tarball against the registry's
# integrity hash. MAJOR overrides the Dockerfile's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
major=${MAJOR:-$(sed -n 's/^ARG NODE_MAJOR=\([0-9][0-9]*\)$/\1/p' "$root/packages/receiver/Dockerfile")}
[[ -n $major ]] || { echo "scripts/node-runtime.sh: no 'ARG NODE_MAJOR=' in packages/receiver/Dockerfile" >&2; exit 1; }

if [[ $(node -p 'process.versions.node.split(".")[0]') == "$major" ]]; then command -v node; exit 0; fi

platform=$(node -p 'process.platform + "-" + process.arch')
package=node-$platform
cache=$root/.cache/node
version=$(npm view "$package@$major" version --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s||"null");const last=Array.isArray(v)?v.at(-1):v;console.log(typeof last==="string"?last:"")})' || true)
[[ -n $version ]] || { echo "scripts/node-runtime.sh: no $package@$major on the npm registry" >&2; exit 1; }
bin=$cache/$version/bin/node
if [[ ! -x $bin ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$package@$version" > /dev/null && tar xzf ./*.tgz)
  mkdir -p "$cache/$version"
  cp -R "$tmp/package/." "$cache/$version/"
fi
"$bin" -e 'if (!process.versions.node.startsWith(process.argv[1] + ".")) process.exit(1)' "$major" \
  || { echo "scripts/node-runtime.sh: $bin is not Node $major" >&2; exit 1; }
echo "$bin"
