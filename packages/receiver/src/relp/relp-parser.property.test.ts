import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeRelpFrame, RelpParser } from "./relp-parser.js";

type Out = { txnr: number; command: string; data: string; dataLen: number } | { error: string };

function run(stream: Uint8Array, cuts: number[], maxDataBytes: number, oversize: "truncate" | "drop" = "truncate"): Out[] {
  const out: Out[] = [];
  const parser = new RelpParser(maxDataBytes, {
    frame: (f) => out.push({ txnr: f.txnr, command: f.command, data: Buffer.from(f.data).toString("hex"), dataLen: f.dataLen }),
    error: (e) => out.push({ error: e.code }),
  }, oversize);
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, stream.length]) {
    if (to <= from) continue;
    // A fresh copy per push: the parser must not rely on a chunk staying the same buffer.
    parser.push(Buffer.from(stream.subarray(from, to)));
    from = to;
  }
  return out;
}

const frame = fc.record({
  txnr: fc.integer({ min: 0, max: 999_999_999 }),
  command: fc.stringMatching(/^[A-Za-z]{1,32}$/),
  data: fc.uint8Array({ maxLength: 200 }),
});

describe("RelpParser properties", () => {
  it("any split of a stream of valid frames yields the same frames, in order", () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map((f) => encodeRelpFrame(f.txnr, f.command, Buffer.from(f.data))));
        const whole = run(stream, [], 200);
        expect(whole).toEqual(frames.map((f) => ({ txnr: f.txnr, command: f.command, data: Buffer.from(f.data).toString("hex"), dataLen: f.data.length })));
        expect(run(stream, cuts, 200)).toEqual(whole);
        expect(run(stream, Array.from({ length: stream.length }, (_, i) => i), 200)).toEqual(whole);
      }),
    );
  });

  it("over-size DATA: every frame still comes out, cut to the limit (or emptied with drop), for any split", () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), fc.integer({ min: 0, max: 120 }), fc.constantFrom("truncate" as const, "drop" as const), (frames, cuts, max, policy) => {
        const stream = Buffer.concat(frames.map((f) => encodeRelpFrame(f.txnr, f.command, Buffer.from(f.data))));
        const whole = run(stream, [], max, policy);
        const kept = (d: Uint8Array) => (d.length <= max ? d : policy === "drop" ? d.subarray(0, 0) : d.subarray(0, max));
        expect(whole).toEqual(frames.map((f) => ({ txnr: f.txnr, command: f.command, data: Buffer.from(kept(f.data)).toString("hex"), dataLen: f.data.length })));
        expect(run(stream, cuts, max, policy)).toEqual(whole);
        expect(run(stream, Array.from({ length: stream.length }, (_, i) => i), max, policy)).toEqual(whole);
      }),
    );
  });

  it("never throws on arbitrary bytes, reports at most one error, and any split agrees", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 30 }), fc.integer({ min: 0, max: 300 }), (bytes, cuts, max) => {
        const whole = run(bytes, [], max);
        expect(whole.filter((o) => "error" in o).length).toBeLessThanOrEqual(1);
        expect(run(bytes, cuts, max)).toEqual(whole);
      }),
    );
  });

  it("valid frames followed by garbage: the frames before the garbage still come out", () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 5 }), fc.uint8Array({ minLength: 1, maxLength: 50 }), (frames, junk) => {
        const good = Buffer.concat(frames.map((f) => encodeRelpFrame(f.txnr, f.command, Buffer.from(f.data))));
        const out = run(Buffer.concat([good, Buffer.from(junk)]), [], 200);
        expect(out.slice(0, frames.length).every((o) => !("error" in o))).toBe(true);
      }),
    );
  });
});
