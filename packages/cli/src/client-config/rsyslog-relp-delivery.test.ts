import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecord } from "@aws-syslog/record";
import { loadConfig, startReceiver, type ReceiverHandle } from "@aws-syslog/receiver";
import { main } from "../main.js";
import { fakeIo } from "../testing/fake-io.js";
import { rsyslogdPath } from "./testing/sender-daemons.js";

/**
 * The generated omrelp drop-in delivers: a real rsyslogd running it, as written by
 * `client-config rsyslog-relp --out`, sends over RELP with TLS (x509/name both ways, client
 * certificate) to the real receiver's RELP-TLS listener, which acknowledges each message once
 * the file sink stored it. The main configuration around the drop-in only adds a plain TCP
 * input to feed messages in.
 */
const COUNT = 50;
/** How long rsyslog may take to start, connect and forward: generous for a loaded CI machine. */
const DELIVERY_TIMEOUT_MS = 60_000;
let cwd: string;
let receiver: ReceiverHandle;
let outFile: string;
let rsyslogd: ChildProcess | undefined;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-relp-delivery-"));
  expect(await main(["certs", "init"], fakeIo({ cwd }))).toBe(0);
  outFile = join(cwd, "received.ndjson");
  const tls = (f: string) => join(cwd, ".data/tls", f);
  receiver = await startReceiver(
    loadConfig({}, {
      host: "127.0.0.1", tlsPort: "off", tcpPort: "off", relpTlsPort: "0", healthPort: "off", tlsWatchFiles: "false", logLevel: "silent",
      tlsCertFile: tls("server.pem"), tlsKeyFile: tls("server.key"), tlsCaFile: tls("ca.pem"),
      tlsAuthMode: "x509/name", tlsPermittedPeers: "aws-syslog", sink: "file", outFile,
    }),
    { logger: pino({ level: "silent" }) },
  );
});

afterAll(async () => {
  if (rsyslogd && rsyslogd.exitCode === null && rsyslogd.signalCode === null) rsyslogd.kill("SIGKILL");
  await receiver?.stop();
  await rm(cwd, { recursive: true, force: true });
});

async function receivedWith(tag: string): Promise<number> {
  const text = await readFile(outFile, "utf8").catch(() => "");
  return text.split("\n").filter((l) => l.includes(tag)).length;
}

function sendPlain(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port }, () => s.end(lines.map((l) => `${l}\n`).join(""), () => resolve()));
    s.once("error", reject);
  });
}

describe("rsyslog with the generated omrelp drop-in delivers to the receiver's RELP-TLS listener", () => {
  it("x509/name both ways, client certificate, acknowledged after the file sink", async () => {
    const dir = join(cwd, "relp");
    await mkdir(join(dir, "work"), { recursive: true });
    const port = receiver.addresses.relpTls!.port;
    expect(await main(["client-config", "rsyslog-relp", "--out", join(dir, "files"), "--sender-dir", join(dir, "files"), "--relp-port", String(port)], fakeIo({ cwd }))).toBe(0);
    const portFile = join(dir, "inject.port");
    await writeFile(join(dir, "rsyslog.conf"), [
      `global(workDirectory="${join(dir, "work")}" localHostName="delivery-test")`,
      `module(load="imtcp")`,
      `input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="${portFile}")`,
      `include(file="${join(dir, "files", "rsyslog-relp.conf")}")`,
      "",
    ].join("\n"));
    const daemon = spawn(rsyslogdPath(), ["-n", "-f", join(dir, "rsyslog.conf"), "-i", join(dir, "rsyslogd.pid")], { stdio: ["ignore", "pipe", "pipe"] });
    rsyslogd = daemon;
    let logs = "";
    daemon.stdout!.on("data", (c: Buffer) => (logs += c.toString()));
    daemon.stderr!.on("data", (c: Buffer) => (logs += c.toString()));
    try {
      const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
      let injectPort = 0;
      while (injectPort === 0 && Date.now() < deadline && daemon.exitCode === null) {
        injectPort = Number((await readFile(portFile, "utf8").catch(() => "")).trim()) || 0;
        if (injectPort === 0) await sleep(50);
      }
      expect(injectPort, `rsyslogd did not open its input:\n${logs}`).toBeGreaterThan(0);
      const tag = `relp-delivery-${process.pid}`;
      await sendPlain(injectPort, Array.from({ length: COUNT }, (_, i) => `<14>1 2026-11-23T12:00:00.000Z web01 app - - - ${tag} seq=${i + 1}`));
      while ((await receivedWith(tag)) < COUNT && Date.now() < deadline && daemon.exitCode === null) await sleep(100);
      expect(await receivedWith(tag), `rsyslogd output:\n${logs}`).toBe(COUNT);
      const records = (await readFile(outFile, "utf8")).split("\n").filter((l) => l.includes(tag)).map((l) => parseRecord(l));
      expect(records.every((r) => r.format === "rfc5424" && r.hostname === "web01" && r.listener === "relp-tls" && r.tls_peer === "aws-syslog")).toBe(true);
      expect(records.map((r) => r.message).sort()).toEqual(Array.from({ length: COUNT }, (_, i) => `${tag} seq=${i + 1}`).sort());
    } finally {
      daemon.kill("SIGTERM");
      await Promise.race([new Promise((r) => daemon.once("exit", r)), sleep(5_000)]);
    }
  }, 90_000);
});
