import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { pino } from "pino";
import type { SyslogRecord } from "@aws-syslog/record";
import { loadConfig } from "../src/config.js";
import { startReceiver, type ReceiverHandle, type ReceiverOptions } from "../src/receiver.js";
import type { Pki } from "./pki.js";

/** A receiver on 127.0.0.1 port 0 with a file sink in a temp dir, and captured JSON logs. */
export interface TestReceiver {
  handle: ReceiverHandle;
  outFile: string;
  logs: Array<Record<string, unknown>>;
  records(): SyslogRecord[];
  tlsPort: number;
  tcpPort: number;
}

export async function startTestReceiver(pki: Pki, env: Record<string, string> = {}, options: ReceiverOptions = {}): Promise<TestReceiver> {
  const outFile = join(mkdtempSync(join(tmpdir(), "receiver-out-")), "out.ndjson");
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      cb();
    },
  });
  const config = loadConfig({
    RECEIVER_HOST: "127.0.0.1",
    RECEIVER_TLS_PORT: "0",
    RECEIVER_HEALTH_PORT: "0",
    RECEIVER_TLS_CERT_FILE: pki.server.certFile,
    RECEIVER_TLS_KEY_FILE: pki.server.keyFile,
    RECEIVER_TLS_CA_FILE: pki.caFile,
    RECEIVER_SINK: "file",
    RECEIVER_OUT_FILE: outFile,
    RECEIVER_DRAIN_TIMEOUT_MS: "3000",
    LOG_LEVEL: "debug",
    ...env,
  });
  const handle = await startReceiver(config, { logger: pino({ level: "debug" }, stream), ...options });
  return {
    handle,
    outFile,
    logs,
    records: () => (existsSync(outFile) ? readFileSync(outFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as SyslogRecord) : []),
    tlsPort: handle.addresses.tls?.port ?? 0,
    tcpPort: handle.addresses.tcp?.port ?? 0,
  };
}

export function tlsClient(port: number, pki: Pki, options: Partial<ConnectionOptions> = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port, ca: pki.ca, servername: "localhost", ...options }, () => resolve(socket));
    socket.once("error", reject);
  });
}

export function tcpClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Resolves when the socket closes (by either side); with a bounded wait. */
export function closed(socket: Socket, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve();
    const t = setTimeout(() => reject(new Error("socket did not close")), ms);
    socket.once("close", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Polls until `check` returns true, at most `ms`. */
export async function until(check: () => boolean, ms = 5_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function octet(msg: string): string {
  return `${Buffer.byteLength(msg)} ${msg}`;
}
