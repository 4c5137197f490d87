import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseIsoTimeMs } from "./iso-time.js";

describe("parseIsoTimeMs", () => {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  it("is Date.parse, for the receiver's shapes, values out of range and malformed text", () => {
    const iso = fc.record({
      year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 0, max: 13 }), day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 25 }), minute: fc.integer({ min: 0, max: 61 }), second: fc.integer({ min: 0, max: 61 }),
      fraction: fc.option(fc.stringMatching(/^[0-9]{0,5}$/), { nil: undefined }),
      zone: fc.oneof(fc.constantFrom("Z", "z", "", "+00:00", "-00:00", "+0900", "+24:00", "-05:60"),
        fc.tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(([s, h, m]) => `${s}${pad(h, 2)}:${pad(m, 2)}`)),
    }).map((t) => `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction === undefined ? "" : `.${t.fraction}`}${t.zone}`);
    fc.assert(fc.property(fc.oneof(iso, fc.string(), iso.map((s) => s.replace(/[0-9]/, "x"))), (text) => {
      expect(parseIsoTimeMs(text)).toBe(Date.parse(text));
    }), { numRuns: 5000 });
  });

  it.each(["2026-11-23T19:00:00.250+09:00", "2026-11-23T13:15:40.157Z", "2024-05-06T16:00:00.5+09:00", "1969-12-31T23:59:59.999Z", "2026-02-28T23:59:59-12:30"])("parses %s", (text) => {
    expect(parseIsoTimeMs(text)).toBe(Date.parse(text));
  });
});
