import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo } from "../testing/fake-io.js";
import { resolveSenderTarget } from "./resolve-sender-target.js";
import { RSYSLOG_DRIVERS, rsyslogConfig, type RsyslogDriver } from "./rsyslog-config.js";
import type { SenderAuthMode, SenderTarget } from "./sender-target.js";
import { rsyslogdPath } from "./testing/sender-daemons.js";

/**
 * Every variant of the generated drop-in is checked by the real rsyslogd (-N1: parse, load
 * the modules and drivers, check every parameter name and value) inside a main configuration
 * like a distribution's: global() with a work directory, then include() of the drop-in.
 */
let cwd: string;
const rsyslogd = rsyslogdPath();

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-rsyslog-"));
  expect(await main(["certs", "init"], fakeIo({ cwd }))).toBe(0);
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

async function target(options: { auth: SenderAuthMode; client: boolean; host?: string }): Promise<SenderTarget> {
  const { target } = await resolveSenderTarget(
    {
      auth: options.auth,
      ...(options.host ? { host: options.host, ca: ".data/tls/ca.pem" } : {}),
      ...(options.client ? { cert: ".data/tls/client.pem" } : {}),
      senderDir: join(cwd, "sender-files"),
    },
    fakeIo({ cwd }),
  );
  return options.client ? target : { ...target, client: null };
}

async function validate(name: string, dropIn: string): Promise<{ status: number | null; output: string }> {
  const dir = join(cwd, name);
  await mkdir(join(dir, "work"), { recursive: true });
  await writeFile(join(dir, "90-aws-syslog.conf"), dropIn);
  await writeFile(join(dir, "rsyslog.conf"), `global(workDirectory="${join(dir, "work")}")\ninclude(file="${join(dir, "90-aws-syslog.conf")}")\n`);
  const r = spawnSync(rsyslogd, ["-N1", "-f", join(dir, "rsyslog.conf")], { encoding: "utf8", timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("rsyslog drop-in, validated by rsyslogd -N1", () => {
  const cases: [RsyslogDriver, SenderAuthMode, boolean][] = RSYSLOG_DRIVERS.flatMap((d) =>
    (["x509/name", "anon"] as const).flatMap((a) => [true, false].map((c) => [d, a, c] as [RsyslogDriver, SenderAuthMode, boolean])),
  );

  it.each(cases)("%s, auth %s, client certificate %s", async (driver, auth, client) => {
    const conf = rsyslogConfig(await target({ auth, client }), driver);
    const result = await validate(`${driver}-${auth.replace("/", "-")}-${client}`, conf);
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
    const conf = rsyslogConfig({ ...(await target({ auth: "x509/name", client: false, host: "syslog.example.com" })), port: 10514 }, "ossl");
    expect(conf).toContain('target="syslog.example.com" port="10514" protocol="tcp"');
    expect(conf).toContain('StreamDriverPermittedPeers="syslog.example.com"');
    expect(conf).toContain(`StreamDriver.CAFile="${join(cwd, "sender-files", "ca.pem")}"`);
    expect((await validate("deployment", conf)).status).toBe(0);
  });

  it("the check itself fails on a broken drop-in (so a pass means something)", async () => {
    const conf = rsyslogConfig(await target({ auth: "x509/name", client: true }), "ossl").replace("TCP_Framing", "TCP_Framin");
    const result = await validate("broken", conf);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("TCP_Framin");
  });
});
