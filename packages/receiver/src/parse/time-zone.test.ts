import { describe, expect, it } from "vitest";
import { formatOffset, offsetForLocal, resolveTimeZone } from "./time-zone.js";

const at = (iso: string) => Date.parse(iso);

describe("resolveTimeZone", () => {
  it("reads UTC, fixed offsets and IANA names", () => {
    expect(resolveTimeZone("UTC")?.offsetAt(0)).toBe(0);
    expect(resolveTimeZone("+09:00")?.offsetAt(0)).toBe(540);
    expect(resolveTimeZone("-03:30")?.offsetAt(0)).toBe(-210);
    expect(resolveTimeZone("Asia/Tokyo")?.offsetAt(at("2026-07-01T00:00:00Z"))).toBe(540);
    expect(resolveTimeZone("Asia/Kathmandu")?.offsetAt(at("2026-07-01T00:00:00Z"))).toBe(345);
    expect(resolveTimeZone("Etc/UTC")?.offsetAt(at("2026-07-01T00:00:00Z"))).toBe(0);
  });

  it("follows DST, switching at the right quarter hour", () => {
    const ny = resolveTimeZone("America/New_York")!;
    expect(ny.offsetAt(at("2026-01-15T12:00:00Z"))).toBe(-300);
    expect(ny.offsetAt(at("2026-07-15T12:00:00Z"))).toBe(-240);
    // 2026-03-08 02:00 EST = 07:00Z.
    expect(ny.offsetAt(at("2026-03-08T06:59:59Z"))).toBe(-300);
    expect(ny.offsetAt(at("2026-03-08T07:00:00Z"))).toBe(-240);
    // St. John's switches at 02:00 NST = 05:30Z, in the middle of an hour.
    const nl = resolveTimeZone("America/St_Johns")!;
    expect(nl.offsetAt(at("2026-03-08T05:29:59Z"))).toBe(-210);
    expect(nl.offsetAt(at("2026-03-08T05:30:00Z"))).toBe(-150);
  });

  it("returns null for names it cannot use, and caches the answer", () => {
    expect(resolveTimeZone("Mars/Olympus")).toBeNull();
    expect(resolveTimeZone("+25:00")).toBeNull();
    expect(resolveTimeZone("Asia/Tokyo")).toBe(resolveTimeZone("Asia/Tokyo"));
  });
});

describe("offsetForLocal / formatOffset", () => {
  it("finds the offset of a wall-clock time on either side of a DST change", () => {
    const berlin = resolveTimeZone("Europe/Berlin")!;
    expect(offsetForLocal(berlin, at("2026-03-29T01:59:00Z"))).toBe(60); // 01:59 CET
    expect(offsetForLocal(berlin, at("2026-03-29T03:00:00Z"))).toBe(120); // 03:00 CEST
    expect(offsetForLocal(berlin, at("2026-10-25T04:00:00Z"))).toBe(60);
    expect([60, 120]).toContain(offsetForLocal(berlin, at("2026-03-29T02:30:00Z"))); // does not exist
  });

  it("formats ISO 8601 offsets", () => {
    expect(formatOffset(0)).toBe("Z");
    expect(formatOffset(540)).toBe("+09:00");
    expect(formatOffset(-210)).toBe("-03:30");
    expect(formatOffset(345)).toBe("+05:45");
  });
});
