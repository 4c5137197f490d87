import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { expect } from "vitest";
import { parseRecord, type SyslogRecord } from "@aws-syslog/record";
import { loadConfig, startReceiver, type ReceiverHandle } from "@aws-syslog/receiver";
import { main } from "../../main.js";
import { fakeIo } from "../../testing/fake-io.js";
import { rsyslogdPath } from "./sender-daemons.js";

/**
 * A real rsyslogd running a drop-in written by `client-config --out`, delivering to the real
 * receiver: the receiver stores to a file sink and authenticates the sender by x509/name with
 * the `certs init` PKI (client certificate "aws-syslog"); the main rsyslog configuration around
 * the drop-in only adds a plain TCP input to feed messages in.
 */

/** How long rsyslog may take to start, connect and forward: generous for a loaded CI machine. */
const DELIVERY_TIMEOUT_MS = 60_000;

export interface DeliveryReceiver {
  /** The working directory `certs init` and `client-config` run in. */
  readonly cwd: string;
  readonly receiver: ReceiverHandle;
  /** Kills any rsyslogd still running, stops the receiver and removes cwd. */
  stop(): Promise<void>;
  /**
   * Runs rsyslogd with `dropInFile` (already written under `dir`) included, sends `count`
   * RFC 5424 lines "`tag` seq=N" into its plain input and waits until the receiver stored them
   * all; fails with rsyslogd's output otherwise. Returns the stored records of that tag.
   */
  deliver(options: { dir: string; dropInFile: string; tag: string; count: number }): Promise<SyslogRecord[]>;
}

/** `listener`: the receiver's listener ports to open ("0"), e.g. { tlsPort: "0" }; the rest stay off. */
export async function startDeliveryReceiver(tempPrefix: string, listener: { tlsPort?: string; relpTlsPort?: string }): Promise<DeliveryReceiver> {
  const cwd = await mkdtemp(join(tmpdir(), tempPrefix));
  const outFile = join(cwd, "received.ndjson");
  let receiver: ReceiverHandle;
  try {
    expect(await main(["certs", "init"], fakeIo({ cwd }))).toBe(0);
    const tls = (f: string) => join(cwd, ".data/tls", f);
    receiver = await startReceiver(
      loadConfig({}, {
        host: "127.0.0.1", tlsPort: "off", tcpPort: "off", ...listener, healthPort: "off", tlsWatchFiles: "false", logLevel: "silent",
        tlsCertFile: tls("server.pem"), tlsKeyFile: tls("server.key"), tlsCaFile: tls("ca.pem"),
        tlsAuthMode: "x509/name", tlsPermittedPeers: "aws-syslog", sink: "file", outFile,
      }),
      { logger: pino({ level: "silent" }) },
    );
  } catch (err) {
    await rm(cwd, { recursive: true, force: true });
    throw err;
  }
  const daemons: ChildProcess[] = [];

  async function storedLines(tag: string): Promise<string[]> {
    const text = await readFile(outFile, "utf8").catch(() => "");
    return text.split("\n").filter((l) => l.includes(tag));
  }

  async function deliver(options: { dir: string; dropInFile: string; tag: string; count: number }): Promise<SyslogRecord[]> {
    const { dir, tag, count } = options;
    await mkdir(join(dir, "work"), { recursive: true });
    const portFile = join(dir, "inject.port");
    await writeFile(join(dir, "rsyslog.conf"), [
      `global(workDirectory="${join(dir, "work")}" localHostName="delivery-test")`,
      `module(load="imtcp")`,
      `input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="${portFile}")`,
      `include(file="${options.dropInFile}")`,
      "",
    ].join("\n"));
    const daemon = spawn(rsyslogdPath(), ["-n", "-f", join(dir, "rsyslog.conf"), "-i", join(dir, "rsyslogd.pid")], { stdio: ["ignore", "pipe", "pipe"] });
    daemons.push(daemon);
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
      await sendPlain(injectPort, Array.from({ length: count }, (_, i) => `<14>1 2026-11-23T12:00:00.000Z web01 app - - - ${tag} seq=${i + 1}`));
      while ((await storedLines(tag)).length < count && Date.now() < deadline && daemon.exitCode === null) await sleep(100);
      expect((await storedLines(tag)).length, `rsyslogd output:\n${logs}`).toBe(count);
      return (await storedLines(tag)).map((l) => parseRecord(l));
    } finally {
      daemon.kill("SIGTERM");
      await Promise.race([new Promise((r) => daemon.once("exit", r)), sleep(5_000)]);
    }
  }

  return {
    cwd,
    receiver,
    deliver,
    stop: async () => {
      for (const d of daemons) if (d.exitCode === null && d.signalCode === null) d.kill("SIGKILL");
      await receiver.stop();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

function sendPlain(port: number, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port }, () => s.end(lines.map((l) => `${l}\n`).join(""), () => resolve()));
    s.once("error", reject);
  });
}
