#!/usr/bin/env bash
# The whole test suite, as the README and CI run it: installs what the tests need (Debian
# packages for the interop tests when run as root; the workspace, which builds dist/), checks
# types, runs every vitest project, and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
if [[ -n ${npm_execpath:-} ]]; then PNPM=(node "$npm_execpath"); else PNPM=(npx -y pnpm@10.34.8); fi
# Steps below (the Dockerfile's build steps, infra checks) call `pnpm`: on a fresh machine it is
# not installed globally, so put a shim for the pnpm that runs this script on PATH.
if ! command -v pnpm >/dev/null; then
  shim=$(mktemp -d)
  printf '#!/bin/sh\nexec %s "$@"\n' "${PNPM[*]}" > "$shim/pnpm"
  chmod +x "$shim/pnpm"
  export PATH=$shim:$PATH
fi
export SST_SKIP_DEPENDENCY_CHECK=1 SST_NO_BUN=1 SST_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 SST_STAGE=${SST_STAGE:-ci}

passed=0 failed=0
step() { # name command…  (a check that is not a vitest test counts as one test)
  local name=$1; shift
  echo "::: $name"
  if "$@"; then passed=$((passed + 1)); else echo "FAILED: $name" >&2; failed=$((failed + 1)); fi
}

if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  step "install test dependencies (Debian packages)" bash scripts/install-test-deps.sh
else
  echo "not root: Debian packages for the interop tests are not installed (see scripts/install-test-deps.sh)"
fi
step "install and build the workspace" "${PNPM[@]}" install --frozen-lockfile
[[ -f scripts/ci-infra.sh ]] && step "infrastructure: sst install, typecheck, Dockerfile" bash scripts/ci-infra.sh
step "typecheck packages and tests" "${PNPM[@]}" exec tsc -p tsconfig.json --noEmit

report=$(mktemp)
"${PNPM[@]}" exec vitest run --reporter=default --reporter=json --outputFile.json="$report"
vitest_rc=$?
counts=$(node -e '
  const fs = require("fs");
  try {
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    console.log(`${r.numPassedTests} ${r.numFailedTests + (r.numRuntimeErrors ?? 0)}`);
  } catch { console.log("0 1"); }' "$report")
rm -f "$report"
read -r vp vf <<<"$counts"
if [[ $vitest_rc != 0 && $vf == 0 ]]; then vf=1; fi   # a suite that failed to load counts
passed=$((passed + vp)); failed=$((failed + vf))
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
