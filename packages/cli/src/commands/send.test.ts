import { readFile, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecord, type SyslogRecord } from "@aws-syslog/record";
import { loadConfig, startReceiver, type ReceiverHandle } from "@aws-syslog/receiver";
import { DAY_MS } from "../certs/certificate-authority.js";
import { main } from "../main.js";
import { fakeIo, type FakeIo } from "../testing/fake-io.js";

/**
 * `send` against the real receiver, started in-process on a loopback port with a file sink:
 * the receiver is stopped (which flushes its sink) before the file is read, so every record
 * that arrived is counted, and each sequence number must be there exactly once.
 */
let cwd: string;
const tls = (f: string) => join(cwd, ".data/tls", f);

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-send-"));
  expect(await main(["certs", "init"], fakeIo({ cwd }))).toBe(0);
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

let receivers = 0;
async function receiver(auth: "anon" | "x509/name" = "anon"): Promise<{ port: number; records(): Promise<SyslogRecord[]>; handle: ReceiverHandle }> {
  const outFile = join(cwd, `received-${++receivers}.ndjson`);
  const config = loadConfig({}, {
    host: "127.0.0.1", tlsPort: "0", tcpPort: "off", healthPort: "off", tlsWatchFiles: "false", logLevel: "silent",
    tlsCertFile: tls("server.pem"), tlsKeyFile: tls("server.key"), tlsCaFile: tls("ca.pem"),
    sink: "file", outFile,
    ...(auth === "x509/name" ? { tlsAuthMode: "x509/name", tlsPermittedPeers: "aws-syslog" } : {}),
  });
  const handle = await startReceiver(config, { logger: pino({ level: "silent" }) });
  return {
    port: handle.addresses.tls!.port,
    handle,
    records: async () => {
      expect(await handle.stop()).toBe(true);
      const text = await readFile(outFile, "utf8");
      return text.split("\n").filter(Boolean).map((l) => parseRecord(l));
    },
  };
}

async function cli(argv: string[], options: { now?: Date; tty?: boolean } = {}): Promise<{ code: number; io: FakeIo }> {
  const io = fakeIo({ cwd, ...options });
  return { code: await main(["send", ...argv], io), io };
}

const seqs = (records: SyslogRecord[]) => records.map((r) => Number(/ (\d+)\/\d+ run=/.exec(r.message)?.[1])).sort((a, b) => a - b);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("send to a real receiver", () => {
  it("delivers N RFC 5424 messages, octet-counted, and says so", async () => {
    const r = await receiver();
    const { code, io } = await cli(["--host", "127.0.0.1", "--port", String(r.port), "--ca", ".data/tls/ca.pem", "--count", "500", "--hostname", "web01"]);
    expect([code, io.err()]).toEqual([0, ""]);
    const records = await r.records();
    expect(records).toHaveLength(500);
    expect(seqs(records)).toEqual(oneToN(500));
    const run = /^run ([0-9a-f]{8}):/m.exec(io.out())![1]!;
    expect(records.every((x) => x.format === "rfc5424" && x.hostname === "web01" && x.facility_name === "user" && x.severity_name === "info")).toBe(true);
    expect(records[0]!.structured_data).toEqual({ "aws-syslog-test@32473": { run, seq: expect.any(String) } });
    expect(io.out()).toMatch(/^sent 500 of 500 messages to 127\.0\.0\.1:\d+ in [\d.]+ s \(\d+ msg\/s, \d+ bytes, rfc5424, octet-counted\)$/m);
    expect(io.out()).toMatch(/^TLS TLSv1\.3 \S+, receiver CN=localhost, no client certificate$/m);
  });

  it("delivers RFC 3164 with LF framing at a rate, with a progress bar on a terminal", async () => {
    const r = await receiver();
    const { code, io } = await cli(["--host", "127.0.0.1", "--port", String(r.port), "--ca", ".data/tls/ca.pem", "--format", "rfc3164", "--framing", "lf", "--count", "40", "--rate", "2000"], { tty: true });
    expect(code).toBe(0);
    const records = await r.records();
    expect(seqs(records)).toEqual(oneToN(40));
    expect(records.every((x) => x.format === "rfc3164" && x.app_name === "aws-syslog-send")).toBe(true);
    expect(io.err()).toContain("[########################] 100%  40/40");
    expect(io.out()).toContain("\u001b[32msent\u001b[39m 40 of 40"); // colour only because it is a terminal
  });

  it("sends OneGate-shaped JSON from local0 with the client certificate to a receiver that requires it", async () => {
    const r = await receiver("x509/name");
    const { code, io } = await cli(["--port", String(r.port), "--format", "onegate", "--count", "25", "--json"]); // embedded defaults: CA and client.pem from .data/tls
    expect([code, io.err()]).toEqual([0, ""]);
    const summary = JSON.parse(io.out());
    expect(summary).toMatchObject({ host: "127.0.0.1", sent: 25, total: 25, format: "onegate", receiverClosed: true, tls: { clientCertificate: "CN=aws-syslog" } });
    const records = await r.records();
    expect(seqs(records)).toEqual(oneToN(25));
    for (const x of records) {
      expect(x).toMatchObject({ facility_name: "local0", app_name: "onegate", tls_peer: "aws-syslog", message_json: { run: summary.runId, event: "authentication" } });
    }
  });
});

describe("send failures", () => {
  it("CLI_TLS_FAILED when the receiver requires a client certificate and none is given", async () => {
    const r = await receiver("x509/name");
    const { code, io } = await cli(["--host", "127.0.0.1", "--port", String(r.port), "--ca", ".data/tls/ca.pem", "--count", "3"]);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/^error: TLS with 127\.0\.0\.1:\d+ failed: the receiver requires a client certificate \(--cert, --key\) \[ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\]; \d of 3 messages were written before \(run [0-9a-f]{8}\) \[CLI_TLS_FAILED\]\n$/);
    await r.handle.stop();
  });

  it("CLI_TLS_FAILED when the receiver's certificate is from a CA not trusted", async () => {
    expect(await main(["certs", "init", "--dir", "other"], fakeIo({ cwd }))).toBe(0);
    const r = await receiver();
    const { code, io } = await cli(["--host", "127.0.0.1", "--port", String(r.port), "--ca", "other/ca.pem"]);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/^error: TLS with 127\.0\.0\.1:\d+ failed: the receiver's certificate chains to a CA that is not in --ca \[SELF_SIGNED_CERT_IN_CHAIN\] \[CLI_TLS_FAILED\]\n$/);
    await r.handle.stop();
  });

  it("CLI_CONNECT_FAILED when nothing listens", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const { code, io } = await cli(["--port", String(port)]);
    expect([code, io.err()]).toEqual([1, `error: cannot connect to 127.0.0.1:${port}: connection refused (is the receiver running and listening on that port?) [CLI_CONNECT_FAILED]\n`]);
  });

  it("CLI_CERT_EXPIRED before connecting when the client certificate has expired", async () => {
    expect(await main(["certs", "init", "--dir", "old"], fakeIo({ cwd, now: new Date(Date.now() - 10 * DAY_MS) }))).toBe(0);
    expect(await main(["certs", "client", "--dir", "old", "--cn", "old", "--days", "1"], fakeIo({ cwd, now: new Date(Date.now() - 10 * DAY_MS) }))).toBe(0);
    const { code, io } = await cli(["--port", "9", "--cert", "old/client-old.pem"]);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/^error: old\/client-old\.pem: the client certificate CN=old expired on .*\[CLI_CERT_EXPIRED\]\n$/);
  });

  it("CLI_FILE_NOT_FOUND for a missing CA file", async () => {
    const { code, io } = await cli(["--host", "127.0.0.1", "--ca", "missing.pem"]);
    expect([code, io.err()]).toEqual([1, "error: missing.pem: no such file [CLI_FILE_NOT_FOUND]\n"]);
  });

  it.each([
    [["--count", "0"], /--count must be a whole number from 1 to 10000000/],
    [["--count", "2.5"], /--count must be a whole number/],
    [["--rate", "fast"], /--rate must be a number from above 0/],
    [["--format", "cef"], /--format must be rfc5424, rfc3164, onegate/],
    [["--framing", "octet"], /--framing must be octet-counted, lf/],
    [["--facility", "local9"], /--facility must be one of kern, .* or 0–23/],
    [["--severity", "8"], /--severity must be one of emerg, .* or 0–7/],
    [["--hostname", "two words"], /--hostname must be 1–255 printable ASCII characters without spaces/],
    [["--message", "a\nb"], /--message must be one line/],
    [["hello"], /unexpected argument "hello"/],
  ])("exits 2 on %j", async (args, message) => {
    const { code, io } = await cli(args);
    expect(code).toBe(2);
    expect(io.err()).toMatch(message);
  });
});
