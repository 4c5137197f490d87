#!/usr/bin/env bash
# RECEIVER_CMD for /work/shared/bench/run.sh: the production receiver with the Firehose sink
# (SINK=firehose) against fake-firehose.mjs on loopback.
#
#   RECEIVER_CMD="bash $PWD/bench/firehose/receiver-firehose.sh" /work/shared/bench/run.sh product-firehose
#
# The fake is started outside the receiver's process tree and group (setsid, orphaned), so
# run.sh's CPU and RSS figures are the receiver's alone; it exits when the receiver does
# (--watch-pid). It writes what run.sh counts to $OUT_FILE.count.
#   FAKE_CPU=0              CPU list of the fake (run.sh pins the receiver to RX_CPU=1)
#   FAKE_ARGS='...'         more fake-firehose.mjs flags (--fail-entry-rate 0.1 --throttle-rate 0.05)
#   FAKE_NODE_ARGS='...'    node flags for the fake (--cpu-prof --cpu-prof-dir=/tmp/prof)
#   FIREHOSE_STATS_FILE     where the fake writes its JSON stats (default $WORK_DIR/firehose-stats.json,
#                           which run.sh deletes unless KEEP=1)
#   FIREHOSE_STREAMS        default bench-a,bench-b
#   RX_SCRIPT               the script that starts the receiver (default bench/receiver.sh; e.g. a
#                           copy that adds node's --cpu-prof, which NODE_OPTIONS does not allow)
# Any RECEIVER_* variable (RECEIVER_FIREHOSE_LINGER_MS, ...) passes through to the receiver.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${WORK_DIR:?WORK_DIR is required (run.sh sets it)}" "${OUT_FILE:?OUT_FILE is required (run.sh sets it)}"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
health=${RECEIVER_HEALTH_PORT:-$(free_port)}
stats=${FIREHOSE_STATS_FILE:-$WORK_DIR/firehose-stats.json}
port_file=$WORK_DIR/fake-firehose.port
rm -f "$port_file" "$OUT_FILE.count"

# $$ stays the receiver's pid: this script execs bench/receiver.sh, which execs node.
# shellcheck disable=SC2086 # FAKE_ARGS and FAKE_NODE_ARGS are lists of flags
( setsid taskset -c "${FAKE_CPU:-0}" node ${FAKE_NODE_ARGS:-} "$here/fake-firehose.mjs" --port-file "$port_file" \
    --count-file "$OUT_FILE.count" --stats-file "$stats" --watch-pid $$ \
    --metrics-url "http://127.0.0.1:$health/metrics.json" ${FAKE_ARGS:-} \
    < /dev/null > "$WORK_DIR/fake-firehose.log" 2>&1 & )
for _ in $(seq 1 100); do [[ -s $port_file ]] && break; sleep 0.05; done
[[ -s $port_file ]] || { echo "receiver-firehose.sh: the fake did not start:" >&2; cat "$WORK_DIR/fake-firehose.log" >&2; exit 1; }

export SINK=firehose
export FIREHOSE_STREAMS=${FIREHOSE_STREAMS:-bench-a,bench-b}
export AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_ENDPOINT_URL_FIREHOSE="http://127.0.0.1:$(cat "$port_file")"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
unset AWS_PROFILE AWS_SESSION_TOKEN
export RECEIVER_HEALTH_PORT=$health
exec "${RX_SCRIPT:-$root/bench/receiver.sh}"
