import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * The real rsyslogd and syslog-ng that validate generated configurations in tests, found like
 * tests/support/binaries.ts finds them: rsyslog from apt, syslog-ng unpacked into SNG_ROOT
 * (default /opt/syslog-ng) by scripts/install-test-deps.sh. A missing daemon fails the test,
 * never skips it.
 */
export const SNG_ROOT = process.env["SNG_ROOT"] ?? "/opt/syslog-ng";

function find(name: string, dirs: readonly string[]): string {
  const candidates = [...dirs, ...(process.env["PATH"] ?? "").split(delimiter).filter(Boolean)].map((d) => join(d, name));
  const found = candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) throw new Error(`${name} not found (looked in ${dirs.join(", ")} and PATH); run scripts/install-test-deps.sh as root`);
  return found;
}

export const rsyslogdPath = (): string => find("rsyslogd", ["/usr/sbin", "/sbin"]);
export const syslogNgPath = (): string => find("syslog-ng", [join(SNG_ROOT, "usr/sbin")]);

/** Environment for the unpacked syslog-ng: its prefix and private libraries. */
export function syslogNgEnv(): NodeJS.ProcessEnv {
  const lib = join(SNG_ROOT, "usr/lib/syslog-ng");
  const ld = process.env["LD_LIBRARY_PATH"];
  return { ...process.env, SYSLOGNG_PREFIX: join(SNG_ROOT, "usr"), LD_LIBRARY_PATH: ld ? `${lib}:${ld}` : lib };
}
