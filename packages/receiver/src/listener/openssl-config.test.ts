import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sessionTicketsOff } from "./openssl-config.js";

const dir = mkdtempSync(join(tmpdir(), "openssl-config-"));
const good = join(dir, "good.cnf");
writeFileSync(good, "nodejs_conf = a\n[a]\nssl_conf = b\n[b]\nsystem_default = c\n[c]\nNumTickets = 0\n");
const other = join(dir, "other.cnf");
writeFileSync(other, "[c]\nNumTickets = 2\n");

describe("sessionTicketsOff", () => {
  it("is off with --openssl-config naming a file that sets NumTickets = 0, relative paths from cwd", () => {
    expect(sessionTicketsOff([`--openssl-config=${good}`], {})).toEqual({ off: true, file: good });
    expect(sessionTicketsOff(["--openssl-config=good.cnf"], {}, dir)).toEqual({ off: true, file: good });
    expect(sessionTicketsOff([], { OPENSSL_CONF: good })).toEqual({ off: true, file: good });
    // The flag wins over the environment, as in node.
    expect(sessionTicketsOff([`--openssl-config=${good}`], { OPENSSL_CONF: other }).off).toBe(true);
  });

  it("says why when tickets stay on: no configuration, a missing file, another ticket count", () => {
    expect(sessionTicketsOff([], {})).toEqual({ off: false, reason: "node was started without --openssl-config (or OPENSSL_CONF)" });
    const missing = sessionTicketsOff([`--openssl-config=${join(dir, "missing.cnf")}`], {});
    expect(missing.off).toBe(false);
    expect(!missing.off && missing.reason).toMatch(/cannot be read \(ENOENT\); node ignores it/);
    expect(sessionTicketsOff([`--openssl-config=${other}`], {})).toEqual({ off: false, reason: `the OpenSSL configuration ${other} does not set NumTickets = 0` });
  });

  it("holds for the configuration the receiver ships", () => {
    const shipped = join(import.meta.dirname, "../../openssl.cnf");
    expect(sessionTicketsOff([`--openssl-config=${shipped}`], {}).off).toBe(true);
  });
});
