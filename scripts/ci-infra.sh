#!/usr/bin/env bash
# CI fragment for the infrastructure (called from .ci/run after `pnpm install --frozen-lockfile`).
# Offline: needs only the npm registry. Runs every step, prints each step's time, the disk the
# SST platform takes, and "infra checks: N ok, N failed" last; exits non-zero if any step failed.
# (The infra vitest tests, including the whole-config run() under mocks once `sst install` has
# written .sst/, run with the rest of the suite in scripts/test.sh.)
#   1. sst install           writes .sst/platform (SST components + their @pulumi/* copies) and config.d.ts
#   2. tsc infra             infra/*.ts with the repository's strict flags
#   3. tsc sst.config.ts     sst.config.ts + the whole-config smoke test against SST's types
#   4. Dockerfile lint       dockerfile-utils (maintained, npm) + the project's own rules
#   5. Dockerfile build      its RUN steps outside Docker (install, build, prune), then a loopback
#                            smoke test of the resulting entry point
set -uo pipefail
cd "$(dirname "$0")/.."

# No AWS, no github.com: skip SST's Pulumi/bun download, install providers with npm.
export SST_SKIP_DEPENDENCY_CHECK=1 SST_NO_BUN=1 SST_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 SST_STAGE=ci

passed=0
failed=0
failures=()
step() {
  local name=$1
  shift
  local t0=$SECONDS
  echo "::: ${name}"
  if "$@"; then
    passed=$((passed + 1))
    echo "::: ${name}: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1))
    failures+=("${name}")
    echo "::: ${name}: FAILED ($((SECONDS - t0)) s)"
  fi
}

step "sst install" pnpm exec sst install
step "tsc infra" pnpm exec tsc -p infra/tsconfig.json
step "tsc sst.config.ts" pnpm exec tsc -p infra/tsconfig.sst.json
step "Dockerfile lint (dockerfile-utils)" pnpm exec dockerfile-utils lint packages/receiver/Dockerfile
step "Dockerfile rules" node scripts/check-dockerfile.mjs lint
step "Dockerfile build steps + smoke test" node scripts/check-dockerfile.mjs build

echo "disk: .sst $(du -sh .sst 2>/dev/null | cut -f1)"
if ((failed > 0)); then printf 'failed step: %s\n' "${failures[@]}"; fi
echo "infra checks: ${passed} ok, ${failed} failed"
((failed == 0))
