import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY_MS } from "../certs/certificate-authority.js";
import { main } from "../main.js";
import { fakeIo, type FakeIo } from "../testing/fake-io.js";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-client-config-"));
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

async function cli(argv: string[], options: { now?: Date } = {}): Promise<{ code: number; io: FakeIo }> {
  const io = fakeIo({ cwd, ...options });
  return { code: await main(argv, io), io };
}

describe("client-config for the embedded default", () => {
  beforeEach(async () => {
    expect((await cli(["certs", "init"])).code).toBe(0);
  });

  it("prints the five sender configurations, each under its file name", async () => {
    const { code, io } = await cli(["client-config"]);
    expect([code, io.err()]).toEqual([0, ""]);
    const out = io.out();
    expect(out.match(/^==> .* <==$/gm)).toEqual([
      "==> rsyslog-ossl.conf (install as /etc/rsyslog.d/90-aws-syslog.conf) <==",
      "==> rsyslog-gtls.conf (install as /etc/rsyslog.d/90-aws-syslog.conf) <==",
      "==> rsyslog-relp.conf (install as /etc/rsyslog.d/90-aws-syslog.conf) <==",
      "==> syslog-ng.conf (install as /etc/syslog-ng/conf.d/aws-syslog.conf) <==",
      "==> onegate.txt <==",
    ]);
    expect(out).toContain('target="127.0.0.1" port="6514"');
    expect(out).toContain('type="omrelp"');
    expect(out).toContain('target="127.0.0.1" port="2514"');
    expect(out).toContain('StreamDriverPermittedPeers="localhost"'); // the development server certificate's name
    expect(out).toContain('StreamDriver.CertFile="/etc/aws-syslog/client.pem"');
    expect(out).toMatch(/^ {2}Facility {12}local0$/m);
    expect(out).toMatch(/^ {2}Client certificate {2}upload client\.pem and its key client\.key \(CN=aws-syslog, valid until /m);
    expect(out).not.toContain("PRIVATE KEY");
  });

  it("prints one configuration bare, ready to redirect into a file", async () => {
    const { code, io } = await cli(["client-config", "rsyslog-gtls", "--auth", "anon"]);
    expect(code).toBe(0);
    expect(io.out()).toMatch(/^# aws-syslog: forward every message to 127\.0\.0\.1:6514 over TLS \(rsyslog omfwd, gtls driver\)\.\n/);
    expect(io.out()).toContain('StreamDriverAuthMode="anon"');
    expect(io.out()).toContain("NOT authenticated");
  });

  it("writes every file with --out (key 0600), refuses to overwrite without --force", async () => {
    const first = await cli(["client-config", "--out", "sender", "--sender-dir", "/etc/pki/aws-syslog"]);
    expect(first.code).toBe(0);
    expect((await readdir(join(cwd, "sender"))).sort()).toEqual(["ca.pem", "client.key", "client.pem", "onegate.txt", "rsyslog-gtls.conf", "rsyslog-ossl.conf", "rsyslog-relp.conf", "syslog-ng.conf"]);
    expect((await stat(join(cwd, "sender", "client.key"))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(cwd, "sender", "ca.pem"), "utf8")).toBe(await readFile(join(cwd, ".data/tls/ca.pem"), "utf8"));
    expect(await readFile(join(cwd, "sender", "syslog-ng.conf"), "utf8")).toContain('key-file("/etc/pki/aws-syslog/client.key")');
    expect(first.io.out()).toContain("client.key         → /etc/pki/aws-syslog/client.key  private key, mode 0600");

    await writeFile(join(cwd, "sender", "onegate.txt"), "edited");
    const again = await cli(["client-config", "--out", "sender"]);
    expect([again.code, again.io.err()]).toEqual([1, expect.stringMatching(/^error: sender\/.* exists already \(pass --force to replace it\) \[CLI_FILE_EXISTS\]\n$/)]);
    expect(await readFile(join(cwd, "sender", "onegate.txt"), "utf8")).toBe("edited");
    expect((await cli(["client-config", "--out", "sender", "--force"])).code).toBe(0);
    expect(await readFile(join(cwd, "sender", "onegate.txt"), "utf8")).toContain("OneGate");
  });

  it("reports in JSON without private keys", async () => {
    const { code, io } = await cli(["client-config", "onegate", "syslog-ng", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(io.out());
    expect(report).toMatchObject({ host: "127.0.0.1", port: 6514, auth: "x509/name", peer: "localhost", client: { subject: "CN=aws-syslog" } });
    expect(report.onegate).toMatchObject({ facility: "local0", protocol: "TLS", clientCertificate: { certFile: "client.pem", keyFile: "client.key" } });
    expect(report.files.map((f: { name: string }) => f.name)).toEqual(["syslog-ng.conf", "onegate.txt"]);
    expect(io.out()).not.toContain("PRIVATE KEY");
  });

  it("refuses an expired client certificate, naming it and its date", async () => {
    const issued = new Date(Date.now() - 10 * DAY_MS);
    expect((await cli(["certs", "init", "--dir", "old"], { now: issued })).code).toBe(0);
    expect((await cli(["certs", "client", "--dir", "old", "--cn", "old-host", "--days", "2"], { now: issued })).code).toBe(0);
    const { code, io } = await cli(["client-config", "--cert", "old/client-old-host.pem"]);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/^error: old\/client-old-host\.pem: the client certificate CN=old-host expired on \S+ .*\[CLI_CERT_EXPIRED\]\n$/);
  });

  it("refuses a key that is not the certificate's", async () => {
    const { code, io } = await cli(["client-config", "--cert", ".data/tls/client.pem", "--key", ".data/tls/server.key"]);
    expect([code, io.err()]).toEqual([1, "error: .data/tls/server.key is not the private key of .data/tls/client.pem (CN=aws-syslog) [CLI_KEY_MISMATCH]\n"]);
  });
});

describe("client-config for a deployment", () => {
  it("trusts the system store and asks for no client certificate unless told", async () => {
    const { code, io } = await cli(["client-config", "rsyslog-ossl", "--host", "Syslog.Example.com"]);
    expect(code).toBe(0);
    expect(io.out()).toContain('target="syslog.example.com" port="6514"');
    expect(io.out()).toContain('StreamDriverPermittedPeers="syslog.example.com"');
    expect(io.out()).toContain('StreamDriver.CAFile="/etc/pki/tls/certs/ca-bundle.crt"');
    expect(io.out()).not.toContain("CertFile");
    const onegate = await cli(["client-config", "onegate", "--host", "syslog.example.com"]);
    expect(onegate.io.out()).toContain("none to upload: the receiver's certificate is publicly trusted (ACM)");
  });

  it("without --host and without development certificates, says how to make them", async () => {
    const { code, io } = await cli(["client-config"]);
    expect([code, io.err()]).toEqual([1, "error: .data/tls/ca.pem: no such file (the embedded default's CA: run pnpm start or pnpm cli certs init first, or name the receiver with --host) [CLI_FILE_NOT_FOUND]\n"]);
  });

  it("fails on a CA file that does not exist, or is not a certificate", async () => {
    const missing = await cli(["client-config", "--host", "syslog.example.com", "--ca", "nope.pem"]);
    expect([missing.code, missing.io.err()]).toEqual([1, "error: nope.pem: no such file [CLI_FILE_NOT_FOUND]\n"]);
    await writeFile(join(cwd, "key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    const key = await cli(["client-config", "--host", "syslog.example.com", "--ca", "key.pem"]);
    expect([key.code, key.io.err()]).toEqual([1, "error: key.pem holds a private key, not a certificate [CLI_NOT_A_CERTIFICATE]\n"]);
  });

  it.each([
    [["--host", "10.0.0.5"], /--peer is needed: .* 10\.0\.0\.5 is an IP address/],
    [["--host", "bad host"], /--host "bad host" is not a DNS name/],
    [["--host", "*.example.com"], /not a wildcard/],
    [["--port", "70000"], /--port must be a port number from 1 to 65535/],
    [["rsyslog-relp", "--relp-port", "0"], /--relp-port must be a port number from 1 to 65535/],
    [["syslog-ng", "--relp-port", "2514"], /--relp-port only applies to rsyslog-relp/],
    [["--auth", "x509/fingerprint"], /--auth must be x509\/name or anon/],
    [["--sender-dir", "etc/aws"], /--sender-dir must be an absolute path/],
    [["--sender-dir", '/etc/a"b'], /--sender-dir must be an absolute path without quotes/],
    [["rsyslog"], /unknown sender "rsyslog" \(expected rsyslog-ossl, rsyslog-gtls, rsyslog-relp, syslog-ng, onegate\)/],
    [["--syslog-ng-source", "s src"], /--syslog-ng-source must be a syslog-ng identifier/],
    [["--host", "x.example.com", "--auth", "anon", "--peer", "x.example.com"], /--peer applies only to --auth x509\/name/],
    [["--key", "k.key"], /--key needs --cert/],
    [["--force"], /--force only applies with --out/],
  ])("exits 2 on %j", async (args, message) => {
    const { code, io } = await cli(["client-config", ...args]);
    expect(code).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).toContain("[CLI_USAGE]");
  });

  it("with an IP address and --peer, checks that name", async () => {
    const { code, io } = await cli(["client-config", "rsyslog-ossl", "--host", "10.0.0.5", "--peer", "syslog.example.com"]);
    expect(code).toBe(0);
    expect(io.out()).toContain('target="10.0.0.5"');
    expect(io.out()).toContain('StreamDriverPermittedPeers="syslog.example.com"');
  });
});
