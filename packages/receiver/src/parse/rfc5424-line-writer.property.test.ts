import { serializeRecord } from "@aws-syslog/record";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FrameContext } from "./context.js";
import { parseFrame } from "./parse-frame.js";
import { Rfc5424LineWriter } from "./rfc5424-line-writer.js";

const RECEIVED_AT = "2026-11-23T10:00:00.123Z";
const contexts = fc.record({
  receivedAt: fc.constant(RECEIVED_AT),
  receivedAtMs: fc.constant(Date.parse(RECEIVED_AT)),
  sourceIp: fc.constantFrom(null, "192.0.2.10", "2001:db8::1"),
  sourcePort: fc.constantFrom(null, 0, 51514, 65535),
  tlsPeer: fc.constantFrom(null, "aws-syslog", 'odd "peer" \\ é\u0001'),
  listener: fc.constantFrom("tls", "tcp", "relp"),
  truncated: fc.constant(false),
});

/** Characters that reach every branch: plain ASCII, the NILVALUE, JSON escapes, controls,
 * DEL, non-ASCII, a BOM, '{' (JSON MSG) and blanks. */
const clean = "abcXYZ019.:_/=+()[]-<>@!#$%&'*,;?^`|~";
const clean1 = fc.string({ unit: fc.constantFrom(...clean), minLength: 1, maxLength: 12 });
const anyChars = fc.string({ unit: fc.constantFrom(...clean, " ", '"', "\\", "{", "}", "\t", "\n", "\r", "\u007f", "é", "\ufeff", "\u0000", "ü"), maxLength: 40 });
const field = (max: number) => fc.oneof({ arbitrary: fc.constant("-"), weight: 2 }, { arbitrary: clean1, weight: 6 }, fc.string({ unit: fc.constantFrom(...clean, '"', "\\", "é"), minLength: 0, maxLength: max + 2 }));
const twoDigit = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, "0"));
const timestamp = fc.oneof(
  { arbitrary: fc.constant("-"), weight: 2 },
  { arbitrary: fc.constantFrom("2026-11-23T10:00:00Z", "2024-02-29T23:59:59.123456+09:00", "2023-02-29T00:00:00Z"), weight: 3 },
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
      twoDigit(0, 13),
      twoDigit(0, 32),
      twoDigit(0, 24),
      twoDigit(0, 60),
      twoDigit(0, 60),
      fc.constantFrom("", ".1", ".123456", ".1234567", "."),
      fc.constantFrom("Z", "+09:00", "-03:30", "+24:00", "z", "+0900", ""),
    )
    .map(([y, mo, d, h, mi, s, f, z]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f}${z}`),
  anyChars,
);
const pri = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 200 }).map((n) => `<${n}>`), weight: 8 },
  fc.constantFrom("<013>", "<00>", "<1", "<>", "13>", "<1234>"),
);
const message = fc.oneof({ arbitrary: clean1, weight: 5 }, anyChars, fc.constantFrom("", " ", "  {\"a\":1}", "{", "{}x", " {", "\ufeff"), fc.string({ maxLength: 80 }));

const frames = fc
  .tuple(
    pri,
    fc.constantFrom("1 ", "1 ", "1 ", "1 ", "2 ", "1"),
    timestamp,
    fc.tuple(field(255), field(48), field(128), field(32)),
    fc.constantFrom("-", "-", "-", "-", '[a b="c"]', "-x", ""),
    fc.constantFrom(" ", " ", " \ufeff", " \ufeff\ufeff", "", "  "),
    message,
    fc.constantFrom("", "\n", "\r\n", "\n\n", "\r"),
    // One byte overwritten in a quarter of the frames.
    fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))),
  )
  .map(([p, v, ts, [h, a, pid, m], sd, sep, msg, trail, mutation]) => {
    const frame = Buffer.from(`${p}${v}${ts} ${h} ${a} ${pid} ${m} ${sd}${sep}${msg}${trail}`);
    if (mutation) frame[mutation[0] % frame.length] = mutation[1];
    return frame;
  });

/** The frame is given as a range of a larger buffer whose other bytes look like more frames
 * (as in a socket chunk), so reading outside the range would show. */
function fast(writer: Rfc5424LineWriter, frame: Buffer): string | null {
  const around = Buffer.from('- > 1 "\\{<13>1 - h a p m - x\n');
  const chunk = Buffer.concat([around, frame, around]);
  const out = Buffer.alloc(frame.length + writer.overhead + 7);
  const end = writer.write(chunk, around.length, around.length + frame.length, Buffer.from(RECEIVED_AT, "latin1"), out, 7);
  return end < 0 ? null : out.toString("utf8", 7, end);
}

describe("Rfc5424LineWriter", () => {
  it("writes exactly serializeRecord(parseFrame(frame)) for every frame it accepts", () => {
    let accepted = 0;
    fc.assert(
      fc.property(frames, contexts, (frame, ctx: FrameContext) => {
        const line = fast(new Rfc5424LineWriter(ctx), frame);
        if (line === null) return;
        accepted++;
        expect(line).toBe(serializeRecord(parseFrame(frame, ctx, { defaultTimeZone: "UTC" })));
      }),
      { numRuns: 20000 },
    );
    // The comparison must have had something to compare.
    expect(accepted).toBeGreaterThan(1000);
  });

  it("stays exact frame after frame on one connection, with header fields repeated or not", () => {
    // A few headers, so that consecutive frames often share their fields (the cached case),
    // differ by one byte, or are prefixes of each other.
    const headers = fc.constantFrom("h a p m -", "h a p m2 -", "h a p m -x", "h a p  m -", "h2 a p m -", '"h a p m -', "- - - - -", "h a p m [a]", "h a p m");
    const sequence = fc.array(fc.tuple(fc.constantFrom(13, 14, 191), fc.constantFrom("-", "2026-11-23T10:00:00Z"), headers, message, fc.constantFrom("", "\n")), { minLength: 1, maxLength: 150 });
    let accepted = 0;
    fc.assert(
      fc.property(sequence, contexts, (frames, ctx: FrameContext) => {
        const writer = new Rfc5424LineWriter(ctx);
        for (const [p, ts, header, msg, trail] of frames) {
          const frame = Buffer.from(`<${p}>1 ${ts} ${header} ${msg}${trail}`);
          const line = fast(writer, frame);
          if (line === null) continue;
          accepted++;
          expect(line).toBe(serializeRecord(parseFrame(frame, ctx, { defaultTimeZone: "UTC" })));
        }
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it("accepts plain RFC 5424 frames, with or without the BOM and SD NILVALUE", () => {
    const plain = fc
      .tuple(
        fc.integer({ min: 0, max: 191 }),
        fc.constantFrom("-", "2026-11-23T10:00:00Z", "2024-02-29T23:59:59.123456+09:00"),
        fc.tuple(clean1, clean1, clean1, clean1),
        fc.constantFrom("", " \ufeff"),
        fc.string({ unit: fc.constantFrom(...clean, " ", "}", "\u007f"), maxLength: 300 }).filter((m) => !m.trimStart().startsWith("{")),
        fc.constantFrom("", "\n", "\r\n"),
      )
      .map(([p, ts, [h, a, pid, m], bom, msg, trail]) => Buffer.from(`<${p}>1 ${ts} ${h} ${a} ${pid} ${m} -${bom || " "}${msg}${trail}`));
    fc.assert(
      fc.property(plain, contexts, (frame, ctx: FrameContext) => {
        const line = fast(new Rfc5424LineWriter(ctx), frame);
        expect(line).toBe(serializeRecord(parseFrame(frame, ctx, { defaultTimeZone: "UTC" })));
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses exactly the MSG bytes JSON escapes or that are not ASCII, wherever they are", () => {
    const ctx: FrameContext = { receivedAt: RECEIVED_AT, receivedAtMs: 0, sourceIp: null, sourcePort: null, tlsPeer: null, listener: "tls", truncated: false };
    const writer = new Rfc5424LineWriter(ctx);
    for (let byte = 0; byte < 256; byte++) {
      // 9 message bytes: two 4-byte steps and a tail byte, offset by an odd header length.
      for (let at = 0; at < 9; at++) {
        const msg = Buffer.from("abcdefghi");
        msg[at] = byte;
        const frame = Buffer.concat([Buffer.from("<13>1 - h a p m - "), msg]);
        const trailing = at === 8 && (byte === 0x0a || byte === 0x0d); // framing, cut by both paths
        const refused = !trailing && (byte < 0x20 || byte > 0x7f || byte === 0x22 || byte === 0x5c || (at === 0 && byte === 0x7b));
        const line = fast(writer, frame);
        if (refused) expect(line, `byte ${byte} at ${at}`).toBeNull();
        else expect(line, `byte ${byte} at ${at}`).toBe(serializeRecord(parseFrame(frame, ctx, { defaultTimeZone: "UTC" })));
      }
    }
  });

  it("holds the RFC 5424 header field limits exactly", () => {
    const ctx: FrameContext = { receivedAt: RECEIVED_AT, receivedAtMs: 0, sourceIp: null, sourcePort: null, tlsPeer: null, listener: "tls", truncated: false };
    const writer = new Rfc5424LineWriter(ctx);
    const limits = [255, 48, 128, 32];
    for (let i = 0; i < limits.length; i++) {
      const fields = ["h", "a", "p", "m"];
      fields[i] = "x".repeat(limits[i]!);
      const atLimit = Buffer.from(`<13>1 - ${fields.join(" ")} - msg`);
      expect(fast(writer, atLimit)).toBe(serializeRecord(parseFrame(atLimit, ctx, { defaultTimeZone: "UTC" })));
      fields[i] += "x";
      expect(fast(writer, Buffer.from(`<13>1 - ${fields.join(" ")} - msg`))).toBeNull();
    }
  });

  it("leaves to the general path what it does not handle", () => {
    const ctx: FrameContext = { receivedAt: RECEIVED_AT, receivedAtMs: 0, sourceIp: null, sourcePort: null, tlsPeer: null, listener: "tls", truncated: false };
    const writer = new Rfc5424LineWriter(ctx);
    for (const text of [
      '<13>1 - h a p m [x a="b"] msg', // structured data
      "<13>1 - h a p m - {\"json\":true}", // MSG parsed as JSON
      "<13>1 - h a p m - caf\u00e9", // non-ASCII MSG
      '<13>1 - h a p m - say "hi"', // MSG needing an escape
      "<13>1 - h a p m - tab\there",
      '<13>1 - h"x a p m - msg',
      "<13>Nov 23 10:00:00 host tag: msg", // RFC 3164
      "<013>1 - h a p m - msg",
      "<13>1 - h a p m ", // after a frame with the same fields and SD: the "-" is past the end
    ]) {
      expect(fast(writer, Buffer.from("<13>1 - h a p m - primes the cached fields"))).not.toBeNull();
      expect(fast(writer, Buffer.from(text)), text).toBeNull();
    }
  });
});
