import { X509Certificate } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "../errors.js";
import { createCa, DAY_MS, loadCa } from "./certificate-authority.js";
import { describeCertificate } from "./describe-certificate.js";
import { DEV_TLS_FILES, ensureDevTls } from "./ensure-dev-tls.js";
import { DEFAULT_LEAF_DAYS, issueServerCertificate } from "./issue-certificate.js";
import { writePemPair } from "./pem-files.js";

const T0 = new Date("2030-01-01T00:00:00Z");
const later = (days: number) => new Date(T0.getTime() + days * DAY_MS);
let dir: string;

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "aws-syslog-devtls-")), "tls");
});
afterEach(() => rm(join(dir, ".."), { recursive: true, force: true }));

const read = (name: string) => readFile(join(dir, name), "utf8");
const cert = async (name: string) => new X509Certificate(await read(name));
const snapshot = async () => Object.fromEntries(await Promise.all(Object.values(DEV_TLS_FILES).map(async (f) => [f, await read(f)] as const)));

describe("ensureDevTls", () => {
  it("writes a CA, a server and an aws-syslog client certificate on first run, keys 0600 in a 0700 directory", async () => {
    const result = await ensureDevTls(dir, { now: T0 });
    expect(result.written.map((w) => w.file)).toEqual(["ca.pem", "server.pem", "client.pem"]);
    expect(result.warnings).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(["ca.key", "ca.pem", "client.key", "client.pem", "server.key", "server.pem"]);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const k of ["ca.key", "server.key", "client.key"]) expect((await stat(join(dir, k))).mode & 0o777).toBe(0o600);
    for (const c of ["ca.pem", "server.pem", "client.pem"]) expect((await stat(join(dir, c))).mode & 0o777).toBe(0o644);
    const ca = await cert("ca.pem");
    for (const leaf of [await cert("server.pem"), await cert("client.pem")]) {
      expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    }
    expect(describeCertificate(await cert("client.pem"), T0).subject).toBe("CN=aws-syslog");
    expect(describeCertificate(await cert("server.pem"), T0).subjectAltNames).toEqual(["DNS:localhost", "IP:127.0.0.1", "IP:::1"]);
    expect(result.paths.serverKey).toBe(join(dir, "server.key"));
  });

  it("reuses everything on later runs", async () => {
    await ensureDevTls(dir, { now: T0 });
    const before = await snapshot();
    const again = await ensureDevTls(dir, { now: later(100) });
    expect(again.written).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it("renews leaves that expire within 30 days, keeping the CA", async () => {
    await ensureDevTls(dir, { now: T0 });
    const before = await snapshot();
    const kept = await ensureDevTls(dir, { now: later(DEFAULT_LEAF_DAYS - 31) });
    expect(kept.written).toEqual([]);
    const renewed = await ensureDevTls(dir, { now: later(DEFAULT_LEAF_DAYS - 29) });
    expect(renewed.written).toEqual([
      { file: "server.pem", reason: "it expires in 29 days" },
      { file: "client.pem", reason: "it expires in 29 days" },
    ]);
    const after = await snapshot();
    expect(after["ca.pem"]).toBe(before["ca.pem"]);
    expect(after["ca.key"]).toBe(before["ca.key"]);
    expect(after["server.key"]).not.toBe(before["server.key"]);
    expect(describeCertificate(await cert("server.pem"), later(DEFAULT_LEAF_DAYS - 29)).daysToExpiry).toBe(DEFAULT_LEAF_DAYS);
  });

  it("keeps an operator's server names when it renews", async () => {
    await ensureDevTls(dir, { now: T0 });
    const ca = await loadCa(await read("ca.pem"), await read("ca.key"), { now: T0 });
    await writePemPair(dir, "server", await issueServerCertificate(ca, { now: T0, days: 40, dnsNames: ["logs.example.com"], ipAddresses: ["10.0.0.5"] }), true);
    const r = await ensureDevTls(dir, { now: later(20) });
    expect(r.written.map((w) => w.file)).toEqual(["server.pem"]);
    expect(describeCertificate(await cert("server.pem"), later(20)).subjectAltNames).toEqual(["DNS:logs.example.com", "IP:10.0.0.5"]);
  });

  it("reissues the server certificate when the caller asks for a name it lacks", async () => {
    await ensureDevTls(dir, { now: T0 });
    const r = await ensureDevTls(dir, { now: T0, serverDnsNames: ["localhost"], serverIpAddresses: ["127.0.0.1", "192.0.2.10"] });
    expect(r.written).toEqual([{ file: "server.pem", reason: "it lacks IP:192.0.2.10" }]);
    expect((await cert("server.pem")).checkIP("192.0.2.10")).toBe("192.0.2.10");
  });

  it.each([
    ["a missing key", async () => unlink(join(dir, "server.key")), `${"server.key"} is missing`],
    ["a key of another pair", async () => writeFile(join(dir, "server.key"), await read("client.key")), "its key does not match the certificate"],
    ["a certificate from another CA", async () => writePemPair(dir, "server", await issueServerCertificate(await createCa({ now: T0 }), { now: T0 }), true), "it was not issued by ca.pem"],
  ])("reissues the server pair after %s", async (_what, damage, reason) => {
    await ensureDevTls(dir, { now: T0 });
    await damage();
    const r = await ensureDevTls(dir, { now: T0 });
    expect(r.written).toHaveLength(1);
    expect(r.written[0]!.file).toBe("server.pem");
    expect(r.written[0]!.reason).toContain(reason);
    const ca = await cert("ca.pem");
    expect((await cert("server.pem")).verify(ca.publicKey)).toBe(true);
  });

  it("works without ca.key while nothing needs signing, and says why when something does", async () => {
    await ensureDevTls(dir, { now: T0 });
    await unlink(join(dir, "ca.key"));
    expect((await ensureDevTls(dir, { now: later(10) })).written).toEqual([]);
    const err = await ensureDevTls(dir, { now: later(DEFAULT_LEAF_DAYS - 5) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).code).toBe("CLI_CA_KEY_MISSING");
    expect((err as CliError).message).toContain("it expires in 5 days");
  });

  it("renews an expiring CA and every leaf, warning that senders need the new ca.pem", async () => {
    await ensureDevTls(dir, { now: T0 });
    const before = await snapshot();
    const r = await ensureDevTls(dir, { now: later(3650 - 10) });
    expect(r.written.map((w) => w.file)).toEqual(["ca.pem", "server.pem", "client.pem"]);
    expect(r.warnings.join("\n")).toMatch(/new development CA replaced the old one/);
    expect(await read("ca.pem")).not.toBe(before["ca.pem"]);
  });

  it("re-creates everything with force", async () => {
    await ensureDevTls(dir, { now: T0 });
    const before = await snapshot();
    const r = await ensureDevTls(dir, { now: T0, force: true, key: "rsa" });
    expect(r.written.map((w) => w.file)).toEqual(["ca.pem", "server.pem", "client.pem"]);
    const after = await snapshot();
    for (const f of Object.values(DEV_TLS_FILES)) expect(after[f]).not.toBe(before[f]);
    expect(describeCertificate(await cert("server.pem"), T0).key).toBe("RSA 2048");
  });

  it("warns when a key file is readable by others", async () => {
    await ensureDevTls(dir, { now: T0 });
    await chmod(join(dir, "client.key"), 0o644);
    const r = await ensureDevTls(dir, { now: T0 });
    expect(r.warnings).toEqual([`${join(dir, "client.key")} is readable by others (mode 0644): run chmod 600 ${join(dir, "client.key")}`]);
  });

  it("fails with CLI_NOT_A_CERTIFICATE when ca.pem holds something else", async () => {
    await ensureDevTls(dir, { now: T0 });
    await writeFile(join(dir, "ca.pem"), await read("ca.key"));
    const err = await ensureDevTls(dir, { now: T0 }).catch((e: unknown) => e);
    expect((err as CliError).code).toBe("CLI_NOT_A_CERTIFICATE");
    expect((err as CliError).message).toBe(`${join(dir, "ca.pem")} holds a private key, not a certificate`);
  });
});
