import { describe, expect, it } from "vitest";
import type { FrameContext } from "./context.js";
import { parseRfc5424 } from "./rfc5424.js";
import { frameContext } from "./testing/frame-context.js";

const ctx: FrameContext = frameContext({ tlsPeer: "aws-syslog" });

const BOM = "\ufeff";

type Fields = {
  facility: number;
  severity: number;
  timestamp: string | null;
  hostname: string | null;
  app_name: string | null;
  proc_id: string | null;
  msg_id: string | null;
  structured_data: unknown;
  message: string;
  message_json?: unknown;
};

describe("parseRfc5424: real sender lines", () => {
  it.each<[string, string, Fields]>([
    [
      "RFC 5424 §6.5 example 1 (BOM before MSG)",
      `<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`,
      { facility: 4, severity: 2, timestamp: "2003-10-11T22:14:15.003Z", hostname: "mymachine.example.com", app_name: "su", proc_id: null, msg_id: "ID47", structured_data: null, message: "'su root' failed for lonvick on /dev/pts/8" },
    ],
    [
      "RFC 5424 §6.5 example 2 (offset kept as sent, IPv4 host)",
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
      { facility: 20, severity: 5, timestamp: "2003-08-24T05:14:15.000003-07:00", hostname: "192.0.2.1", app_name: "myproc", proc_id: "8710", msg_id: null, structured_data: null, message: "%% It's time to make the do-nuts." },
    ],
    [
      "RFC 5424 §6.5 example 3 (SD and MSG)",
      `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ${BOM}An application event log entry...`,
      { facility: 20, severity: 5, timestamp: "2003-10-11T22:14:15.003Z", hostname: "mymachine.example.com", app_name: "evntslog", proc_id: null, msg_id: "ID47", structured_data: { "exampleSDID@32473": { iut: "3", eventSource: "Application", eventID: "1011" } }, message: "An application event log entry..." },
    ],
    [
      "RFC 5424 §6.5 example 4 (two SD elements, no MSG)",
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
      { facility: 20, severity: 5, timestamp: "2003-10-11T22:14:15.003Z", hostname: "mymachine.example.com", app_name: "evntslog", proc_id: null, msg_id: "ID47", structured_data: { "exampleSDID@32473": { iut: "3", eventSource: "Application", eventID: "1011" }, "examplePriority@32473": { class: "high" } }, message: "" },
    ],
    [
      "rsyslog RSYSLOG_SyslogProtocol23Format with its origin SD",
      '<46>1 2026-11-23T19:00:00.123456+09:00 web01 rsyslogd - - [origin software="rsyslogd" swVersion="8.2312.0" x-pid="812" x-info="https://www.rsyslog.com"] start',
      { facility: 5, severity: 6, timestamp: "2026-11-23T19:00:00.123456+09:00", hostname: "web01", app_name: "rsyslogd", proc_id: null, msg_id: null, structured_data: { origin: { software: "rsyslogd", swVersion: "8.2312.0", "x-pid": "812", "x-info": "https://www.rsyslog.com" } }, message: "start" },
    ],
    [
      "util-linux logger (default RFC 5424 with timeQuality)",
      '<13>1 2026-11-23T10:00:00.512345+00:00 web01 alice - - [timeQuality tzKnown="1" isSynced="1" syncAccuracy="89000"] hello world',
      { facility: 1, severity: 5, timestamp: "2026-11-23T10:00:00.512345+00:00", hostname: "web01", app_name: "alice", proc_id: null, msg_id: null, structured_data: { timeQuality: { tzKnown: "1", isSynced: "1", syncAccuracy: "89000" } }, message: "hello world" },
    ],
    [
      "OneGate: local0, JSON object as MSG",
      '<134>1 2026-11-23T19:00:00.5+09:00 onegate OneGate - AUTH - {"event":"login","result":"failure","user":"alice"}',
      { facility: 16, severity: 6, timestamp: "2026-11-23T19:00:00.5+09:00", hostname: "onegate", app_name: "OneGate", proc_id: null, msg_id: "AUTH", structured_data: null, message: '{"event":"login","result":"failure","user":"alice"}', message_json: { event: "login", result: "failure", user: "alice" } },
    ],
    [
      "the load generator's line",
      "<38>1 2026-11-23T10:00:00.000000+00:00 localhost prg00000 1234 - - seq: 0000000001, thread: 0000, runid: 1700000000, stamp: 2026-11-23T10:00:00 PADDPADD",
      { facility: 4, severity: 6, timestamp: "2026-11-23T10:00:00.000000+00:00", hostname: "localhost", app_name: "prg00000", proc_id: "1234", msg_id: null, structured_data: null, message: "seq: 0000000001, thread: 0000, runid: 1700000000, stamp: 2026-11-23T10:00:00 PADDPADD" },
    ],
    [
      "all NILVALUE, PRI 0, no MSG",
      "<0>1 - - - - - -",
      { facility: 0, severity: 0, timestamp: null, hostname: null, app_name: null, proc_id: null, msg_id: null, structured_data: null, message: "" },
    ],
    [
      "PRI 191 and an empty MSG after SP",
      "<191>1 - h a p m - ",
      { facility: 23, severity: 7, timestamp: null, hostname: "h", app_name: "a", proc_id: "p", msg_id: "m", structured_data: null, message: "" },
    ],
    [
      "MSG that is UTF-8 without BOM, with spaces kept",
      "<14>1 2026-11-23T10:00:00Z h a - - -   日本語  ",
      { facility: 1, severity: 6, timestamp: "2026-11-23T10:00:00Z", hostname: "h", app_name: "a", proc_id: null, msg_id: null, structured_data: null, message: "  日本語  " },
    ],
    [
      "a field that starts with '-' is not NILVALUE",
      "<14>1 - -h -a - - - x",
      { facility: 1, severity: 6, timestamp: null, hostname: "-h", app_name: "-a", proc_id: null, msg_id: null, structured_data: null, message: "x" },
    ],
  ])("%s", (_name, line, fields) => {
    const record = parseRfc5424(line, ctx);
    expect(record).not.toBeNull();
    expect(record).toMatchObject({ ...fields, message_json: fields.message_json ?? null, format: "rfc5424", raw: null });
  });

  it("fills the names and the connection's fields", () => {
    expect(parseRfc5424("<134>1 - h a - - - x", ctx)).toEqual({
      v: 1, received_at: "2026-11-23T10:00:00.123Z", timestamp: null, facility: 16, severity: 6,
      facility_name: "local0", severity_name: "info", hostname: "h", app_name: "a", proc_id: null, msg_id: null,
      structured_data: null, message: "x", message_json: null, format: "rfc5424",
      source_ip: "192.0.2.10", source_port: 51514, tls_peer: "aws-syslog", listener: "tls", raw: null,
    });
  });

  it("sets message_json only for a JSON object", () => {
    const json = (msg: string) => parseRfc5424(`<134>1 - h a - - - ${msg}`, ctx)?.message_json;
    expect(json('  {"a":{"b":[1,2]}} ')).toEqual({ a: { b: [1, 2] } });
    expect(json("[1,2]")).toBeNull();
    expect(json('"text"')).toBeNull();
    expect(json("{not json")).toBeNull();
    expect(json("{}")).toEqual({});
    expect(json("42")).toBeNull();
  });

  it("accepts header fields at their length limits and refuses one more", () => {
    const line = (h: number, a: number, p: number, m: number) => `<14>1 - ${"h".repeat(h)} ${"a".repeat(a)} ${"p".repeat(p)} ${"m".repeat(m)} - x`;
    expect(parseRfc5424(line(255, 48, 128, 32), ctx)?.hostname).toHaveLength(255);
    expect(parseRfc5424(line(256, 48, 128, 32), ctx)).toBeNull();
    expect(parseRfc5424(line(255, 49, 128, 32), ctx)).toBeNull();
    expect(parseRfc5424(line(255, 48, 129, 32), ctx)).toBeNull();
    expect(parseRfc5424(line(255, 48, 128, 33), ctx)).toBeNull();
  });
});

describe("parseRfc5424: not RFC 5424", () => {
  it.each([
    ["empty", ""],
    ["no PRI", "1 - - - - - - x"],
    ["PRI 192", "<192>1 - - - - - - x"],
    ["PRI with a leading zero", "<013>1 - - - - - - x"],
    ["PRI '<00>'", "<00>1 - - - - - - x"],
    ["PRI of four digits", "<0013>1 - - - - - - x"],
    ["empty PRI", "<>1 - - - - - - x"],
    ["version 2", "<13>2 - - - - - - x"],
    ["version 10", "<13>10 - - - - - - x"],
    ["BSD timestamp (RFC 3164)", "<13>Oct 11 22:14:15 host app: x"],
    ["month 13", "<13>1 2026-13-01T00:00:00Z h a - - - x"],
    ["seven fraction digits", "<13>1 2026-11-23T10:00:00.1234567Z h a - - - x"],
    ["timestamp without zone", "<13>1 2026-11-23T10:00:00 h a - - - x"],
    ["two spaces between fields", "<13>1 -  h a - - - x"],
    ["header cut short", "<13>1 - h a - -"],
    ["MSGID missing", "<13>1 - h a -"],
    ["non-ASCII hostname", "<13>1 - hôst a - - - x"],
    ["tab in APP-NAME", "<13>1 - h a\tb - - - x"],
    ["SD not followed by SP", '<13>1 - h a - - [a x="1"]x'],
    ["NILVALUE SD not followed by SP", "<13>1 - h a - - -x"],
    ["malformed SD", '<13>1 - h a - - [a x=1] x'],
  ])("%s", (_why, line) => {
    expect(parseRfc5424(line, ctx)).toBeNull();
  });
});
