import { describe, expect, it } from "vitest";
import { rfc3339TimestampEnd } from "./rfc3339-timestamp.js";

describe("rfc3339TimestampEnd (RFC 5424 §6.2.3)", () => {
  it.each([
    "1985-04-12T23:20:50.52Z",
    "1985-04-12T19:20:50.52-04:00",
    "2003-10-11T22:14:15.003Z",
    "2003-08-24T05:14:15.000003-07:00",
    "2026-11-23T10:00:00+09:00",
    "2024-02-29T00:00:00Z", // leap year
    "2000-02-29T23:59:59Z", // divisible by 400
    "2026-12-31T23:59:59.999999+23:59",
  ])("accepts %s and keeps all of it", (ts) => {
    expect(rfc3339TimestampEnd(`${ts} host`, 0, 6)).toBe(ts.length);
  });

  it.each([
    ["month 13", "2026-13-01T00:00:00Z"],
    ["month 00", "2026-00-01T00:00:00Z"],
    ["day 00", "2026-01-00T00:00:00Z"],
    ["Feb 30", "2026-02-30T00:00:00Z"],
    ["Feb 29 in a common year", "2026-02-29T00:00:00Z"],
    ["Feb 29 in 1900", "1900-02-29T00:00:00Z"],
    ["April 31", "2026-04-31T00:00:00Z"],
    ["hour 24", "2026-01-01T24:00:00Z"],
    ["minute 60", "2026-01-01T00:60:00Z"],
    ["leap second (§6.2.3: MUST NOT)", "2026-12-31T23:59:60Z"],
    ["7 fraction digits", "2026-01-01T00:00:00.1234567Z"],
    ["empty fraction", "2026-01-01T00:00:00.Z"],
    ["lower-case t", "2026-01-01t00:00:00Z"],
    ["lower-case z", "2026-01-01T00:00:00z"],
    ["no offset", "2026-01-01T00:00:00"],
    ["offset without colon", "2026-01-01T00:00:00+0900"],
    ["offset hour 24", "2026-01-01T00:00:00+24:00"],
    ["offset minute 60", "2026-01-01T00:00:00+09:60"],
    ["space instead of T", "2026-01-01 00:00:00Z"],
    ["two-digit year", "26-01-01T00:00:00Z"],
    ["cut short", "2026-01-01T00:00"],
    ["BSD timestamp", "Oct 11 22:14:15"],
  ])("rejects %s", (_why, ts) => {
    expect(rfc3339TimestampEnd(ts, 0, 6)).toBe(-1);
  });

  it("reads from an offset inside a longer string", () => {
    const s = "<13>1 2026-11-23T10:00:00Z host";
    expect(rfc3339TimestampEnd(s, 6, 6)).toBe(26);
  });

  it("allows more fraction digits when the caller is lenient", () => {
    expect(rfc3339TimestampEnd("2026-01-01T00:00:00.123456789Z", 0, 9)).toBe(30);
  });
});
