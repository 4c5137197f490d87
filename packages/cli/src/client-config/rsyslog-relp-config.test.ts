import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo } from "../testing/fake-io.js";
import { RELP_PORT, RELP_WINDOW_SIZE, rsyslogRelpConfig } from "./rsyslog-relp-config.js";
import type { SenderAuthMode } from "./sender-target.js";
import { testSenderTarget } from "./testing/test-sender-target.js";
import { validateRsyslogDropIn } from "./testing/validate-rsyslog-drop-in.js";

/**
 * Every variant of the omrelp drop-in is checked by the real rsyslogd -N1 (Debian rsyslog-relp:
 * the module loads, librelp takes tls.tlslib="openssl", every parameter name and value is known)
 * inside a main configuration like a distribution's.
 */
let cwd: string;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-relp-"));
  expect(await main(["certs", "init"], fakeIo({ cwd }))).toBe(0);
  // omrelp checks at -N1 that its TLS files exist: put them where the drop-ins say, as --out does.
  const files = join(cwd, "sender-files");
  expect(await main(["client-config", "rsyslog-relp", "--out", files, "--sender-dir", files], fakeIo({ cwd }))).toBe(0);
  expect((await readdir(files)).sort()).toEqual(["ca.pem", "client.key", "client.pem", "rsyslog-relp.conf"]);
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe("rsyslog omrelp drop-in, validated by rsyslogd -N1", () => {
  const cases = (["x509/name", "anon"] as const).flatMap((a) => [true, false].map((c) => [a, c] as [SenderAuthMode, boolean]));

  it.each(cases)("auth %s, client certificate %s", async (auth, client) => {
    const conf = rsyslogRelpConfig(await testSenderTarget(cwd, { auth, client }), RELP_PORT);
    const result = await validateRsyslogDropIn(join(cwd, `relp-${auth.replace("/", "-")}-${client}`), conf);
    expect(result.output, result.output).toContain("End of config validation run");
    expect(result.output).not.toMatch(/error|warning/i);
    expect(result.status).toBe(0);
    expect(conf).toContain('module(load="omrelp" tls.tlslib="openssl")');
    expect(conf).toContain('type="omrelp"');
    expect(conf).toContain('target="127.0.0.1" port="2514"');
    expect(conf).toContain('tls="on"');
    expect(conf).toContain(`windowSize="${RELP_WINDOW_SIZE}"`);
    expect(conf).toContain('template="RSYSLOG_SyslogProtocol23Format"');
    expect(conf).toMatch(/queue\.type="LinkedList" queue\.filename="aws-syslog-relp"/); // disk-assisted
    expect(conf).toContain('queue.saveOnShutdown="on"');
    expect(conf).toContain('action.resumeRetryCount="-1"');
    expect(conf).toContain(`tls.caCert="${join(cwd, "sender-files", "ca.pem")}"`);
    if (auth === "x509/name") expect(conf).toContain('tls.authMode="name" tls.permittedPeer=["localhost"]');
    else expect(conf).not.toContain('tls.authMode="'); // omrelp's anonymous mode: it refuses "anon"
    expect(conf.includes("tls.myCert")).toBe(client);
    expect(conf.includes("tls.myPrivKey")).toBe(client);
  });

  it("names the deployment host, RELP port and peer; the system trust store for an ACM certificate", async () => {
    const conf = rsyslogRelpConfig(await testSenderTarget(cwd, { auth: "x509/name", client: false, host: "syslog.example.com", ca: "system" }), 12514);
    expect(conf).toContain('target="syslog.example.com" port="12514"');
    expect(conf).toContain('tls.permittedPeer=["syslog.example.com"]');
    expect(conf).toContain('tls.caCert="/etc/pki/tls/certs/ca-bundle.crt"');
  });

  it("the check itself fails on a broken drop-in (so a pass means something)", async () => {
    const conf = rsyslogRelpConfig(await testSenderTarget(cwd, { auth: "x509/name", client: true }), RELP_PORT).replace('windowSize="', 'windowSise="');
    const result = await validateRsyslogDropIn(join(cwd, "relp-broken"), conf);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("windowSise");
  });
});

describe("client-config rsyslog-relp", () => {
  it("prints the drop-in with --relp-port, and refuses a bad one or one without rsyslog-relp", async () => {
    const out: string[] = [];
    const io = fakeIo({ cwd });
    expect(await main(["client-config", "rsyslog-relp", "--relp-port", "3514"], io)).toBe(0);
    out.push(io.out());
    expect(out[0]).toContain('port="3514"');
    const bad = fakeIo({ cwd });
    expect(await main(["client-config", "rsyslog-relp", "--relp-port", "70000"], bad)).toBe(2);
    expect(bad.err()).toMatch(/--relp-port must be a port number/);
    const other = fakeIo({ cwd });
    expect(await main(["client-config", "rsyslog-ossl", "--relp-port", "2514"], other)).toBe(2);
    expect(other.err()).toMatch(/--relp-port only applies to rsyslog-relp/);
  });
});
