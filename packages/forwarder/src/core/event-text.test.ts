import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { sampleRecord } from "../testing/sample-record.js";
import { SyslogClock, eventTimeMs, jsonEvent, parseIsoTimeMs, syslogLine } from "./event-text.js";

const utc = new SyslogClock("UTC");
const line = (overrides: Parameters<typeof sampleRecord>[0], clock = utc) => {
  const record = sampleRecord(overrides);
  return syslogLine(record, eventTimeMs(record), clock);
};

describe("eventTimeMs", () => {
  it("uses the sender's timestamp with its offset, else received_at", () => {
    expect(eventTimeMs(sampleRecord({ timestamp: "2026-11-23T19:00:00.250+09:00" }))).toBe(Date.parse("2026-11-23T10:00:00.250Z"));
    expect(eventTimeMs(sampleRecord({ timestamp: null, received_at: "2026-01-02T03:04:05.006Z" }))).toBe(Date.parse("2026-01-02T03:04:05.006Z"));
    expect(eventTimeMs(sampleRecord({ timestamp: "garbage", received_at: "2026-01-02T03:04:05.006Z" }))).toBe(Date.parse("2026-01-02T03:04:05.006Z"));
  });
});

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

describe("SyslogClock", () => {
  it("renders each time on its own second even when consecutive times share one", () => {
    const clock = new SyslogClock("UTC");
    const at = Date.parse("2026-11-23T10:00:00.000Z");
    expect([at, at + 999, at + 1000, at - 1, at].map((ms) => clock.timestamp(ms))).toEqual(
      ["Nov 23 10:00:00", "Nov 23 10:00:00", "Nov 23 10:00:01", "Nov 23 09:59:59", "Nov 23 10:00:00"]);
  });
});

describe("syslogLine (RSYSLOG_TraditionalFileFormat)", () => {
  it.each([
    ["app with pid", {}, "Nov 23 10:00:00 web-1 sshd[123]: héllo ✓"],
    ["day padded with a space", { timestamp: "2026-11-03T09:05:01Z" }, "Nov  3 09:05:01 web-1 sshd[123]: héllo ✓"],
    ["app without pid", { proc_id: null, message: "x" }, "Nov 23 10:00:00 web-1 sshd: x"],
    ["no app", { app_name: null, message: "kernel: boot" }, "Nov 23 10:00:00 web-1 kernel: boot"],
    ["message already starting with a space", { message: " lead" }, "Nov 23 10:00:00 web-1 sshd[123]: lead"],
    ["no hostname: source address", { hostname: null, message: "m" }, "Nov 23 10:00:00 192.0.2.1 sshd[123]: m"],
    ["control characters escaped, last LF dropped", { message: "a\nb\tc\x7f\n" }, "Nov 23 10:00:00 web-1 sshd[123]: a#012b#011c#177"],
    ["unparsed: raw when message is empty", { app_name: null, message: "", raw: "<13>junk" }, "Nov 23 10:00:00 web-1 <13>junk"],
  ])("%s", (_name, overrides, expected) => {
    expect(line(overrides)).toBe(expected);
  });

  it("renders in a configured zone, across a DST change", () => {
    const ny = new SyslogClock("America/New_York");
    expect(line({ timestamp: "2026-03-08T06:59:59Z" }, ny)).toMatch(/^Mar {2}8 01:59:59 /); // EST
    expect(line({ timestamp: "2026-03-08T07:00:00Z" }, ny)).toMatch(/^Mar {2}8 03:00:00 /); // EDT
    expect(line({ timestamp: "2026-12-31T20:00:00Z" }, new SyslogClock("Asia/Kolkata"))).toMatch(/^Jan {2}1 01:30:00 /);
  });
});

describe("jsonEvent", () => {
  it("puts header fields first and the message's JSON fields at top level (sender wins a clash)", () => {
    const record = sampleRecord({ facility: 16, facility_name: "local0", app_name: "onegate", proc_id: null,
      message_json: { user: "alice", result: "failure", hostname: "from-json" }, message: "{...}" });
    expect(JSON.parse(jsonEvent(record))).toEqual({
      timestamp: record.timestamp, received_at: record.received_at, hostname: "from-json", app_name: "onegate",
      facility: 16, facility_name: "local0", severity: 6, severity_name: "info", source_ip: "192.0.2.1",
      user: "alice", result: "failure",
    });
  });

  it("carries a non-JSON message as `message` and defaults timestamp to received_at", () => {
    const record = sampleRecord({ timestamp: null, message: "plain" });
    const event = JSON.parse(jsonEvent(record));
    expect(event).toMatchObject({ message: "plain", timestamp: record.received_at });
    expect(Object.keys(event)[0]).toBe("timestamp");
  });
});
