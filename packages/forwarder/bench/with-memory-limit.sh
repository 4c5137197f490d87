#!/usr/bin/env bash
# Runs a command inside a memory cgroup of the given size, as a Lambda function of that memory
# setting runs: Node sizes V8's heap (old generation and young-generation semi-space) from the
# limit it finds, so a benchmark run this way sees the heap the function would get.
#
#   sudo bash packages/forwarder/bench/with-memory-limit.sh 512 \
#     node packages/forwarder/bench/cloudwatch-core.bench.mjs --measure /tmp/<object>
#
# Needs root and a cgroup memory controller (v1 at /sys/fs/cgroup/memory, or v2).
set -euo pipefail
mb=${1:?usage: with-memory-limit.sh <MB> <command…>}
shift
name="aws-syslog-bench-$$"
if [[ -d /sys/fs/cgroup/memory ]]; then
  dir=/sys/fs/cgroup/memory/$name
  mkdir "$dir"
  echo $((mb * 1024 * 1024)) >"$dir/memory.limit_in_bytes"
elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
  dir=/sys/fs/cgroup/$name
  mkdir "$dir"
  echo $((mb * 1024 * 1024)) >"$dir/memory.max"
else
  echo "with-memory-limit.sh: no cgroup memory controller here" >&2
  exit 2
fi
trap 'rmdir "$dir" 2>/dev/null || true' EXIT
# A benchmark harness stops its receiver with SIGTERM to the process group: exit (running the
# EXIT trap) once the command, which got the signal too, has gone.
trap 'exit 143' TERM INT
# A child joins the cgroup and becomes the command; this shell waits, then removes the group.
bash -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' _ "$dir" "$@"
