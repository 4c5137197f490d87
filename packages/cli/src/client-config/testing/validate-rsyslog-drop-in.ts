import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { rsyslogdPath } from "./sender-daemons.js";

/** Resolved on import, so a missing rsyslogd fails the whole test file that uses it. */
const rsyslogd = rsyslogdPath();

export interface RsyslogdCheck {
  status: number | null;
  /** stdout and stderr of rsyslogd -N1. */
  output: string;
}

/**
 * Checks a drop-in with the real rsyslogd -N1 (parse, load the modules and drivers, check every
 * parameter name and value) inside a main configuration like a distribution's: global() with a
 * work directory, then include() of the drop-in. The files go into `dir`, which is created.
 */
export async function validateRsyslogDropIn(dir: string, dropIn: string): Promise<RsyslogdCheck> {
  await mkdir(join(dir, "work"), { recursive: true });
  await writeFile(join(dir, "90-aws-syslog.conf"), dropIn);
  await writeFile(join(dir, "rsyslog.conf"), `global(workDirectory="${join(dir, "work")}")\ninclude(file="${join(dir, "90-aws-syslog.conf")}")\n`);
  const r = spawnSync(rsyslogd, ["-N1", "-f", join(dir, "rsyslog.conf")], { encoding: "utf8", timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
