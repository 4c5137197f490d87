#!/usr/bin/env bash
# Starts the production receiver in the foreground for ../shared/bench and the interop tests
# (contract: DESIGN §9). Nothing is built here: `pnpm install` builds dist/ once.
#
#   PORT       TLS port on 127.0.0.1 (required)
#   CERT_DIR   holds server.pem, server.key, ca.pem (required)
#   OUT_FILE   one schema-v1 NDJSON line per record (required unless SINK=firehose)
#   MTLS=1     client certificate required, checked as x509/name with permitted peer aws-syslog
#   SINK=firehose FIREHOSE_STREAMS=a[,b…]   send to Firehose (AWS_REGION, AWS_ENDPOINT_URL_FIREHOSE)
#   RELP_PORT  also accept plain RELP on 127.0.0.1:$RELP_PORT into the same sink
#   RECEIVER_NODE  the node binary (default: node on PATH); `bash scripts/node-runtime.sh` prints
#              one of the major version the receiver image runs
# Any RECEIVER_* or LOG_LEVEL variable already set is passed through and wins over these.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
main=$root/packages/receiver/dist/main.js
[[ -f $main ]] || { echo "bench/receiver.sh: $main is missing: run 'npx -y pnpm@10.34.8 install' first" >&2; exit 1; }
: "${PORT:?PORT is required}" "${CERT_DIR:?CERT_DIR is required}"

export RECEIVER_HOST=${RECEIVER_HOST:-127.0.0.1}
export RECEIVER_TLS_PORT=${RECEIVER_TLS_PORT:-$PORT}
export RECEIVER_TLS_CERT_FILE=${RECEIVER_TLS_CERT_FILE:-$CERT_DIR/server.pem}
export RECEIVER_TLS_KEY_FILE=${RECEIVER_TLS_KEY_FILE:-$CERT_DIR/server.key}
export RECEIVER_TLS_CA_FILE=${RECEIVER_TLS_CA_FILE:-$CERT_DIR/ca.pem}
if [[ ${MTLS:-0} == 1 ]]; then
  export RECEIVER_TLS_AUTH_MODE=${RECEIVER_TLS_AUTH_MODE:-x509/name}
  export RECEIVER_TLS_PERMITTED_PEERS=${RECEIVER_TLS_PERMITTED_PEERS:-aws-syslog}
fi
export RECEIVER_HEALTH_PORT=${RECEIVER_HEALTH_PORT:-off}
export LOG_LEVEL=${LOG_LEVEL:-warn}
case ${SINK:-file} in
  firehose)
    export RECEIVER_SINK=firehose
    export RECEIVER_FIREHOSE_STREAMS=${RECEIVER_FIREHOSE_STREAMS:-${FIREHOSE_STREAMS:?FIREHOSE_STREAMS is required with SINK=firehose}} ;;
  file)
    export RECEIVER_SINK=${RECEIVER_SINK:-file}
    export RECEIVER_OUT_FILE=${RECEIVER_OUT_FILE:-${OUT_FILE:?OUT_FILE is required}} ;;
  *) echo "bench/receiver.sh: SINK must be file or firehose, not '$SINK'" >&2; exit 2 ;;
esac
[[ -n ${RELP_PORT:-} ]] && export RECEIVER_RELP_PORT=${RECEIVER_RELP_PORT:-$RELP_PORT}

# No TLS 1.3 session tickets (see packages/receiver/openssl.cnf).
exec "${RECEIVER_NODE:-node}" --openssl-config="$root/packages/receiver/openssl.cnf" "$main"
