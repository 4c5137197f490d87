#!/usr/bin/env bash
# RELP over TLS on loopback: our receiver (RELP-TLS listener, file sink) against rsyslogd with
# imrelp (TLS, omfile), the same certificates and the same sender, and the effect of omrelp's
# windowSize. The sender is a real rsyslogd with omrelp (librelp, OpenSSL), fed COUNT lines over
# plain TCP by feed.mjs; sender and feeder run on GEN_CPU, the receiver alone on RX_CPU.
# Each run is bounded (TIMEOUT_S, or STALL_S without a new record) and ends when COUNT records
# are in the receiver's output file. Measured on the receiver's process tree: CPU seconds
# (/proc/<pid>/stat utime+stime, from the first line fed to the last record written), wall time
# over the same span, and peak RSS (VmHWM).
#
#   bash bench/relp/compare.sh [OUT_DIR]        (default bench-results/relp-<UTC time>)
#   COUNT=200000 SIZE=300 WINDOWS="128 1024 8192" REPS=3     (defaults)
#   TARGETS="receiver rsyslog-imrelp receiver-ack-received"  (defaults)
#     receiver               RECEIVER_RELP_ACK=stored: rsp 200 once the file sink wrote the record
#     receiver-ack-received  RECEIVER_RELP_ACK=received: rsp 200 on receipt
#     rsyslog-imrelp         imrelp answers once the message is in rsyslog's main queue (before
#                            omfile writes it): the like-for-like row is receiver-ack-received
#   RX_CPU=1 GEN_CPU=0 CERT_DIR=/tmp/bench-certs TIMEOUT_S=300 STALL_S=30
# Any RECEIVER_* variable reaches our receiver. Take `flock /tmp/bench.lock` around a run on a
# shared machine. Writes OUT_DIR/results.tsv and OUT_DIR/summary.md (summarize.mjs); each run's
# logs stay in OUT_DIR/<target>-w<window>-<rep>/ (output files are deleted after counting).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
COUNT=${COUNT:-200000}; SIZE=${SIZE:-300}; WINDOWS=${WINDOWS:-128 1024 8192}; REPS=${REPS:-3}
TARGETS=${TARGETS:-receiver rsyslog-imrelp receiver-ack-received}
RX_CPU=${RX_CPU:-1}; GEN_CPU=${GEN_CPU:-0}; TIMEOUT_S=${TIMEOUT_S:-300}; STALL_S=${STALL_S:-30}
CERT_DIR=${CERT_DIR:-/tmp/bench-certs}
RSYSLOGD=${RSYSLOGD:-$(command -v rsyslogd || echo /usr/sbin/rsyslogd)}
out=${1:-$root/bench-results/relp-$(date -u +%Y%m%dT%H%M%S)}
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: COUNT must be a positive integer, not '$COUNT'" >&2; exit 2; }
for w in $WINDOWS; do [[ $w =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: WINDOWS must be positive integers, not '$w'" >&2; exit 2; }; done
for t in $TARGETS; do case $t in receiver|receiver-ack-received|rsyslog-imrelp) ;; *) echo "compare.sh: unknown target '$t'" >&2; exit 2 ;; esac; done
[[ -x $RSYSLOGD ]] || { echo "compare.sh: rsyslogd not found (apt-get install rsyslog rsyslog-relp)" >&2; exit 1; }
[[ -f $root/packages/receiver/dist/main.js ]] || { echo "compare.sh: build the receiver first (pnpm --filter @aws-syslog/receiver run build)" >&2; exit 1; }
bash /work/shared/bench/certs.sh "$CERT_DIR"
mkdir -p "$out"
results=$out/results.tsv
printf 'target\twindow\trep\tcount\tmsgs\tseconds\tmsgs_per_s\trx_cpu_s\tmsgs_per_cpu_s\tpeak_rss_mib\trx_cpu_pct\tstatus\n' > "$results"
tck=$(getconf CLK_TCK)
# The poller and this script stay off the receiver's CPU.
taskset -cp "$GEN_CPU" $$ > /dev/null

tree_pids() { local p=$1; echo "$p"; for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do tree_pids "$c"; done; }
cpu_ticks() { local t=0 v; for p in $(tree_pids "$1"); do v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12+$13}') || continue; t=$((t + ${v:-0})); done; echo "$t"; }
hwm_kib() { local t=0 v; for p in $(tree_pids "$1"); do v=$(awk '/^VmHWM:/{print $2}' "/proc/$p/status" 2>/dev/null) || continue; t=$((t + ${v:-0})); done; echo "$t"; }
alive() { kill -0 "$1" 2>/dev/null; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
stop_group() { # pid: SIGTERM to its process group, SIGKILL after 10 s
  local p=$1; [[ -n $p ]] && alive "$p" || return 0
  kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$p" || return 0; sleep 0.1; done
  kill -KILL -- "-$p" 2>/dev/null || true
}
RX_PID=; TX_PID=
trap 'stop_group "$TX_PID"; stop_group "$RX_PID"' EXIT

JSONL_TEMPLATE='template(name="jsonl" type="list" option.jsonf="on") {
  property(outname="received_at" name="timegenerated" dateFormat="rfc3339" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="facility" name="syslogfacility" format="jsonf" datatype="number")
  property(outname="severity" name="syslogseverity" format="jsonf" datatype="number")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="app_name" name="app-name" format="jsonf")
  property(outname="proc_id" name="procid" format="jsonf")
  property(outname="msg_id" name="msgid" format="jsonf")
  property(outname="structured_data" name="structured-data" format="jsonf")
  property(outname="message" name="msg" format="jsonf")
}'

run_one() { # target window rep
  local target=$1 window=$2 rep=$3 wd port status=ok
  wd=$out/$target-w$window-$rep; mkdir -p "$wd/sender"
  local out_file=$wd/out.ndjson; : > "$out_file"
  port=$(free_port)
  case $target in
    rsyslog-imrelp)
      cat > "$wd/imrelp.conf" <<CONF
global(workDirectory="$wd" maxMessageSize="64k")
module(load="imrelp" tls.tlslib="openssl")
input(type="imrelp" address="127.0.0.1" port="$port" maxDataSize="65536" tls="on"
  tls.caCert="$CERT_DIR/ca.pem" tls.myCert="$CERT_DIR/server.pem" tls.myPrivKey="$CERT_DIR/server.key")
$JSONL_TEMPLATE
action(type="omfile" file="$out_file" template="jsonl")
CONF
      setsid taskset -c "$RX_CPU" "$RSYSLOGD" -n -f "$wd/imrelp.conf" -i "$wd/imrelp.pid" > "$wd/receiver.log" 2>&1 &
      ;;
    receiver|receiver-ack-received)
      local ack=stored; [[ $target == receiver-ack-received ]] && ack=received
      PORT=$port CERT_DIR=$CERT_DIR OUT_FILE=$out_file RECEIVER_TLS_PORT=off RECEIVER_RELP_TLS_PORT=$port RECEIVER_RELP_ACK=$ack \
        setsid taskset -c "$RX_CPU" bash "$root/bench/receiver.sh" > "$wd/receiver.log" 2>&1 &
      ;;
  esac
  RX_PID=$!
  local i=0
  until ss -Hltn "sport = :$port" | grep -q .; do
    if ((++i > 150)) || ! alive "$RX_PID"; then echo "compare.sh: $target did not listen on $port; $wd/receiver.log:" >&2; cat "$wd/receiver.log" >&2; exit 1; fi
    sleep 0.1
  done
  local qsize=$((COUNT + 10000))
  cat > "$wd/sender.conf" <<CONF
global(workDirectory="$wd/sender" maxMessageSize="64k")
main_queue(queue.size="$qsize")
module(load="imtcp")
module(load="omrelp" tls.tlslib="openssl")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$wd/inject.port" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omrelp" target="127.0.0.1" port="$port" template="RSYSLOG_SyslogProtocol23Format"
    windowSize="$window" tls="on" tls.caCert="$CERT_DIR/ca.pem" tls.authMode="name" tls.permittedPeer=["localhost"]
    queue.type="LinkedList" queue.size="$qsize" action.resumeRetryCount="-1" action.resumeInterval="1")
}
CONF
  setsid taskset -c "$GEN_CPU" "$RSYSLOGD" -n -f "$wd/sender.conf" -i "$wd/sender.pid" > "$wd/sender.log" 2>&1 &
  TX_PID=$!
  i=0
  until [[ -s $wd/inject.port ]]; do
    if ((++i > 150)) || ! alive "$TX_PID"; then echo "compare.sh: the omrelp sender did not start; $wd/sender.log:" >&2; cat "$wd/sender.log" >&2; exit 1; fi
    sleep 0.1
  done
  local ticks0 t0 msgs=0 last=0 last_change
  ticks0=$(cpu_ticks "$RX_PID"); t0=$(date +%s.%N); last_change=$SECONDS
  taskset -c "$GEN_CPU" node "$here/feed.mjs" --port "$(cat "$wd/inject.port")" --count "$COUNT" --size "$SIZE" &
  local feed_pid=$! start=$SECONDS
  while :; do
    msgs=$(wc -l < "$out_file")
    ((msgs >= COUNT)) && break
    ((msgs != last)) && { last=$msgs; last_change=$SECONDS; }
    if ((SECONDS - start > TIMEOUT_S)); then status=timeout; break; fi
    if ((SECONDS - last_change > STALL_S)); then status=stalled; break; fi
    alive "$RX_PID" || { status=receiver-exited; break; }
    alive "$TX_PID" || { status=sender-exited; break; }
    sleep 0.1
  done
  local t1 ticks1 hwm
  t1=$(stat -c %.9Y "$out_file"); ticks1=$(cpu_ticks "$RX_PID"); hwm=$(hwm_kib "$RX_PID")
  wait "$feed_pid" || status=feed-failed
  stop_group "$TX_PID"; TX_PID=
  stop_group "$RX_PID"; RX_PID=
  rm -f "$out_file"
  awk -v tg="$target" -v w="$window" -v r="$rep" -v n="$COUNT" -v m="$msgs" -v t0="$t0" -v t1="$t1" -v dt=$((ticks1 - ticks0)) -v tck="$tck" -v hwm="$hwm" -v st="$status" 'BEGIN {
    s = t1 - t0; if (s <= 0) s = 0.001; cpu = dt / tck; if (cpu <= 0) cpu = 1 / tck
    printf "%s\t%d\t%d\t%d\t%d\t%.3f\t%.0f\t%.2f\t%.0f\t%.1f\t%.0f\t%s\n", tg, w, r, n, m, s, m / s, cpu, m / cpu, hwm / 1024, 100 * cpu / s, st }' | tee -a "$results"
}

echo "RELP bench: COUNT=$COUNT SIZE=$SIZE WINDOWS='$WINDOWS' REPS=$REPS TARGETS='$TARGETS' → $out" >&2
for rep in $(seq 1 "$REPS"); do
  for window in $WINDOWS; do
    for target in $TARGETS; do run_one "$target" "$window" "$rep"; done
  done
done
node "$here/summarize.mjs" "$out" | tee "$out/summary.md"
