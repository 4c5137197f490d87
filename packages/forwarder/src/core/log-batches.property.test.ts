import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  EVENT_OVERHEAD_BYTES, LogBatcher, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS, MAX_MESSAGE_BYTES,
  truncateMessage, type LogEventBatch,
} from "./log-batches.js";

const HOUR = 3_600_000;
// Sizes chosen so byte, count and span limits are all reached within a few hundred events.
const size = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(100_000, MAX_MESSAGE_BYTES) },
);
const input = fc.record({
  events: fc.array(fc.record({
    stream: fc.constantFrom("a", "b", "c"),
    timestamp: fc.integer({ min: 0, max: 72 * HOUR }),
    size,
  }), { maxLength: 400 }),
  maxBufferedBytes: fc.constantFrom(500_000, 4 * MAX_BATCH_BYTES, 32 * MAX_BATCH_BYTES),
  manyTiny: fc.nat({ max: 2 * MAX_BATCH_EVENTS + 5 }),
});

describe("LogBatcher properties", () => {
  it("no batch breaks a limit, no event is lost or duplicated, each batch is in time order", () => {
    fc.assert(fc.property(input, ({ events, maxBufferedBytes, manyTiny }) => {
      const batcher = new LogBatcher(maxBufferedBytes);
      const batches: LogEventBatch[] = [];
      const sent = new Map<string, string[]>();
      const add = (stream: string, timestamp: number, message: string) => {
        if (!sent.has(stream)) sent.set(stream, []);
        sent.get(stream)!.push(message);
        batches.push(...batcher.add("/g", stream, { timestamp, message }, Buffer.byteLength(message)));
      };
      events.forEach((e, i) => add(e.stream, e.timestamp, `${i}:`.padEnd(Math.max(e.size, 8), "x").slice(0, Math.max(e.size, `${i}:`.length))));
      for (let i = 0; i < manyTiny; i++) add("tiny", 5, `t${i}`);
      batches.push(...batcher.drain());

      const received = new Map<string, string[]>();
      for (const batch of batches) {
        expect(batch.events.length).toBeGreaterThan(0);
        expect(batch.events.length).toBeLessThanOrEqual(MAX_BATCH_EVENTS);
        const bytes = batch.events.reduce((n, e) => n + Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES, 0);
        expect(batch.bytes).toBe(bytes);
        expect(bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
        const times = batch.events.map((e) => e.timestamp);
        expect(times).toEqual([...times].sort((x, y) => x - y));
        expect(times[times.length - 1]! - times[0]!).toBeLessThan(MAX_BATCH_SPAN_MS);
        if (!received.has(batch.logStream)) received.set(batch.logStream, []);
        received.get(batch.logStream)!.push(...batch.events.map((e) => e.message));
      }
      for (const [stream, messages] of sent) expect([...(received.get(stream) ?? [])].sort()).toEqual([...messages].sort());
      expect([...received.keys()].sort()).toEqual([...sent.keys()].sort());
      // Equal timestamps keep input order: the tiny stream (all at t=5) arrives exactly in order.
      expect(received.get("tiny") ?? []).toEqual(sent.get("tiny") ?? []);
    }), { numRuns: 60 });
  });

  it("truncateMessage cuts to the limit at a character boundary", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 }), fc.integer({ min: -3, max: 3 }), (unit, extra) => {
      const message = unit.repeat(Math.ceil((MAX_MESSAGE_BYTES + 8) / Buffer.byteLength(unit))).slice(0, MAX_MESSAGE_BYTES + extra);
      const bytes = Buffer.byteLength(message);
      const cut = truncateMessage(message, bytes);
      expect(cut.bytes).toBe(Buffer.byteLength(cut.message));
      expect(cut.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      expect(cut.truncated).toBe(bytes > MAX_MESSAGE_BYTES);
      expect(message.startsWith(cut.message)).toBe(true);
      expect(cut.message).not.toContain("\uFFFD");
    }), { numRuns: 40 });
  });
});
