import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../errors.js";
import { createCa, DAY_MS, loadCa, type CertificateAuthority } from "./certificate-authority.js";
import { describeCertificate } from "./describe-certificate.js";
import { DEFAULT_LEAF_DAYS, issueClientCertificate, issueServerCertificate } from "./issue-certificate.js";
import { KEY_ALGORITHMS } from "./key-pair.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
if (!hasOpenssl) console.warn("openssl is not on PATH: the `openssl verify` assertions are skipped");

async function rejects(p: Promise<unknown>): Promise<CliError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe.each(KEY_ALGORITHMS)("certificates with %s keys", (key) => {
  const now = new Date("2030-01-01T00:00:00Z");
  let ca: CertificateAuthority;
  let caCert: X509Certificate;
  let dir: string;

  beforeAll(async () => {
    ca = await createCa({ key, now });
    caCert = new X509Certificate(ca.certPem);
    dir = await mkdtemp(join(tmpdir(), "aws-syslog-certs-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("makes a self-signed CA that may sign leaves only", () => {
    expect(caCert.ca).toBe(true);
    expect(caCert.checkIssued(caCert)).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(describeCertificate(caCert, now).key).toBe(key === "ec" ? "ECDSA P-256" : "RSA 2048");
  });

  it("issues a server certificate for localhost, 127.0.0.1 and ::1 by default, valid 825 days", async () => {
    const server = await issueServerCertificate(ca, { key, now });
    const cert = new X509Certificate(server.certPem);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkPrivateKey(createPrivateKey(server.keyPem))).toBe(true);
    expect(new Date(cert.validTo).getTime()).toBe(Math.floor((now.getTime() + DEFAULT_LEAF_DAYS * DAY_MS) / 1000) * 1000);
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.checkIP("::1")).toBe("::1");
    const info = describeCertificate(cert, now);
    expect(info.subjectAltNames).toEqual(["DNS:localhost", "IP:127.0.0.1", "IP:::1"]);
    expect(info.extendedKeyUsage).toEqual(["serverAuth"]);
    expect(info.subject).toBe("CN=localhost");
  });

  it("puts the given DNS names and IPs, and only those, in the server certificate", async () => {
    const server = await issueServerCertificate(ca, { key, now, dnsNames: ["Logs.Example.com", "*.nlb.example.com"], ipAddresses: ["10.0.0.5", "[2001:db8::1]"] });
    const info = describeCertificate(new X509Certificate(server.certPem), now);
    expect(info.subjectAltNames).toEqual(["DNS:logs.example.com", "DNS:*.nlb.example.com", "IP:10.0.0.5", "IP:2001:db8::1"]);
    expect(new X509Certificate(server.certPem).checkHost("a.nlb.example.com")).toBe("*.nlb.example.com");
    expect(new X509Certificate(server.certPem).checkHost("localhost")).toBeUndefined();
  });

  it("issues a client certificate with CN and SAN DNS aws-syslog and clientAuth", async () => {
    const client = await issueClientCertificate(ca, { key, now });
    const cert = new X509Certificate(client.certPem);
    expect(cert.checkIssued(caCert) && cert.verify(caCert.publicKey)).toBe(true);
    const info = describeCertificate(cert, now);
    expect(info.subject).toBe("CN=aws-syslog");
    expect(info.subjectAltNames).toEqual(["DNS:aws-syslog"]);
    expect(info.extendedKeyUsage).toEqual(["clientAuth"]);
    const other = describeCertificate(new X509Certificate((await issueClientCertificate(ca, { key, now, commonName: "onegate" })).certPem), now);
    expect([other.subject, other.subjectAltNames]).toEqual(["CN=onegate", ["DNS:onegate"]]);
  });

  it.skipIf(!hasOpenssl)("passes `openssl verify` with the sslserver and sslclient purposes", async () => {
    const verifyNow = new Date(); // openssl checks against the real clock
    const liveCa = await createCa({ key, now: verifyNow });
    const files = {
      ca: join(dir, "ca.pem"),
      server: join(dir, "server.pem"),
      client: join(dir, "client.pem"),
    };
    await writeFile(files.ca, liveCa.certPem);
    await writeFile(files.server, (await issueServerCertificate(liveCa, { key, now: verifyNow })).certPem);
    await writeFile(files.client, (await issueClientCertificate(liveCa, { key, now: verifyNow })).certPem);
    const verify = (purpose: string, file: string) => spawnSync("openssl", ["verify", "-CAfile", files.ca, "-purpose", purpose, file], { encoding: "utf8" });
    expect(verify("sslserver", files.server).stdout).toContain(": OK");
    expect(verify("sslclient", files.client).stdout).toContain(": OK");
    // The purposes are real: a client certificate is not a server certificate.
    expect(verify("sslserver", files.client).status).not.toBe(0);
  });

  it("does not verify against another CA", async () => {
    const otherCa = new X509Certificate((await createCa({ key, now })).certPem);
    const cert = new X509Certificate((await issueServerCertificate(ca, { key, now })).certPem);
    expect(cert.checkIssued(otherCa) && cert.verify(otherCa.publicKey)).toBe(false);
  });
});

describe("issuing limits and errors", () => {
  const now = new Date("2030-01-01T00:00:00Z");

  it("ends a leaf no later than its CA", async () => {
    const ca = await createCa({ now, days: 10 });
    const cert = new X509Certificate((await issueServerCertificate(ca, { now, days: 825 })).certPem);
    expect(new Date(cert.validTo).getTime()).toBe(ca.notAfter.getTime());
  });

  it.each([
    [{ dnsNames: ["bad name"] }, /--dns "bad name" is not a DNS name/],
    [{ dnsNames: ["a..b"] }, /not a DNS name/],
    [{ dnsNames: ["*.com"] }, /not a DNS name/],
    [{ ipAddresses: ["300.1.1.1"] }, /--ip "300.1.1.1" is not an IPv4 or IPv6 address/],
    [{ days: 0 }, /--days must be a whole number/],
  ])("refuses %o with CLI_USAGE", async (options, message) => {
    const ca = await createCa({ now });
    const err = await rejects(issueServerCertificate(ca, { now, ...options }));
    expect([err.code, err.exitCode]).toEqual(["CLI_USAGE", 2]);
    expect(err.message).toMatch(message);
  });

  it.each([["x".repeat(65)], ["*.example.com"], ["two words"], [""]])("refuses client CN %j", async (cn) => {
    const ca = await createCa({ now });
    expect((await rejects(issueClientCertificate(ca, { now, commonName: cn }))).code).toBe("CLI_USAGE");
  });
});

describe("loadCa", () => {
  const now = new Date("2030-01-01T00:00:00Z");

  it("loads a CA whose key is PKCS#1 (RSA) or SEC1 (EC), as openssl writes them, and signs with it", async () => {
    for (const [key, type] of [["rsa", "pkcs1"], ["ec", "sec1"]] as const) {
      const made = await createCa({ key, now });
      const legacyPem = createPrivateKey(made.keyPem).export({ type, format: "pem" }).toString();
      expect(legacyPem).toMatch(key === "rsa" ? /BEGIN RSA PRIVATE KEY/ : /BEGIN EC PRIVATE KEY/);
      const ca = await loadCa(made.certPem, legacyPem, { now });
      const leaf = new X509Certificate((await issueClientCertificate(ca, { now })).certPem);
      expect(leaf.verify(new X509Certificate(made.certPem).publicKey)).toBe(true);
    }
  });

  it("refuses a key that is not the CA's", async () => {
    const a = await createCa({ now });
    const b = await createCa({ now });
    expect((await rejects(loadCa(a.certPem, b.keyPem, { now }))).code).toBe("CLI_KEY_MISMATCH");
  });

  it("refuses a leaf certificate as CA", async () => {
    const ca = await createCa({ now });
    const leaf = await issueServerCertificate(ca, { now });
    expect((await rejects(loadCa(leaf.certPem, leaf.keyPem, { now }))).code).toBe("CLI_NOT_A_CA");
  });

  it("refuses an expired CA", async () => {
    const ca = await createCa({ now, days: 1 });
    const err = await rejects(loadCa(ca.certPem, ca.keyPem, { now: new Date(now.getTime() + 2 * DAY_MS) }));
    expect(err.code).toBe("CLI_CERT_EXPIRED");
  });

  it("refuses an encrypted or garbage key without echoing it", async () => {
    const ca = await createCa({ now });
    const encrypted = createPrivateKey(ca.keyPem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "x" }).toString();
    const e1 = await rejects(loadCa(ca.certPem, encrypted, { now, label: "ca.pem" }));
    expect([e1.code, e1.message]).toEqual(["CLI_INVALID_KEY", "ca.pem key: cannot use this private key: it is encrypted (give an unencrypted key)"]);
    const e2 = await rejects(loadCa(ca.certPem, "secret-ish garbage", { now }));
    expect(e2.code).toBe("CLI_INVALID_KEY");
    expect(e2.message).not.toContain("garbage");
  });
});
