/**
 * CPU and bytes of the Firehose sink for 300-byte schema-v1 lines, against a file WriteStream
 * (what the file sink does) in the same run. Run: pnpm vitest bench --run packages/receiver/src/sinks/firehose/firehose.bench.ts
 *
 * The client answers at once (no HTTP), so the figures are the sink's own cost: packing,
 * gzip (libuv pool, counted: process.cpuUsage covers every thread) and building requests.
 * Results are printed per case as µs of CPU per line and bytes per payload byte.
 */
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import pino from "pino";
import { afterAll, bench, describe } from "vitest";
import { startFakeFirehose } from "../../../../../tests/fakes/firehose-server.js";
import { Registry } from "../../metrics.js";
import type { Sink } from "../sink.js";
import { firehoseSinkConfigSchema } from "./config.js";
import { createFirehoseSink, FirehoseSink } from "./firehose-sink.js";

const LINES = 50_000;

function line(n: number): string {
  const base = {
    v: 1, received_at: "2026-11-23T11:44:54.123Z", timestamp: "2026-11-23T20:44:54.120+09:00", facility: 16, severity: 6,
    facility_name: "local0", severity_name: "info", hostname: `host-${n % 50}`, app_name: "sshd", proc_id: String(1000 + (n % 5000)),
    msg_id: null, structured_data: null, message: "", message_json: null, format: "rfc5424",
    source_ip: `10.0.${n % 250}.${n % 200}`, source_port: 40000 + (n % 20000), tls_peer: null, listener: "tls", raw: null,
  };
  const pad = 300 - Buffer.byteLength(JSON.stringify(base) + "\n");
  const words = `Accepted publickey for user${n % 300} from 10.0.${n % 250}.${n % 200} port ${50000 + (n % 9999)} ssh2: ED25519 SHA256:${(n * 2654435761).toString(36)}`;
  return JSON.stringify({ ...base, message: words.padEnd(pad, " ").slice(0, pad) }) + "\n";
}
const lines = Array.from({ length: LINES }, (_, n) => line(n));
const payloadBytes = lines.reduce((a, l) => a + Buffer.byteLength(l), 0);

const acceptAll = {
  send: async (cmd: PutRecordBatchCommand) => ({ FailedPutCount: 0, RequestResponses: cmd.input.Records!.map(() => ({ RecordId: "r" })), $metadata: {} }),
  destroy: () => {},
} as unknown as FirehoseClient;

function drain(sink: Sink): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off("drain", done);
      resolve();
    };
    sink.on("drain", done);
  });
}

const results: Record<string, { cpuUs: number; lines: number; extra?: string }> = {};
function measure(name: string, fn: () => Promise<string | void>) {
  return async () => {
    const before = process.cpuUsage();
    const extra = await fn();
    const d = process.cpuUsage(before);
    const r = (results[name] ??= { cpuUs: 0, lines: 0 });
    r.cpuUs += d.user + d.system;
    r.lines += LINES;
    if (extra) r.extra = extra;
  };
}

describe(`${LINES} lines of 300 bytes`, () => {
  for (const level of [1, 6]) {
    const name = `firehose sink, gzip level ${level}`;
    bench(
      name,
      measure(name, async () => {
        const metrics = new Registry();
        const sink = new FirehoseSink(firehoseSinkConfigSchema.parse({ streams: "s", gzipLevel: level }), { client: acceptAll, logger: pino({ level: "silent" }), metrics });
        for (const l of lines) sink.write(l);
        await sink.close();
        const m = metrics.toJSON();
        const compressed = m.receiver_firehose_compressed_bytes_total![""]!;
        const billed = m.receiver_firehose_billed_bytes_total![""]!;
        return `compressed/payload ${(compressed / payloadBytes).toFixed(3)}, billed/payload ${(billed / payloadBytes).toFixed(3)} (one record per line: ${(Math.ceil(300 / 5120) * 5120 / 300).toFixed(1)})`;
      }),
      { iterations: 5, warmupIterations: 1 },
    );
  }
  // The connection's fast path: lines written as bytes into the open record (ByteSink), no
  // string; here copied from pre-encoded Buffers, so the figure is the sink's own cost.
  const encoded = lines.map((l) => Buffer.from(l, "utf8"));
  const bytesName = "firehose sink, bytes via reserve/commit, gzip level 1";
  bench(
    bytesName,
    measure(bytesName, async () => {
      const sink = new FirehoseSink(firehoseSinkConfigSchema.parse({ streams: "s" }), { client: acceptAll, logger: pino({ level: "silent" }), metrics: new Registry() });
      for (const b of encoded) {
        const out = sink.reserve(b.length);
        out.set(b, sink.reservedAt);
        sink.commit(b.length);
      }
      await sink.close();
    }),
    { iterations: 5, warmupIterations: 1 },
  );
  const fileName = "file WriteStream";
  bench(
    fileName,
    measure(fileName, async () => {
      const path = join(tmpdir(), `firehose-bench-${process.pid}.ndjson`);
      const out = createWriteStream(path);
      for (const l of lines) if (!out.write(l)) await new Promise<void>((r) => out.once("drain", () => r()));
      await new Promise<void>((r) => out.end(() => r()));
      await rm(path, { force: true });
    }),
    { iterations: 5, warmupIterations: 1 },
  );
});

/** Through the real SDK to the fake endpoint on loopback (its CPU is in this process too, so
 * the µs/line is an upper bound), and the time from write to ack at the default linger for a
 * steady 2,000 lines/s. */
describe("real SDK to the fake Firehose on loopback", () => {
  const name = "firehose sink via SDK + HTTP, gzip level 1";
  bench(
    name,
    measure(name, async () => {
      const fake = await startFakeFirehose();
      process.env.AWS_ENDPOINT_URL_FIREHOSE = fake.url;
      process.env.AWS_REGION = "us-east-1";
      process.env.AWS_ACCESS_KEY_ID = "test";
      process.env.AWS_SECRET_ACCESS_KEY = "test";
      const sink = createFirehoseSink(firehoseSinkConfigSchema.parse({ streams: "s" }), { logger: pino({ level: "silent" }), metrics: new Registry() });
      for (const l of lines) if (!sink.write(l)) await drain(sink);
      await sink.close();
      await fake.close();
    }),
    { iterations: 3, warmupIterations: 1 },
  );
  bench(
    "latency write → ack at lingerMs 1000, 2,000 lines/s for 5 s",
    async () => {
      const fake = await startFakeFirehose();
      process.env.AWS_ENDPOINT_URL_FIREHOSE = fake.url;
      const sink = createFirehoseSink(firehoseSinkConfigSchema.parse({ streams: "s" }), { logger: pino({ level: "silent" }), metrics: new Registry() });
      const latencies: number[] = [];
      for (let tick = 0; tick < 500; tick += 1) {
        for (let k = 0; k < 20; k += 1) {
          const t0 = performance.now();
          sink.write(lines[(tick * 20 + k) % LINES]!, () => latencies.push(performance.now() - t0));
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      await sink.close();
      await fake.close();
      latencies.sort((a, b) => a - b);
      const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(0);
      console.log(`write → ack: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms over ${latencies.length} lines`);
    },
    { iterations: 1, warmupIterations: 0 },
  );
});

afterAll(() => {
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name}: ${(r.cpuUs / r.lines).toFixed(2)} µs CPU/line${r.extra ? `; ${r.extra}` : ""}`);
  }
});
