import { syslogRecordSchema } from "@aws-syslog/record";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FrameContext, ParseOptions } from "./context.js";
import { parseFrame } from "./parse-frame.js";
import { daysInMonth } from "./rfc3339-timestamp.js";
import { frameContext } from "./testing/frame-context.js";

const ctx: FrameContext = frameContext();
const zones = fc.constantFrom("UTC", "+09:00", "-03:30", "Asia/Tokyo", "America/New_York", "Europe/London");

/** Bytes that look like the start of syslog, so fuzzing reaches past the first check. */
const prefixes = fc.constantFrom(
  "", "<", "<13>", "<0>", "<191>", "<192>", "<13>1 ", "<13>1 - ", "<13>1 - h a p m ", "<13>1 - h a p m [",
  '<13>1 - h a p m [id x="', "<13>Nov 23 ", "<13>Nov 23 10:00:00 ", "<189>12: *Mar  1 00:01:02.345", "<166>%ASA-6-1: ",
  "<13>2026-11-23T10:00:00Z ", "Jan 12 2026 10:11:12: ",
);
const frames = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  fc.tuple(prefixes, fc.uint8Array({ maxLength: 200 })).map(([p, b]) => Buffer.concat([Buffer.from(p), Buffer.from(b)])),
  fc.tuple(prefixes, fc.string({ unit: "binary", maxLength: 200 })).map(([p, s]) => Buffer.from(p + s)),
);

describe("parseFrame properties", () => {
  it("never throws, and always returns a valid schema-v1 record", () => {
    fc.assert(
      fc.property(frames, zones, fc.boolean(), (frame, defaultTimeZone, truncated) => {
        const record = parseFrame(frame, { ...ctx, truncated }, { defaultTimeZone });
        const check = syslogRecordSchema.safeParse(record);
        expect(check.success, check.error?.message).toBe(true);
        expect(record.truncated).toBe(truncated ? true : undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps an unparsed frame whole: raw and message are the frame's text", () => {
    fc.assert(
      fc.property(frames, (frame) => {
        const record = parseFrame(frame, ctx, { defaultTimeZone: "UTC" });
        if (record.format === "unparsed") {
          expect(record.raw).toBe(frame.toString("utf8"));
          expect(record.message).toBe(record.raw);
        } else expect(record.raw).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });
});

// ---- RFC 5424 serialiser, independent of the parser, for the round trip ----

const printUsAscii = (max: number) =>
  fc.string({ unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: max }).filter((s) => s !== "-");
const sdName = fc.string({
  unit: fc.integer({ min: 33, max: 126 }).filter((c) => c !== 0x3d && c !== 0x5d && c !== 0x22).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 32,
});
const two = (n: number) => String(n).padStart(2, "0");
const timestamp = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }),
    offset: fc.oneof(fc.constant("Z"), fc.tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([s, h, m]) => `${s}${two(h)}:${two(m)}`)),
  })
  .map((t) => {
    const day = Math.min(t.day, daysInMonth(t.year, t.month));
    return `${String(t.year).padStart(4, "0")}-${two(t.month)}-${two(day)}T${two(t.hour)}:${two(t.minute)}:${two(t.second)}${t.fraction === undefined ? "" : `.${t.fraction}`}${t.offset}`;
  });
/** Any text, with the characters §6.3.3 escapes (and other SD syntax) made frequent. */
const paramValue = fc.string({
  unit: fc.oneof(fc.constantFrom('"', "\\", "]", "[", "=", " ", "\\n"), fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })),
  maxLength: 20,
});
const element = fc.tuple(sdName, fc.array(fc.tuple(sdName, paramValue), { maxLength: 4 }));
const message = fc
  .string({ unit: "grapheme", maxLength: 200 })
  // parseFrame drops a trailing CR/LF (framing), and a leading U+FEFF is the BOM.
  .filter((m) => !/[\r\n]$/.test(m) && !m.startsWith("\ufeff"));

const fields = fc.record({
  prival: fc.integer({ min: 0, max: 191 }),
  timestamp: fc.option(timestamp),
  hostname: fc.option(printUsAscii(255)),
  appName: fc.option(printUsAscii(48)),
  procId: fc.option(printUsAscii(128)),
  msgId: fc.option(printUsAscii(32)),
  elements: fc.uniqueArray(element, { selector: ([id]) => id, maxLength: 4 }),
  message,
  bom: fc.boolean(),
  spaceBeforeEmptyMessage: fc.boolean(),
});
type Fields = typeof fields extends fc.Arbitrary<infer T> ? T : never;

const escape = (v: string) => v.replace(/["\\\]]/g, (c) => `\\${c}`);

function serialize5424(f: Fields): Buffer {
  const sd = f.elements.length === 0 ? "-" : f.elements.map(([id, params]) => `[${id}${params.map(([n, v]) => ` ${n}="${escape(v)}"`).join("")}]`).join("");
  const header = `<${f.prival}>1 ${f.timestamp ?? "-"} ${f.hostname ?? "-"} ${f.appName ?? "-"} ${f.procId ?? "-"} ${f.msgId ?? "-"} ${sd}`;
  const msg = f.message === "" && !f.spaceBeforeEmptyMessage && !f.bom ? "" : ` ${f.bom ? "\ufeff" : ""}${f.message}`;
  return Buffer.from(header + msg, "utf8");
}

function expectedSd(f: Fields): Record<string, Record<string, string | string[]>> | null {
  if (f.elements.length === 0) return null;
  const entries = f.elements.map(([id, params]) => {
    const grouped = new Map<string, string[]>();
    for (const [n, v] of params) grouped.set(n, [...(grouped.get(n) ?? []), v]);
    return [id, Object.fromEntries([...grouped].map(([n, vs]) => [n, vs.length === 1 ? vs[0]! : vs]))] as const;
  });
  return Object.fromEntries(entries);
}

describe("RFC 5424 round trip", () => {
  it("a generated valid message parses back to the same fields", () => {
    fc.assert(
      fc.property(fields, (f) => {
        const record = parseFrame(serialize5424(f), ctx, { defaultTimeZone: "UTC" });
        expect(record).toMatchObject({
          format: "rfc5424",
          facility: f.prival >> 3,
          severity: f.prival & 7,
          timestamp: f.timestamp,
          hostname: f.hostname,
          app_name: f.appName,
          proc_id: f.procId,
          msg_id: f.msgId,
          message: f.message,
          raw: null,
        });
        expect(JSON.stringify(record.structured_data)).toBe(JSON.stringify(expectedSd(f)));
      }),
      { numRuns: 2000 },
    );
  });
});
