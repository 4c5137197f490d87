import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "../packages/receiver/src/metrics.js";
import { createFirehoseSink, firehoseSinkConfigSchema } from "../packages/receiver/src/sinks/firehose/index.js";
import type { Sink } from "../packages/receiver/src/sinks/sink.js";
import { startFakeFirehose, type FakeFirehose } from "./fakes/firehose-server.js";

/**
 * The Firehose sink through the real SDK client (standard credential and endpoint chain) to a
 * fake Firehose on loopback that fails entries, throttles and loses answers. Writers behave
 * like connections: numbered schema-v1 lines, pausing on backpressure until "drain".
 */
type Logger = Parameters<typeof createFirehoseSink>[1]["logger"];
type LogLine = Record<string, unknown> & { level: string; msg?: string };

function captureLogger(): { logger: Logger; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const at = (level: string) => (obj: unknown, msg?: string) => void logs.push({ ...bindings, ...(typeof obj === "object" ? obj : { msg: obj }), level, ...(msg ? { msg } : {}) } as LogLine);
    return { child: (b: Record<string, unknown>) => make({ ...bindings, ...b }), fatal: at("fatal"), error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug"), trace: at("trace") } as unknown as Logger;
  };
  return { logger: make({}), logs };
}

/** A schema-v1 record of about 300 bytes, as the receiver serialises it. */
function recordLine(writer: number, n: number): string {
  return (
    JSON.stringify({
      v: 1, received_at: "2026-11-23T11:44:54.123Z", timestamp: "2026-11-23T20:44:54.120+09:00",
      facility: 16, severity: 6, facility_name: "local0", severity_name: "info",
      hostname: "onegate-01", app_name: "onegate", proc_id: null, msg_id: "AUDIT", structured_data: null,
      message: `{"event":"login","user":"u${n % 97}","writer":${writer},"seq":${n}}`, message_json: { event: "login", user: `u${n % 97}`, writer, seq: n },
      format: "rfc5424", source_ip: "192.0.2.10", source_port: 40000 + writer, tls_peer: "aws-syslog", listener: "tls", raw: null,
    }) + "\n"
  );
}

interface Written {
  acked: number;
  errors: Error[];
}

/** One "connection": writes lines [0, count) and pauses on backpressure; stops early when `stop()` says so. */
async function writer(sink: Sink, w: number, count: number, out: Written, stop: () => boolean = () => false): Promise<number> {
  let n = 0;
  for (; n < count && !stop(); n += 1) {
    const ok = sink.write(recordLine(w, n), (err) => (err ? out.errors.push(err) : (out.acked += 1)));
    if (!ok) await new Promise<void>((resolve) => sink.on("drain", function once() { sink.off("drain", once); resolve(); }));
    else if (n % 200 === 0) await new Promise((r) => setImmediate(r)); // interleave the writers
  }
  return n;
}

/** Polls `cond` every 10 ms (the test timeout bounds it): waits on behaviour, not on time. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

/** (writer, seq) → copies stored by the fake. */
function copiesOf(fake: FakeFirehose): Map<string, number> {
  const copies = new Map<string, number>();
  for (const line of fake.lines()) {
    const r = JSON.parse(line) as { message_json: { writer: number; seq: number } };
    const key = `${r.message_json.writer}:${r.message_json.seq}`;
    copies.set(key, (copies.get(key) ?? 0) + 1);
  }
  return copies;
}

const ENV = ["AWS_ENDPOINT_URL_FIREHOSE", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] as const;
const saved: Partial<Record<(typeof ENV)[number], string>> = {};
let fake: FakeFirehose;

beforeAll(() => {
  for (const k of ENV) saved[k] = process.env[k];
});
afterAll(() => {
  for (const k of ENV) (saved[k] === undefined ? delete process.env[k] : (process.env[k] = saved[k]));
});
afterEach(async () => {
  await fake?.close();
});

async function setup(fakeOptions: Parameters<typeof startFakeFirehose>[0], config: Record<string, unknown>) {
  fake = await startFakeFirehose(fakeOptions);
  // The SDK's own chain: no endpoint or credential plumbing in the sink.
  process.env.AWS_ENDPOINT_URL_FIREHOSE = fake.url;
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const { logger, logs } = captureLogger();
  const metrics = new Registry();
  const sink = createFirehoseSink(
    firehoseSinkConfigSchema.parse({ streams: "a,b", lingerMs: 20, recordMaxBytes: 16_384, retryBaseMs: 5, retryMaxMs: 100, bufferBytes: 1_048_576, ...config }),
    { logger, metrics },
  );
  return { sink, logs, metrics };
}

describe("Firehose sink end to end (real SDK, fake Firehose on loopback)", () => {
  it("delivers every numbered line through failed entries, throttling and failed calls", async () => {
    const { sink, metrics } = await setup({ seed: 7, failEntryRate: 0.2, throttleRate: 0.2, failCalls: 3 }, {});
    const out: Written = { acked: 0, errors: [] };
    const N = 5000;
    await Promise.all([0, 1, 2, 3].map((w) => writer(sink, w, N, out)));
    await sink.close();
    expect(out.errors).toEqual([]);
    expect(out.acked).toBe(4 * N);
    const copies = copiesOf(fake);
    expect(copies.size).toBe(4 * N);
    const duplicates = [...copies.values()].reduce((a, c) => a + c - 1, 0);
    expect(duplicates).toBe(0); // no ambiguous outcome in this run
    expect(fake.stats.limitViolations).toBe(0);
    expect(fake.stats.failedEntries).toBeGreaterThan(0);
    expect(fake.stats.failedCalls).toBeGreaterThan(3);
    // Concatenated members of one stream are one valid gzip file, as S3 would hold it.
    for (const stream of ["a", "b"]) {
      const joined = Buffer.concat(fake.records.filter((r) => r.stream === stream).map((r) => r.data));
      expect(gunzipSync(joined).toString().split("\n").slice(0, -1)).toEqual(fake.lines(stream));
    }
    const m = metrics.toJSON();
    expect(m.receiver_firehose_lines_accepted_total![""]).toBe(4 * N);
    expect(Object.keys(m.receiver_firehose_retries_total!).length).toBeGreaterThan(1);
  });

  it("counts possible duplicates when answers are lost after acceptance, and still loses nothing", async () => {
    const { sink, metrics } = await setup({ seed: 11, loseAnswerRate: 0.15, failEntryRate: 0.1 }, { requestTimeoutMs: 300 });
    const out: Written = { acked: 0, errors: [] };
    const N = 3000;
    await Promise.all([0, 1].map((w) => writer(sink, w, N, out)));
    await sink.close();
    expect(out.errors).toEqual([]);
    const copies = copiesOf(fake);
    expect(copies.size).toBe(2 * N);
    const duplicates = [...copies.values()].reduce((a, c) => a + c - 1, 0);
    expect(fake.stats.lostAnswers).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(metrics.toJSON().receiver_firehose_duplicate_lines_possible_total![""]!);
  });

  it("on a stop in the middle of the stream, flushes every line written before it", async () => {
    const { sink } = await setup({ seed: 3, failEntryRate: 0.3, throttleRate: 0.3, delayMs: 5 }, { closeTimeoutMs: 60_000 });
    const out: Written = { acked: 0, errors: [] };
    // SIGTERM after ~6,000 lines, mid-stream: the receiver stops reading connections, then
    // closes the sink, while batches are in flight, failing and being retried.
    let reads = 0;
    const writers = [0, 1, 2].map((w) => writer(sink, w, 1_000_000, out, () => ++reads > 6000));
    const written = await Promise.all(writers);
    expect(out.acked).toBeLessThan(written.reduce((a, b) => a + b, 0)); // really mid-stream
    await sink.close();
    const total = written.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(1000);
    expect(out.errors).toEqual([]);
    expect(out.acked).toBe(total);
    const copies = copiesOf(fake);
    for (const [w, n] of written.entries()) for (let i = 0; i < n; i += 1) expect(copies.has(`${w}:${i}`)).toBe(true);
  });

  it("when Firehose stays down past the close deadline, acks every line with an error and logs the count", async () => {
    const { sink, logs, metrics } = await setup({ throttleRate: 1 }, {});
    const out: Written = { acked: 0, errors: [] };
    await writer(sink, 0, 500, out);
    await sink.close(500); // what is left of the receiver's drain budget
    expect(out.acked).toBe(0);
    expect(out.errors).toHaveLength(500);
    expect(new Set(out.errors.map((e) => (e as Error & { code: string }).code))).toEqual(new Set(["RCV_FIREHOSE_UNDELIVERED"]));
    expect(logs.find((l) => l.code === "RCV_FIREHOSE_UNDELIVERED")).toMatchObject({ level: "error", lines: 500 });
    expect(metrics.toJSON().receiver_firehose_give_up_lines_total).toEqual({ 'reason="shutdown"': 500 });
  });

  it("holds data and pushes back while the stream is missing, then delivers once it exists", async () => {
    const { sink, logs } = await setup({ streams: ["other"] }, { streams: "late", retryMaxMs: 200 });
    const out: Written = { acked: 0, errors: [] };
    sink.write(recordLine(0, 0), (err) => (err ? out.errors.push(err) : (out.acked += 1)));
    await until(() => logs.some((l) => l.code === "RCV_FIREHOSE_DELIVERY_STALLED"));
    expect(sink.write(recordLine(0, 1), (err) => (err ? out.errors.push(err) : (out.acked += 1)))).toBe(false);
    const unusable = logs.filter((l) => l.code === "RCV_FIREHOSE_STREAM_UNUSABLE");
    expect(unusable).toHaveLength(1);
    expect(unusable[0]).toMatchObject({ level: "error", stream: "late", cause: "ResourceNotFoundException" });
    expect(out.acked).toBe(0);
    const drained = new Promise<void>((resolve) => sink.on("drain", resolve));
    fake.options.streams.push("late"); // the operator creates the stream
    await drained;
    await sink.close();
    expect(out).toEqual({ acked: 2, errors: [] });
    expect(copiesOf(fake).size).toBe(2);
  });
});
