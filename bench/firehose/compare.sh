#!/usr/bin/env bash
# The Firehose sink against the file sink, interleaved, through /work/shared/bench/run.sh:
# msgs per receiver CPU-second of each and their ratio, billed bytes per payload byte, and the
# latency from a message's read (received_at) to the acceptance of its record by the fake.
#
#   bash bench/firehose/compare.sh [OUT_DIR]       (default /tmp/firehose-bench-<time>)
#   REPS=3 GEN=node CONNS=8 DURATION=10 SIZE=300   (defaults; passed to run.sh)
#   LATENCY_RATE=2000 LATENCY_CONNS=4               a last run with GEN=loggen at this rate per
#                                                   connection (LATENCY_RATE=0 skips it)
#   LOGGEN_REPS=$REPS LOGGEN_CONNS=4 LOGGEN_RATE=25000
#                                                   the same file/Firehose pair again with
#                                                   syslog-ng's loggen as the sender (one message
#                                                   per write, as real senders write); 0 skips it
# Any RECEIVER_* variable (RECEIVER_FIREHOSE_LINGER_MS, ...) reaches the receiver of every run.
# Writes OUT_DIR/results.tsv (run.sh lines), OUT_DIR/firehose-*.json (the fake's stats) and
# prints the summary (summarize.mjs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RUN=${RUN_SH:-/work/shared/bench/run.sh}
out=${1:-/tmp/firehose-bench-$(date -u +%Y%m%dT%H%M%S)}
mkdir -p "$out"
export GEN=${GEN:-node} CONNS=${CONNS:-8} DURATION=${DURATION:-10} SIZE=${SIZE:-300}
REPS=${REPS:-3}; LATENCY_RATE=${LATENCY_RATE:-2000}; LATENCY_CONNS=${LATENCY_CONNS:-4}
LOGGEN_REPS=${LOGGEN_REPS:-$REPS}; LOGGEN_CONNS=${LOGGEN_CONNS:-4}; LOGGEN_RATE=${LOGGEN_RATE:-25000}
results=$out/results.tsv
"$RUN" --header > "$results"

# The fake exits about a second after the receiver; its last stats are written then.
settle() { sleep 2; }

for rep in $(seq 1 "$REPS"); do
  RECEIVER_CMD="bash $root/bench/receiver.sh" RESULTS=$results "$RUN" product-file
  FIREHOSE_STATS_FILE=$out/firehose-$rep.json RECEIVER_CMD="bash $here/receiver-firehose.sh" RESULTS=$results "$RUN" product-firehose
  settle
done
# The node generator packs 50 messages per write, which lets the file sink's fast path run at
# its best; loggen writes one message at a time, like rsyslog and syslog-ng do. The fake shares
# the generator's CPU: it answers from a scan of the request and counts on a worker thread
# afterwards (fake-firehose.mjs), so the receiver does not wait on it.
for rep in $(seq 1 "$LOGGEN_REPS"); do
  GEN=loggen CONNS=$LOGGEN_CONNS RATE=$LOGGEN_RATE RECEIVER_CMD="bash $root/bench/receiver.sh" RESULTS=$results "$RUN" product-file-loggen
  GEN=loggen CONNS=$LOGGEN_CONNS RATE=$LOGGEN_RATE FIREHOSE_STATS_FILE=$out/firehose-loggen-$rep.json \
    RECEIVER_CMD="bash $here/receiver-firehose.sh" RESULTS=$results "$RUN" product-firehose-loggen
  settle
done
if [[ $LATENCY_RATE != 0 ]]; then
  GEN=loggen CONNS=$LATENCY_CONNS RATE=$LATENCY_RATE FIREHOSE_STATS_FILE=$out/firehose-latency.json \
    RECEIVER_CMD="bash $here/receiver-firehose.sh" RESULTS=$results "$RUN" product-firehose-paced
  settle
fi
node "$here/summarize.mjs" "$out" | tee "$out/summary.txt"
