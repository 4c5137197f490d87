import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FramingEvent, OversizePolicy } from "./errors.js";
import { Framer, MAX_MSG_LEN_DIGITS } from "./framer.js";

type Out = { frame: string; truncated: boolean } | FramingEvent;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Runs a framer over `stream` cut at `cuts`; checks the memory bound after every push.
 * `ranges`: the handler takes frames as ranges (frameIn) instead of views. */
function frameAll(stream: Uint8Array, cuts: number[], maxFrameBytes: number, oversize: OversizePolicy, ranges = false): Out[] {
  const out: Out[] = [];
  const handler = { frame: (f: Buffer, truncated: boolean) => out.push({ frame: hex(f), truncated }), event: (e: FramingEvent) => out.push(e) };
  const framer = new Framer(
    { maxFrameBytes, oversize },
    ranges
      ? { ...handler, frame: () => expect.unreachable("frameIn is there"), frameIn: (b, s, e, truncated) => out.push({ frame: hex(b.subarray(s, e)), truncated }) }
      : handler,
  );
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, stream.length]) {
    if (to <= from) continue;
    framer.push(Buffer.from(stream.subarray(from, to)));
    from = to;
    expect(framer.bufferedBytes).toBeLessThanOrEqual(maxFrameBytes + MAX_MSG_LEN_DIGITS + 1);
  }
  framer.end();
  expect(framer.bufferedBytes).toBe(0);
  return out;
}

const everyByte = (n: number) => Array.from({ length: n }, (_, i) => i);

interface Msg {
  bytes: Uint8Array;
  octet: boolean;
  crlf: boolean;
}

/** A message any sender could frame: octet counting carries any bytes; a non-transparent frame
 * has no LF or NUL, does not start with a digit (that would read as MSG-LEN, by design) and
 * must be sent with CRLF when it ends in CR (a lone trailing CR is removed as a line ending). */
const msg = (octet: fc.Arbitrary<boolean>) =>
  fc.record({ bytes: fc.uint8Array({ minLength: 1, maxLength: 120 }), octet, crlf: fc.boolean() }).map(({ bytes, octet, crlf }): Msg => {
    if (octet) return { bytes, octet, crlf };
    const b = bytes.map((x) => (x === 0x0a || x === 0x00 ? 0x20 : x));
    if (b[0]! >= 0x30 && b[0]! <= 0x39) b[0] = 0x3c;
    return { bytes: b, octet, crlf: crlf || b[b.length - 1] === 0x0d };
  });

function encode(msgs: Msg[]): Uint8Array {
  const parts = msgs.map((m) =>
    m.octet ? Buffer.concat([Buffer.from(`${m.bytes.length} `), m.bytes]) : Buffer.concat([m.bytes, Buffer.from(m.crlf ? "\r\n" : "\n")]),
  );
  return Buffer.concat(parts);
}

function expected(msgs: Msg[], max: number, policy: OversizePolicy): Out[] {
  return msgs.flatMap((m): Out[] => {
    if (m.bytes.length <= max) return [{ frame: hex(m.bytes), truncated: false }];
    const framing = m.octet ? "octet-counting" : "non-transparent";
    const event: Out = { code: "RCV_FRAME_TOO_LARGE", framing, policy, maxFrameBytes: max, frameBytes: m.bytes.length };
    return policy === "drop" ? [event] : [event, { frame: hex(m.bytes.subarray(0, max)), truncated: true }];
  });
}

const policy = fc.constantFrom<OversizePolicy>("truncate", "drop");
const cuts = fc.array(fc.nat(), { maxLength: 40 });

describe("Framer properties", () => {
  it.each([
    ["octet counting", fc.constant(true)],
    ["non-transparent", fc.constant(false)],
    ["a random mix", fc.boolean()],
  ])("%s: any split yields the messages, as the unsplit stream does", (_name, octet) => {
    fc.assert(
      fc.property(fc.array(msg(octet), { maxLength: 30 }), fc.integer({ min: 16, max: 100 }), policy, cuts, (msgs, max, oversize, at) => {
        const stream = encode(msgs);
        const whole = frameAll(stream, [], max, oversize);
        expect(whole).toEqual(expected(msgs, max, oversize));
        expect(frameAll(stream, at, max, oversize)).toEqual(whole);
        expect(frameAll(stream, at, max, oversize, true)).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it("one-byte chunks yield the messages", () => {
    fc.assert(
      fc.property(fc.array(msg(fc.boolean()), { maxLength: 10 }), fc.integer({ min: 16, max: 100 }), policy, (msgs, max, oversize) => {
        const stream = encode(msgs);
        expect(frameAll(stream, everyByte(stream.length), max, oversize)).toEqual(expected(msgs, max, oversize));
      }),
      { numRuns: 100 },
    );
  });

  // Bytes that steer the state machine (digits, SP, CR, LF, NUL, '<') mixed with any byte.
  const nasty = fc.uint8Array({ maxLength: 400 }).chain((noise) =>
    fc.array(fc.oneof(fc.constantFrom(0x30, 0x31, 0x39, 0x20, 0x0d, 0x0a, 0x00, 0x3c), fc.integer({ min: 0, max: 255 })), { maxLength: 400 }).map(
      (steer) => Uint8Array.from([...steer, ...noise]),
    ),
  );

  it("never throws on arbitrary bytes, stays bounded, and is split-invariant", () => {
    fc.assert(
      fc.property(nasty, fc.integer({ min: 1, max: 40 }), policy, cuts, (stream, max, oversize, at) => {
        const whole = frameAll(stream, [], max, oversize);
        expect(frameAll(stream, at, max, oversize)).toEqual(whole);
        expect(frameAll(stream, everyByte(stream.length), max, oversize)).toEqual(whole);
        expect(frameAll(stream, at, max, oversize, true)).toEqual(whole);
        for (const o of whole) if ("frame" in o) expect(o.frame.length / 2).toBeLessThanOrEqual(max);
      }),
      { numRuns: 300 },
    );
  });
});
