import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Aggregator } from "../../batch/testing/string-aggregator.js";
import type { FitAction } from "../../batch/fit-line.js";
import { RecordAggregator, type SealedPayload } from "./record-aggregator.js";

function aggregator(maxPayloadBytes: number, lingerMs = 1000, ackLingerMs = 100) {
  const sealed: SealedPayload[] = [];
  const oversize: { action: FitAction; before: number; after: number }[] = [];
  const agg = new RecordAggregator({
    maxPayloadBytes,
    lingerMs,
    ackLingerMs,
    now: () => Date.now(),
    onSeal: (s) => sealed.push({ ...s, payload: Buffer.from(s.payload) }),
    onOversize: (action, before, after) => oversize.push({ action, before, after }),
  });
  return { agg, sealed, oversize };
}

/** What a caller of reserve/commit does: encode the line itself at reservedAt. */
function writeBytes(agg: RecordAggregator, line: string, slack: number, ack?: () => void): number {
  const bytes = Buffer.from(line, "utf8");
  const out = agg.reserve(bytes.length + slack);
  const at = agg.reservedAt;
  out.set(bytes, at);
  return agg.commit(bytes.length, ack);
}

const text = fc.string({ unit: fc.constantFrom("a", "b", " ", "é", "\u{1f600}", '"', "z"), maxLength: 400 });
const lineOf = (n: number, body: string, lf: boolean) => JSON.stringify({ n, message: body }) + (lf ? "\n" : "");

afterEach(() => vi.useRealTimers());

describe("RecordAggregator", () => {
  it("makes the string Aggregator's payloads, from bytes written in place or from strings, whatever the reservation", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ body: text, lf: fc.boolean(), bytes: fc.boolean(), slack: fc.integer({ min: 0, max: 3000 }) }), { minLength: 1, maxLength: 120 }),
        fc.constantFrom(64, 300, 1024, 4096),
        (writes, max) => {
          // The reference: the sink's former string aggregator (join of the line strings).
          const reference: { payload: string; lines: number }[] = [];
          const referenceOversize: { action: FitAction; before: number; after: number }[] = [];
          const strings = new Aggregator({
            maxPayloadBytes: max,
            lingerMs: 1000,
            now: () => 0,
            onSeal: (g) => reference.push({ payload: g.payload, lines: g.lines }),
            onOversize: (action, before, after) => referenceOversize.push({ action, before, after }),
          });
          const viaStrings = aggregator(max);
          const mixed = aggregator(max);
          const stored: number[][] = [[], [], []];
          writes.forEach((w, n) => {
            const line = lineOf(n, w.body, w.lf);
            stored[0]!.push(strings.add(line));
            stored[1]!.push(viaStrings.agg.write(line));
            stored[2]!.push(w.bytes ? writeBytes(mixed.agg, line, w.slack) : mixed.agg.write(line));
          });
          strings.seal();
          viaStrings.agg.seal("flush");
          mixed.agg.seal("flush");
          expect(stored[1]).toEqual(stored[0]);
          expect(stored[2]).toEqual(stored[0]);
          const hex = reference.map((g) => Buffer.from(g.payload, "utf8").toString("hex"));
          expect(viaStrings.sealed.map((s) => s.payload.toString("hex"))).toEqual(hex);
          expect(mixed.sealed.map((s) => s.payload.toString("hex"))).toEqual(hex);
          expect(mixed.sealed.map((s) => s.lines)).toEqual(reference.map((g) => g.lines));
          expect(viaStrings.oversize).toEqual(referenceOversize);
          expect(mixed.oversize).toEqual(referenceOversize);
          for (const s of mixed.sealed) {
            expect(s.payload.length).toBeLessThanOrEqual(max);
            expect(s.payload[s.payload.length - 1]).toBe(0x0a);
          }
          const lines = mixed.sealed.flatMap((s) => s.payload.toString("utf8").split("\n").slice(0, -1));
          expect(lines).toHaveLength(writes.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("seals exactly full, before a line that does not fit, and keeps acks with their payload", () => {
    const { agg, sealed } = aggregator(100);
    const acked: number[] = [];
    writeBytes(agg, "a".repeat(49) + "\n", 0, () => acked.push(1));
    writeBytes(agg, "b".repeat(49) + "\n", 500, () => acked.push(2)); // reservation over the room left: scratch
    expect(sealed.map((s) => [s.payload.length, s.reason])).toEqual([[100, "full"]]);
    agg.write("c".repeat(60) + "\n", () => acked.push(3));
    agg.write("d".repeat(60) + "\n", () => acked.push(4));
    expect(sealed.map((s) => [s.payload.length, s.lines, s.reason])).toEqual([
      [100, 2, "full"],
      [61, 1, "full"],
    ]);
    for (const s of sealed) for (const a of s.acks) a(null);
    expect(acked).toEqual([1, 2, 3]);
  });

  it("shrinks a line over the payload size through either path, and says so", () => {
    const { agg, sealed, oversize } = aggregator(200);
    const big = JSON.stringify({ v: 1, message: "x".repeat(500), raw: null }) + "\n";
    expect(writeBytes(agg, big, 10)).toBeLessThanOrEqual(200);
    expect(agg.write(big)).toBeLessThanOrEqual(200);
    agg.seal("flush");
    expect(oversize.map((o) => o.action)).toEqual(["truncated", "truncated"]);
    const lines = sealed.flatMap((s) => s.payload.toString().split("\n").slice(0, -1)).map((l) => JSON.parse(l) as { truncated: boolean });
    expect(lines.map((l) => l.truncated)).toEqual([true, true]);
  });

  it("takes nothing when a reservation is not committed", () => {
    const { agg, sealed } = aggregator(1024);
    const out = agg.reserve(100);
    out.write("garbage", agg.reservedAt);
    agg.write('{"n":1}\n');
    agg.seal("flush");
    expect(sealed.map((s) => s.payload.toString())).toEqual(['{"n":1}\n']);
  });

  it("hurry seals ackLingerMs after the first line instead of lingerMs, once per payload", () => {
    vi.useFakeTimers();
    const { agg, sealed } = aggregator(1 << 20, 1000, 100);
    agg.hurry(); // nothing open: nothing to hurry
    agg.write('{"n":1}\n');
    vi.advanceTimersByTime(40);
    agg.hurry();
    agg.hurry();
    vi.advanceTimersByTime(59);
    expect(sealed).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sealed.map((s) => s.reason)).toEqual(["ack_wait"]);
    // A payload older than ackLingerMs when hurried is sealed at once (next timer turn).
    agg.write('{"n":2}\n');
    vi.advanceTimersByTime(500);
    agg.hurry();
    vi.advanceTimersByTime(0);
    expect(sealed.map((s) => s.reason)).toEqual(["ack_wait", "ack_wait"]);
    // Without a hint the linger holds.
    agg.write('{"n":3}\n');
    vi.advanceTimersByTime(999);
    expect(sealed).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sealed.map((s) => s.reason)).toEqual(["ack_wait", "ack_wait", "linger"]);
  });

  it("ignores hurry when ackLingerMs is not shorter than the linger", () => {
    vi.useFakeTimers();
    const { agg, sealed } = aggregator(1 << 20, 200, 200);
    agg.write('{"n":1}\n');
    agg.hurry();
    vi.advanceTimersByTime(199);
    expect(sealed).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sealed.map((s) => s.reason)).toEqual(["linger"]);
  });
});
