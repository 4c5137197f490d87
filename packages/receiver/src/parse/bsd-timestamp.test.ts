import { describe, expect, it } from "vitest";
import { bsdTimestamp, daysFromCivil, scanBsdTimestamp, yearOfDays, type ScannedBsdTimestamp, type WallTime } from "./bsd-timestamp.js";
import { resolveTimeZone } from "./time-zone.js";

const at = (iso: string) => Date.parse(iso);
const wall = (month: number, day: number, hour = 12, year: number | null = null): WallTime => ({ month, day, year, hour, minute: 0, second: 0, fraction: "" });

describe("civil date arithmetic", () => {
  it("matches Date.UTC over four centuries", () => {
    for (let y = 1900; y <= 2300; y += 7) {
      for (const [m, d] of [[1, 1], [2, 28], [3, 1], [12, 31]] as const) {
        const days = daysFromCivil(y, m, d);
        expect(days * 86_400_000).toBe(Date.UTC(y, m - 1, d));
        expect(yearOfDays(days)).toBe(y);
      }
    }
  });
});

describe("bsdTimestamp: year inference around the receive time", () => {
  const utc = resolveTimeZone("UTC");
  it.each([
    ["same day", wall(11, 23, 9), "2026-11-23T10:00:00Z", "2026-11-23T09:00:00Z"],
    ["December stamp received in January: last year", wall(12, 31, 23), "2027-01-01T00:05:00Z", "2026-12-31T23:00:00Z"],
    ["January stamp received on Dec 31 (sender ahead): next year", wall(1, 1, 0), "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"],
    ["five months ago: this year", wall(6, 1), "2026-11-23T10:00:00Z", "2026-06-01T12:00:00Z"],
    ["Feb 29 only exists in a leap year", wall(2, 29), "2028-03-01T00:00:00Z", "2028-02-29T12:00:00Z"],
  ])("%s", (_why, t, received, expected) => {
    expect(bsdTimestamp(t, utc, at(received))).toBe(expected);
  });

  it("uses the zone's offset at that date (DST) and keeps the fraction as sent", () => {
    const ny = resolveTimeZone("America/New_York");
    const received = at("2026-11-23T10:00:00Z");
    expect(bsdTimestamp({ ...wall(7, 4, 9), fraction: ".345" }, ny, received)).toBe("2026-07-04T09:00:00.345-04:00");
    expect(bsdTimestamp(wall(11, 20, 9), ny, received)).toBe("2026-11-20T09:00:00-05:00");
    expect(bsdTimestamp(wall(11, 20, 9), resolveTimeZone("+09:00"), received)).toBe("2026-11-20T09:00:00+09:00");
  });

  it("decides the year in the zone's local time", () => {
    // 2027-01-01T08:00+09:00 is still 2026 in UTC; a "Dec 31 23:00" stamp from Tokyo is 2026.
    expect(bsdTimestamp(wall(12, 31, 23), resolveTimeZone("Asia/Tokyo"), at("2026-12-31T23:30:00Z"))).toBe("2026-12-31T23:00:00+09:00");
  });

  it("uses a year the sender gave (Cisco ASA)", () => {
    expect(bsdTimestamp(wall(1, 12, 10, 2020), utc, at("2026-11-23T10:00:00Z"))).toBe("2020-01-12T10:00:00Z");
  });

  it("returns null for times that do not exist or an unknown zone", () => {
    const received = at("2026-11-23T10:00:00Z");
    expect(bsdTimestamp(wall(2, 30), utc, received)).toBeNull();
    expect(bsdTimestamp(wall(2, 29, 12, 2026), utc, received)).toBeNull();
    expect(bsdTimestamp(wall(4, 31), utc, received)).toBeNull();
    expect(bsdTimestamp(wall(1, 1, 24), utc, received)).toBeNull();
    expect(bsdTimestamp(wall(1, 0), utc, received)).toBeNull();
    expect(bsdTimestamp(wall(1, 1), null, received)).toBeNull();
  });
});

describe("scanBsdTimestamp", () => {
  const scan = (s: string) => {
    const out: ScannedBsdTimestamp = { month: 0, day: 0, year: null, hour: 0, minute: 0, second: 0, fraction: "", utc: false };
    const end = scanBsdTimestamp(s, 0, out);
    return end < 0 ? null : { end, ...out };
  };

  it.each([
    ["Oct 11 22:14:15 host", { end: 15, month: 10, day: 11, year: null, hour: 22, minute: 14, second: 15, fraction: "", utc: false }],
    ["Mar  1 00:01:02.345: %SYS", { end: 19, month: 3, day: 1, fraction: ".345" }],
    ["Mar 01 00:01:02 x", { end: 15, month: 3, day: 1 }],
    ["Mar 1 00:01:02 x", { end: 14, month: 3, day: 1 }],
    ["DEC 31 23:59:59", { end: 15, month: 12, day: 31 }],
    ["jan 12 2026 10:11:12: %ASA", { end: 20, month: 1, year: 2026, hour: 10 }],
    ["Mar  1 00:01:02.345 UTC: %SYS", { end: 23, utc: true, fraction: ".345" }],
    ["Mar  1 00:01:02 GMT: %SYS", { end: 19, utc: true }],
    ["Mar  1 00:01:02 JST: %SYS", { end: 19, utc: false }],
    ["Mar  1 00:01:02 ROUTER: x", { end: 15, utc: false }], // six capitals: a hostname, not a zone
    ["Mar  1 00:01:02 CORE x", { end: 15, utc: false }], // no ": " after it: a hostname
    ["Mar  1 00:01:02.1234567 x", { end: 22, fraction: ".123456" }], // the caller refuses what follows
    ["Feb 30 25:61:61 x", { end: 15, day: 30, hour: 25, minute: 61, second: 61 }], // ranges checked later
  ])("%s", (s, expected) => {
    expect(scan(s)).toMatchObject(expected);
  });

  it.each(["Foo 11 22:14:15", "Oct 11 22:14", "Oct 11 2:14:15", "Oct11 22:14:15", "Oct   1 22:14:15", "Oct 111 22:14:15", "Oct 11 26 22:14:15", "Oc", ""])(
    "refuses %j",
    (s) => {
      expect(scan(s)).toBeNull();
    },
  );
});
