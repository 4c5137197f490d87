import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY_MS } from "../certs/certificate-authority.js";
import { main } from "../main.js";
import { fakeIo, type FakeIo } from "../testing/fake-io.js";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-certs-"));
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

async function cli(argv: string[], options: { now?: Date } = {}): Promise<{ code: number; io: FakeIo }> {
  const io = fakeIo({ cwd, ...options });
  return { code: await main(argv, io), io };
}
const tls = (f: string) => join(cwd, ".data/tls", f);

describe("certs init", () => {
  it("creates the development material in .data/tls, then keeps it", async () => {
    const first = await cli(["certs", "init"]);
    expect(first.code).toBe(0);
    expect(first.io.out()).toMatch(/^ {2}created ca\.pem /m);
    expect(first.io.out()).toMatch(/^ {2}created client\.pem +CN=aws-syslog {2}DNS:aws-syslog$/m);
    expect(first.io.out()).toContain('permitted as "aws-syslog" (x509/name)');
    expect(first.io.out()).not.toContain("PRIVATE KEY");
    expect((await stat(tls("server.key"))).mode & 0o777).toBe(0o600);
    const second = await cli(["certs", "init"]);
    expect(second.io.out()).toMatch(/^ {2}kept {4}server\.pem/m);
  });

  it("reports in JSON, with SANs from --dns/--ip and --dir relative to cwd", async () => {
    const { code, io } = await cli(["certs", "init", "--dir", "tls", "--dns", "logs.example.com", "--ip", "10.0.0.5", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(io.out());
    expect(report.dir).toBe(join(cwd, "tls"));
    expect(report.written.map((w: { file: string }) => w.file)).toEqual(["ca.pem", "server.pem", "client.pem"]);
    expect(report.certificates.server.subjectAltNames).toEqual(["DNS:logs.example.com", "IP:10.0.0.5"]);
    expect(report.certificates.client.fingerprints.sha256).toMatch(/^SHA256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
});

describe("certs server / client", () => {
  it("issues a server certificate with the given names, refusing to overwrite without --force", async () => {
    await cli(["certs", "init"]);
    const refused = await cli(["certs", "server", "--dns", "logs.example.com", "--ip", "192.0.2.7", "--days", "90"]);
    expect(refused.code).toBe(1);
    expect(refused.io.err()).toContain("[CLI_FILE_EXISTS]");
    const { code, io } = await cli(["certs", "server", "--dns", "logs.example.com", "--ip", "192.0.2.7", "--days", "90", "--force"]);
    expect(code).toBe(0);
    expect(io.out()).toContain("created .data/tls/server.pem and .data/tls/server.key");
    const cert = new X509Certificate(await readFile(tls("server.pem")));
    expect(cert.checkHost("logs.example.com")).toBe("logs.example.com");
    expect(cert.checkIP("192.0.2.7")).toBe("192.0.2.7");
    expect(cert.verify(new X509Certificate(await readFile(tls("ca.pem"))).publicKey)).toBe(true);
    expect(Math.round((new Date(cert.validTo).getTime() - Date.now()) / DAY_MS)).toBe(90);
  });

  it("issues a client certificate for another CN into client-<cn>.pem", async () => {
    await cli(["certs", "init"]);
    const { code, io } = await cli(["certs", "client", "--cn", "onegate", "--key", "rsa", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(io.out());
    expect(report.cert).toBe(tls("client-onegate.pem"));
    expect(report.certificate).toMatchObject({ subject: "CN=onegate", subjectAltNames: ["DNS:onegate"], extendedKeyUsage: ["clientAuth"], key: "RSA 2048" });
    expect((await stat(tls("client-onegate.key"))).mode & 0o777).toBe(0o600);
  });

  it("needs the CA and its key", async () => {
    const noCa = await cli(["certs", "client"]);
    expect([noCa.code, noCa.io.err()]).toEqual([1, "error: no CA in .data/tls: ca.pem is missing (run: pnpm cli certs init --dir .data/tls) [CLI_CA_MISSING]\n"]);
    await cli(["certs", "init"]);
    await unlink(tls("ca.key"));
    const noKey = await cli(["certs", "server", "--force"]);
    expect(noKey.code).toBe(1);
    expect(noKey.io.err()).toMatch(/^error: \.data\/tls\/ca\.key is missing: .* \[CLI_CA_KEY_MISSING\]\n$/);
  });

  it.each([
    [["certs", "server", "--ip", "not-an-ip"], /--ip "not-an-ip" is not an IPv4 or IPv6 address/],
    [["certs", "server", "--days", "0"], /--days must be a whole number from 1 to 3650/],
    [["certs", "client", "--key", "dsa"], /--key must be ec or rsa, got "dsa"/],
    [["certs", "client", "--out", "../evil"], /--out must be a plain file name/],
    [["certs", "client", "--nope"], /Unknown option '--nope'/],
    [["certs", "server", "stray"], /unexpected argument "stray"/],
    [["certs", "frobnicate"], /unknown subcommand "frobnicate"/],
    [["certs"], /name a subcommand/],
    [["certs", "show"], /name at least one certificate file/],
  ])("exits 2 with CLI_USAGE for %j", async (argv, message) => {
    await cli(["certs", "init"]);
    const { code, io } = await cli(argv);
    expect(code).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).toContain("[CLI_USAGE]");
  });
});

describe("certs show", () => {
  it("prints subject, issuer, SANs, serial, validity, days to expiry and rsyslog fingerprints", async () => {
    await cli(["certs", "init"]);
    const { code, io } = await cli(["certs", "show", ".data/tls/server.pem"]);
    expect(code).toBe(0);
    const cert = new X509Certificate(await readFile(tls("server.pem")));
    const out = io.out();
    expect(out).toMatch(/^\.data\/tls\/server\.pem\n/);
    expect(out).toMatch(/^ {2}subject {4}CN=localhost$/m);
    expect(out).toMatch(/^ {2}issuer {5}O=aws-syslog, CN=aws-syslog development CA [0-9a-f]{8}$/m);
    expect(out).toMatch(/^ {2}SANs {7}DNS:localhost, IP:127\.0\.0\.1, IP:::1$/m);
    expect(out).toContain(`  serial     ${cert.serialNumber.toUpperCase()}\n`);
    expect(out).toContain(`  not after  ${new Date(cert.validTo).toISOString()}\n`);
    expect(out).toMatch(/^ {2}expires in 82[45] days$/m);
    expect(out).toContain(`  SHA-256    SHA256:${cert.fingerprint256}\n`);
    expect(out).toContain(`  SHA-1      SHA1:${cert.fingerprint}\n`);
    expect(io.err()).toBe("");
  });

  it("shows every certificate of a chain file", async () => {
    await cli(["certs", "init"]);
    await writeFile(join(cwd, "chain.pem"), (await readFile(tls("server.pem"), "utf8")) + (await readFile(tls("ca.pem"), "utf8")));
    const { io } = await cli(["certs", "show", "chain.pem", "--json"]);
    const [report] = JSON.parse(io.out());
    expect(report.certificates.map((c: { isCa: boolean }) => c.isCa)).toEqual([false, true]);
  });

  it("warns about an expired certificate, and fails only with --check", async () => {
    await cli(["certs", "init"]);
    const future = new Date(Date.now() + 900 * DAY_MS);
    const plain = await cli(["certs", "show", ".data/tls/client.pem"], { now: future });
    expect(plain.code).toBe(0);
    expect(plain.io.err()).toMatch(/^warning: \.data\/tls\/client\.pem: expired 7[45] days ago \(/);
    const checked = await cli(["certs", "show", "--check", ".data/tls/client.pem", ".data/tls/ca.pem"], { now: future });
    expect(checked.code).toBe(1);
    expect(checked.io.err()).toContain("error: --check: .data/tls/client.pem is expired [CLI_CERT_EXPIRED]");
    const ok = await cli(["certs", "show", "--check", ".data/tls/ca.pem"], { now: future });
    expect(ok.code).toBe(0);
  });

  it("fails a not-yet-valid certificate with --check", async () => {
    await cli(["certs", "init"]);
    const { code, io } = await cli(["certs", "show", "--check", ".data/tls/ca.pem"], { now: new Date(Date.now() - DAY_MS) });
    expect(code).toBe(1);
    expect(io.err()).toContain("[CLI_CERT_NOT_YET_VALID]");
  });

  it("reports a missing file and a non-certificate, still showing the good ones, exit 1", async () => {
    await cli(["certs", "init"]);
    await writeFile(join(cwd, "junk.txt"), "hello\n");
    const { code, io } = await cli(["certs", "show", "nope.pem", ".data/tls/ca.pem", ".data/tls/server.key", "junk.txt"]);
    expect(code).toBe(1);
    expect(io.out()).toContain(".data/tls/ca.pem\n  subject");
    expect(io.err()).toBe(
      "error: nope.pem: no such file [CLI_FILE_NOT_FOUND]\n" +
      "error: .data/tls/server.key holds a private key, not a certificate [CLI_NOT_A_CERTIFICATE]\n" +
      'error: junk.txt is not a certificate (no "BEGIN CERTIFICATE" block, not DER) [CLI_NOT_A_CERTIFICATE]\n',
    );
    expect(io.out() + io.err()).not.toContain("PRIVATE KEY-----");
  });

  it("reads a DER certificate and puts per-file errors in the JSON", async () => {
    await cli(["certs", "init"]);
    await writeFile(join(cwd, "ca.der"), new X509Certificate(await readFile(tls("ca.pem"))).raw);
    const { code, io } = await cli(["certs", "show", "--json", "ca.der", "nope.pem"]);
    expect(code).toBe(1);
    const report = JSON.parse(io.out());
    expect(report[0].certificates[0].isCa).toBe(true);
    expect(report[1]).toEqual({ file: "nope.pem", error: { code: "CLI_FILE_NOT_FOUND", message: "nope.pem: no such file" } });
  });
});
