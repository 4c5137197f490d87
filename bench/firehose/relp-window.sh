#!/usr/bin/env bash
# RELP with the Firehose sink: messages/s of one omrelp-like sender (window W unanswered, answers
# only once the Firehose record is accepted by fake-firehose.mjs), with the ack linger on
# (RECEIVER_FIREHOSE_ACK_LINGER_MS, default 100) and off (= the 1 s linger).
#
#   bash bench/firehose/relp-window.sh            WINDOWS="128 1024" SECONDS_EACH=5 (defaults)
# Receiver on RX_CPU (1), sender and fake on GEN_CPU (0). Prints one line per run and the
# receiver's receiver_firehose_records_sealed_total. Take `flock /tmp/bench.lock` around it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/relp-window.XXXXXX)
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
CERT_DIR=${CERT_DIR:-/tmp/bench-certs}
/work/shared/bench/certs.sh "$CERT_DIR" > /dev/null

run() { # $1 window, $2 ack linger ms
  taskset -c "${GEN_CPU:-0}" node "$here/fake-firehose.mjs" --port-file "$work/port" > "$work/fake.log" 2>&1 &
  local fake=$!
  for _ in $(seq 1 100); do [[ -s $work/port ]] && break; sleep 0.05; done
  local relp health; relp=$(free_port); health=$(free_port)
  AWS_REGION=us-east-1 AWS_ENDPOINT_URL_FIREHOSE="http://127.0.0.1:$(cat "$work/port")" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
  RECEIVER_HOST=127.0.0.1 RECEIVER_TLS_PORT=$(free_port) RECEIVER_TLS_CERT_FILE=$CERT_DIR/server.pem RECEIVER_TLS_KEY_FILE=$CERT_DIR/server.key \
  RECEIVER_TLS_CA_FILE=$CERT_DIR/ca.pem LOG_LEVEL=warn RECEIVER_SINK=firehose RECEIVER_FIREHOSE_STREAMS=bench-a RECEIVER_RELP_PORT=$relp \
  RECEIVER_HEALTH_PORT=$health RECEIVER_FIREHOSE_ACK_LINGER_MS=$2 \
    taskset -c "${RX_CPU:-1}" node "$root/packages/receiver/dist/main.js" > "$work/receiver.log" 2>&1 &
  local rx=$!
  for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$relp") 2>/dev/null && break; sleep 0.05; done
  echo -n "ack_linger_ms=$2 "
  taskset -c "${GEN_CPU:-0}" node "$here/relp-window.mjs" "$relp" "$1" "${SECONDS_EACH:-5}"
  echo "  sealed: $(curl -s "127.0.0.1:$health/metrics.json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(JSON.parse(s).receiver_firehose_records_sealed_total)))')"
  kill -TERM "$rx"; wait "$rx" || true
  kill "$fake" 2>/dev/null || true; wait "$fake" 2>/dev/null || true
  rm -f "$work/port"
}
for w in ${WINDOWS:-128 1024}; do
  run "$w" 100
  run "$w" 1000
done
rm -rf "$work"
