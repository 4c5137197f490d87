import { gunzipSync } from "node:zlib";
import { FirehoseClient, PutRecordBatchCommand, ResourceNotFoundException, ServiceUnavailableException, type PutRecordBatchCommandInput } from "@aws-sdk/client-firehose";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { Registry } from "../../metrics.js";
import { MAX_BATCH_DATA_BYTES, MAX_RECORD_DATA_BYTES, MAX_RECORDS_PER_BATCH } from "../../batch/firehose-limits.js";
import { firehoseSinkConfigSchema } from "./config.js";
import { FirehoseSink } from "./firehose-sink.js";

/** What the fake service does with one call. "lost-answer" stores the records, then the
 * answer never arrives (a timeout after acceptance: the one source of duplicates). */
type Behaviour =
  | { kind: "ok" }
  | { kind: "partial"; fail: boolean[] }
  | { kind: "throttle" }
  | { kind: "server-error" }
  | { kind: "lost-answer" }
  | { kind: "missing-stream" };

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.constant({ kind: "ok" as const }),
  fc.record({ kind: fc.constant("partial" as const), fail: fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }) }),
  fc.constant({ kind: "throttle" as const }),
  fc.constant({ kind: "server-error" as const }),
  fc.constant({ kind: "lost-answer" as const }),
  fc.constant({ kind: "missing-stream" as const }),
);

interface Scenario {
  writes: { writer: number; size: number }[];
  failures: Behaviour[];
  recordMaxBytes: number;
  maxInFlight: number;
  streams: number;
  maxRetries: number;
  /** Message bytes: compressible letters, or random latin1 that gzip cannot shrink. */
  incompressible: boolean;
}

/** Deterministic filler: random-looking latin1 (incompressible) or a few repeated words. */
function filler(size: number, seed: number, incompressible: boolean): string {
  if (!incompressible) return "lorem ipsum dolor ".repeat(Math.ceil(size / 18)).slice(0, size);
  const bytes = new Uint8Array(size);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < size; i += 1) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = 0x20 + ((x >>> 16) % 0xdf);
  }
  return Buffer.from(bytes).toString("latin1");
}

async function run(sc: Scenario): Promise<void> {
  const client = new FirehoseClient({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const calls: { records: { w: number; n: number; i: number }[][]; dataBytes: number[]; accepted: boolean[] }[] = [];
  let callNo = 0;
  mockClient(client)
    .on(PutRecordBatchCommand)
    .callsFake(async (input: PutRecordBatchCommandInput) => {
      const b = sc.failures[callNo++] ?? { kind: "ok" };
      const records = input.Records!.map((r) =>
        gunzipSync(r.Data!).toString().split("\n").slice(0, -1).map((l) => JSON.parse(l) as { w: number; n: number; i: number }),
      );
      const fail = records.map((_, k) => (b.kind === "partial" ? (b.fail[k % b.fail.length] ?? false) : !["ok", "lost-answer"].includes(b.kind)));
      calls.push({ records, dataBytes: input.Records!.map((r) => r.Data!.byteLength), accepted: fail.map((f) => !f) });
      if (b.kind === "throttle") throw new ServiceUnavailableException({ message: "Slow down.", $metadata: { httpStatusCode: 503 } });
      if (b.kind === "server-error") throw Object.assign(new Error("internal"), { name: "InternalFailure", $metadata: { httpStatusCode: 500 } });
      if (b.kind === "missing-stream") throw new ResourceNotFoundException({ message: "no such stream", $metadata: {} });
      if (b.kind === "lost-answer") throw Object.assign(new Error("timed out"), { name: "TimeoutError" });
      return {
        FailedPutCount: fail.filter(Boolean).length,
        RequestResponses: fail.map((f) => (f ? { ErrorCode: "ServiceUnavailableException", ErrorMessage: "Slow down." } : { RecordId: "r" })),
      };
    });
  const metrics = new Registry();
  const config = firehoseSinkConfigSchema.parse({
    streams: Array.from({ length: sc.streams }, (_, k) => `s${k}`),
    lingerMs: 5,
    recordMaxBytes: sc.recordMaxBytes,
    maxInFlight: sc.maxInFlight,
    maxRetries: sc.maxRetries,
    retryBaseMs: 1,
    retryMaxMs: 4,
  });
  const sink = new FirehoseSink(config, { client, logger: pino({ level: "silent" }), metrics, random: () => 0 });
  const ackCount = new Array<number>(sc.writes.length).fill(0);
  const next = new Map<number, number>();
  sc.writes.forEach(({ writer, size }, i) => {
    const n = next.get(writer) ?? 0;
    next.set(writer, n + 1);
    sink.write(JSON.stringify({ w: writer, n, i, message: filler(size, i, sc.incompressible) }) + "\n", (err) => {
      expect(err).toBeNull();
      ackCount[i]! += 1;
    });
  });
  await sink.flush();

  // Every line acked exactly once, and present in an accepted record at least once.
  expect(ackCount.every((c) => c === 1)).toBe(true);
  const copies = new Array<number>(sc.writes.length).fill(0);
  for (const c of calls) c.records.forEach((r, k) => c.accepted[k] && r.forEach((l) => (copies[l.i]! += 1)));
  expect(copies.every((c) => c >= 1)).toBe(true);
  // Duplicates only from ambiguous outcomes, and all of them counted.
  const duplicates = copies.reduce((a, c) => a + c - 1, 0);
  expect(duplicates).toBeLessThanOrEqual(metrics.toJSON().receiver_firehose_duplicate_lines_possible_total?.[""] ?? 0);
  // No request over a limit.
  for (const c of calls) {
    expect(c.records.length).toBeLessThanOrEqual(MAX_RECORDS_PER_BATCH);
    expect(c.dataBytes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_BATCH_DATA_BYTES);
    for (const d of c.dataBytes) expect(d).toBeLessThanOrEqual(MAX_RECORD_DATA_BYTES);
  }
  // Per-writer order: inside every record, and in the order records are first sent.
  const firstSent = new Set<number>();
  const lastSeen = new Map<number, number>();
  for (const c of calls) {
    for (const r of c.records) {
      for (let k = 1; k < r.length; k += 1) expect(r[k]!.i).toBeGreaterThan(r[k - 1]!.i);
      if (firstSent.has(r[0]!.i)) continue;
      firstSent.add(r[0]!.i);
      for (const l of r) {
        expect(l.n).toBeGreaterThan(lastSeen.get(l.w) ?? -1);
        lastSeen.set(l.w, l.n);
      }
    }
  }
  // With one call in flight, a resent record goes before every record not yet sent.
  if (sc.maxInFlight === 1) {
    const sent = new Set<number>();
    const owed = new Set<number>();
    for (const c of calls) {
      const heads = c.records.map((r) => r[0]!.i);
      const resent = heads.filter((h) => sent.has(h));
      expect(heads.slice(0, resent.length)).toEqual(resent);
      expect(resent).toEqual([...owed].sort((a, b) => a - b).slice(0, resent.length));
      if (heads.length > resent.length) expect(resent.length).toBe(owed.size);
      heads.forEach((h, k) => {
        sent.add(h);
        if (c.accepted[k] && !isAmbiguous(c, sc, calls.indexOf(c))) owed.delete(h);
        else owed.add(h);
      });
    }
  }
  await sink.close();
}

/** The sink treats a lost answer as a failure of every entry, although the fake stored them. */
function isAmbiguous(_c: unknown, sc: Scenario, index: number): boolean {
  return sc.failures[index]?.kind === "lost-answer";
}

describe("FirehoseSink properties", () => {
  it("delivers every line at least once, within every limit, in per-writer order, for any sizes and failures", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          writes: fc.array(fc.record({ writer: fc.integer({ min: 0, max: 3 }), size: fc.integer({ min: 0, max: 3000 }) }), { minLength: 1, maxLength: 300 }),
          failures: fc.array(behaviour, { maxLength: 12 }),
          recordMaxBytes: fc.constantFrom(1024, 2048, 8192, 65_536),
          maxInFlight: fc.integer({ min: 1, max: 4 }),
          streams: fc.integer({ min: 1, max: 3 }),
          maxRetries: fc.integer({ min: 0, max: 8 }),
          incompressible: fc.boolean(),
        }),
        run,
      ),
      { numRuns: 60 },
    );
  });

  it("fills calls up to 500 records and 4 MiB without exceeding them", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // Many one-line records: the 500-entry cap binds.
          fc.record({
            writes: fc.array(fc.record({ writer: fc.integer({ min: 0, max: 2 }), size: fc.integer({ min: 700, max: 900 }) }), { minLength: 450, maxLength: 1200 }),
            failures: fc.array(behaviour, { maxLength: 4 }),
            recordMaxBytes: fc.constant(1024),
            maxInFlight: fc.integer({ min: 1, max: 2 }),
            streams: fc.integer({ min: 1, max: 2 }),
            maxRetries: fc.constant(8),
            incompressible: fc.constant(false),
          }),
          // Large incompressible records: the 4 MiB cap binds.
          fc.record({
            writes: fc.array(fc.record({ writer: fc.integer({ min: 0, max: 2 }), size: fc.integer({ min: 100_000, max: 600_000 }) }), { minLength: 6, maxLength: 14 }),
            failures: fc.array(behaviour, { maxLength: 4 }),
            recordMaxBytes: fc.constantFrom(700_000, 1_023_656),
            maxInFlight: fc.integer({ min: 1, max: 2 }),
            streams: fc.constant(1),
            maxRetries: fc.constant(8),
            incompressible: fc.constant(true),
          }),
        ),
        run,
      ),
      { numRuns: 8 },
    );
  }, 120_000);
});
