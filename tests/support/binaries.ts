import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Where the interop tests find the real senders. rsyslog, openssl and logger come from apt;
 * syslog-ng-core conflicts with rsyslog as a Debian package, so scripts/install-test-deps.sh
 * unpacks it into SNG_ROOT (default /opt/syslog-ng) and it runs from there.
 */
export const SNG_ROOT = process.env.SNG_ROOT ?? "/opt/syslog-ng";

export type BinaryName = "rsyslogd" | "openssl" | "logger" | "syslog-ng" | "loggen";

const SEARCH_DIRS: Record<BinaryName, readonly string[]> = {
  rsyslogd: ["/usr/sbin", "/sbin"],
  openssl: [],
  logger: [],
  "syslog-ng": [join(SNG_ROOT, "usr/sbin")],
  loggen: [join(SNG_ROOT, "usr/bin")],
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a binary, or undefined. Looks in PATH and the binary's usual places. */
export function findBinary(name: BinaryName): string | undefined {
  const dirs = [...SEARCH_DIRS[name], ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  return dirs.map((d) => join(d, name)).find(isExecutable);
}

/**
 * Absolute path of a binary the test needs. A missing sender is a failure, never a skip: a CI
 * machine without rsyslog must not report the interop suite as green.
 */
export function requireBinary(name: BinaryName): string {
  const path = findBinary(name);
  if (!path) {
    throw new Error(`${name} not found (looked in PATH${SEARCH_DIRS[name].length ? ` and ${SEARCH_DIRS[name].join(", ")}` : ""}); run scripts/install-test-deps.sh as root`);
  }
  return path;
}

/** Environment for the syslog-ng unpacked with dpkg -x: its prefix and private libraries. */
export function syslogNgEnv(): NodeJS.ProcessEnv {
  const lib = join(SNG_ROOT, "usr/lib/syslog-ng");
  return {
    ...process.env,
    SYSLOGNG_PREFIX: join(SNG_ROOT, "usr"),
    LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH ? `${lib}:${process.env.LD_LIBRARY_PATH}` : lib,
  };
}
