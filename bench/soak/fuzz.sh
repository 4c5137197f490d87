#!/usr/bin/env bash
# Fuzzes the framer, the PROXY protocol parser and the syslog parser in-process with
# FUZZ_INPUTS (default 1,000,000) seeded inputs per parser, plus a fifth as many whole
# connection streams through all three; the normal test run does a 25,000-input share.
# Prints inputs/s and the slowest single input per parser. Figures: docs/RELIABILITY.md.
#
#   bench/soak/fuzz.sh                      # 1,000,000 per parser, seed 20261123
#   FUZZ_SEED=7 FUZZ_INPUTS=200000 bench/soak/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export FUZZ_INPUTS=${FUZZ_INPUTS:-1000000}
start=$(date +%s)
pnpm exec vitest run --project e2e tests/reliability/fuzz.test.ts --testTimeout=3600000 2>&1 | sed "s/\x1b\[[0-9;]*m//g" | tee /tmp/fuzz-soak-$$.log | grep -E "^fuzz |Tests |FAIL|Error"; status=${PIPESTATUS[0]}
echo "total wall time: $(( $(date +%s) - start )) s for FUZZ_INPUTS=$FUZZ_INPUTS"
exit "$status"
