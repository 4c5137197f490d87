#!/usr/bin/env bash
# The hostile-client scenario of tests/reliability/hostile.test.ts at full size: HOSTILE_IDLE
# (default 10,000) idle TLS connections beside a legitimate sender, a handshake flood, half-open
# and cut-short handshakes, slowloris writers, over-size frames and garbage. Needs about
# HOSTILE_IDLE + 1,000 descriptors in each of the two processes (test and receiver), so the soft
# `ulimit -n` is raised to the hard limit. Prints the "hostile-figures" JSON line (rates with and
# without the attack, RSS per idle TLS connection, peak RSS and descriptors).
# Figures: docs/RELIABILITY.md.
#
#   bench/soak/hostile.sh
#   HOSTILE_IDLE=5000 HOSTILE_MESSAGES=100000 bench/soak/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export HOSTILE_IDLE=${HOSTILE_IDLE:-10000}
export HOSTILE_MESSAGES=${HOSTILE_MESSAGES:-30000}
need=$(( HOSTILE_IDLE + 1000 ))
ulimit -n "$(ulimit -Hn)"
(( $(ulimit -n) >= need )) || { echo "bench/soak/hostile.sh: ulimit -n is $(ulimit -n), need $need (raise the hard limit)" >&2; exit 2; }
log=/tmp/hostile-soak-$$.log
pnpm exec vitest run --project e2e tests/reliability/hostile.test.ts -t "delivers every" --testTimeout=1800000 2>&1 | sed "s/\x1b\[[0-9;]*m//g" > "$log"; status=${PIPESTATUS[0]}
grep -E "^hostile-figures|Tests |FAIL|Error" "$log" || true
echo "full output: $log"
exit "$status"
