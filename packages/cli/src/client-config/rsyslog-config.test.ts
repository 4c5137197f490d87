import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo } from "../testing/fake-io.js";
import { RSYSLOG_DRIVERS, rsyslogConfig, type RsyslogDriver } from "./rsyslog-config.js";
import type { SenderAuthMode } from "./sender-target.js";
import { testSenderTarget } from "./testing/test-sender-target.js";
import { validateRsyslogDropIn } from "./testing/validate-rsyslog-drop-in.js";

/**
 * Every variant of the generated drop-in is checked by the real rsyslogd (-N1: parse, load
 * the modules and drivers, check every parameter name and value) inside a main configuration
 * like a distribution's: global() with a work directory, then include() of the drop-in.
 */
let cwd: string;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-rsyslog-"));
  expect(await main(["certs", "init"], fakeIo({ cwd }))).toBe(0);
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe("rsyslog drop-in, validated by rsyslogd -N1", () => {
  const cases: [RsyslogDriver, SenderAuthMode, boolean][] = RSYSLOG_DRIVERS.flatMap((d) =>
    (["x509/name", "anon"] as const).flatMap((a) => [true, false].map((c) => [d, a, c] as [RsyslogDriver, SenderAuthMode, boolean])),
  );

  it.each(cases)("%s, auth %s, client certificate %s", async (driver, auth, client) => {
    const conf = rsyslogConfig(await testSenderTarget(cwd, { auth, client }), driver);
    const result = await validateRsyslogDropIn(join(cwd, `${driver}-${auth.replace("/", "-")}-${client}`), conf);
    expect(result.output).toContain("End of config validation run");
    expect(result.output).not.toMatch(/error|warning/i);
    expect(result.status).toBe(0);
    // What the issue asks of it, as rsyslog reads it.
    expect(conf).toContain(`StreamDriver="${driver}" StreamDriverMode="1"`);
    expect(conf).toContain('TCP_Framing="octet-counted"');
    expect(conf).toContain('template="RSYSLOG_SyslogProtocol23Format"');
    expect(conf).toMatch(/queue\.type="LinkedList" queue\.filename="aws-syslog"/); // LinkedList + filename = disk-assisted
    expect(conf).toContain('queue.saveOnShutdown="on"');
    if (auth === "x509/name") expect(conf).toContain('StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"');
    else expect(conf).toContain('StreamDriverAuthMode="anon"');
    expect(conf.includes("StreamDriver.CertFile")).toBe(client);
  });

  it("names the deployment host, port and peer", async () => {
    const conf = rsyslogConfig({ ...(await testSenderTarget(cwd, { auth: "x509/name", client: false, host: "syslog.example.com" })), port: 10514 }, "ossl");
    expect(conf).toContain('target="syslog.example.com" port="10514" protocol="tcp"');
    expect(conf).toContain('StreamDriverPermittedPeers="syslog.example.com"');
    expect(conf).toContain(`StreamDriver.CAFile="${join(cwd, "sender-files", "ca.pem")}"`);
    expect((await validateRsyslogDropIn(join(cwd, "deployment"), conf)).status).toBe(0);
  });

  it("the check itself fails on a broken drop-in (so a pass means something)", async () => {
    const conf = rsyslogConfig(await testSenderTarget(cwd, { auth: "x509/name", client: true }), "ossl").replace("TCP_Framing", "TCP_Framin");
    const result = await validateRsyslogDropIn(join(cwd, "broken"), conf);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("TCP_Framin");
  });
});
