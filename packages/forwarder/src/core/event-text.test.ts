import { describe, expect, it } from "vitest";
import { sampleRecord } from "../testing/sample-record.js";
import { SyslogClock, eventTimeMs, jsonEvent, syslogLine } from "./event-text.js";

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
