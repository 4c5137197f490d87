#!/usr/bin/env bash
# Installs the real syslog senders the interop tests drive (Debian 12, as root; CI runs it).
#
#   rsyslog + rsyslog-openssl + rsyslog-gnutls + rsyslog-relp   (apt)
#   openssl, logger (bsdutils), util-linux, procps, iproute2    (apt)
#   syslog-ng-core                                               (dpkg -x into $SNG_ROOT)
#
# rsyslog and syslog-ng-core Conflict as Debian packages (both Provide system-log-daemon),
# so syslog-ng-core is unpacked with `dpkg -x` into $SNG_ROOT (default /opt/syslog-ng) and run
# from there with SYSLOGNG_PREFIX and LD_LIBRARY_PATH (tests/support/binaries.ts sets both).
#
# The tests never use rsyslog as the system daemon: they run `rsyslogd -n -f <conf> -i <pid>`
# with their own config and work directory. This script makes sure the package install does not
# leave a system rsyslogd running (it would own /dev/log and could hold ports): service starts
# are blocked with a policy-rc.d for the duration of the install, and any rsyslogd started from
# the package's pid file is stopped afterwards.
#
# Idempotent and quiet; when everything is present it only runs dpkg-query (well under a
# second). Not root, or no apt-get: prints what is missing and exits 0. The interop tests then
# fail (not skip) with "<binary> not found ... run scripts/install-test-deps.sh as root", so a
# CI machine without the senders cannot pass silently.
set -euo pipefail

SNG_ROOT=${SNG_ROOT:-/opt/syslog-ng}
APT_PACKAGES=(
  rsyslog rsyslog-openssl rsyslog-gnutls rsyslog-relp
  openssl bsdutils util-linux procps iproute2
  # Runtime libraries of syslog-ng-core (its Depends), which dpkg -x does not pull in.
  libivykis0 libnet1 libpcre3 libwrap0 libjson-c5 libglib2.0-0 libcap2 libssl3
)

missing_packages() {
  local p status
  for p in "${APT_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $status == installed ]] || echo "$p"
  done
}

sng_present() { [[ -x $SNG_ROOT/usr/sbin/syslog-ng ]]; }

mapfile -t missing < <(command -v dpkg-query >/dev/null && missing_packages || printf '%s\n' "${APT_PACKAGES[@]}")
if [[ ${#missing[@]} -eq 0 ]] && sng_present; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "install-test-deps: cannot install (needs root and apt-get). Missing:" >&2
  [[ ${#missing[@]} -gt 0 ]] && echo "  apt packages: ${missing[*]}" >&2
  sng_present || echo "  syslog-ng-core unpacked into $SNG_ROOT (apt-get download syslog-ng-core; dpkg -x)" >&2
  echo "install-test-deps: the interop tests will fail until these are installed." >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive

# Block service starts from maintainer scripts (invoke-rc.d honours policy-rc.d; exit 101 =
# "action forbidden"), unless the machine already has its own policy (Docker images do).
added_policy=
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  added_policy=1
fi
cleanup() { [[ -n $added_policy ]] && rm -f /usr/sbin/policy-rc.d; return 0; }
trap cleanup EXIT

if [[ ${#missing[@]} -gt 0 ]] || ! sng_present; then
  apt-get update -qq >/dev/null
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
fi

if ! sng_present; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq syslog-ng-core >/dev/null 2>&1)
  mkdir -p "$SNG_ROOT"
  dpkg -x "$tmp"/syslog-ng-core_*.deb "$SNG_ROOT"
  rm -rf "$tmp"
fi

# Belt and braces: if something started the system rsyslogd anyway (no policy honoured, or a
# non-systemd init script), stop exactly that process, found through its own pid file.
for pidfile in /run/rsyslogd.pid /var/run/rsyslogd.pid; do
  if [[ -s $pidfile ]]; then
    pid=$(cat "$pidfile")
    if [[ $(cat "/proc/$pid/comm" 2>/dev/null || true) == rsyslogd ]]; then
      kill -TERM "$pid" 2>/dev/null || true
      echo "install-test-deps: stopped the system rsyslogd (pid $pid) started by the package" >&2
    fi
  fi
done

sng_version=$(SYSLOGNG_PREFIX=$SNG_ROOT/usr LD_LIBRARY_PATH=$SNG_ROOT/usr/lib/syslog-ng \
  "$SNG_ROOT/usr/sbin/syslog-ng" --version 2>&1 | head -1 || true)
echo "install-test-deps: $(rsyslogd -v | head -1); $sng_version in $SNG_ROOT"
