import { describe, expect, it } from "vitest";
import type { FrameContext, ParseOptions } from "./context.js";
import { parseRfc3164 } from "./rfc3164.js";
import { frameContext } from "./testing/frame-context.js";

const ctx: FrameContext = frameContext({ sourceIp: "192.0.2.20", sourcePort: 40000, listener: "tcp" });
const utc: ParseOptions = { defaultTimeZone: "UTC" };

type Fields = {
  facility: number;
  severity: number;
  timestamp: string | null;
  hostname: string | null;
  app_name: string | null;
  proc_id: string | null;
  message: string;
};

describe("parseRfc3164: real sender lines", () => {
  it.each<[string, string, Fields]>([
    [
      "RFC 3164 §5.4 example, no hostname",
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
      { facility: 4, severity: 2, timestamp: "2026-10-11T22:14:15Z", hostname: "mymachine", app_name: "su", proc_id: null, message: "'su root' failed for lonvick on /dev/pts/8" },
    ],
    [
      "no hostname (the TAG's colon is not a hostname character)",
      "<13>Oct 11 22:14:15 su: 'su root' failed",
      { facility: 1, severity: 5, timestamp: "2026-10-11T22:14:15Z", hostname: null, app_name: "su", proc_id: null, message: "'su root' failed" },
    ],
    [
      "TAG with pid (sshd via rsyslog RSYSLOG_ForwardFormat without year)",
      "<38>Nov 23 09:59:58 web01 sshd[1234]: Accepted publickey for alice from 192.0.2.7 port 50522 ssh2",
      { facility: 4, severity: 6, timestamp: "2026-11-23T09:59:58Z", hostname: "web01", app_name: "sshd", proc_id: "1234", message: "Accepted publickey for alice from 192.0.2.7 port 50522 ssh2" },
    ],
    [
      "day padded with a space",
      "<13>Nov  3 00:01:02 host app: x",
      { facility: 1, severity: 5, timestamp: "2026-11-03T00:01:02Z", hostname: "host", app_name: "app", proc_id: null, message: "x" },
    ],
    [
      "day padded with a zero",
      "<13>Nov 03 00:01:02 host app: x",
      { facility: 1, severity: 5, timestamp: "2026-11-03T00:01:02Z", hostname: "host", app_name: "app", proc_id: null, message: "x" },
    ],
    [
      "util-linux logger --rfc3164",
      "<13>Nov 23 10:00:00 web01 alice: hello world",
      { facility: 1, severity: 5, timestamp: "2026-11-23T10:00:00Z", hostname: "web01", app_name: "alice", proc_id: null, message: "hello world" },
    ],
    [
      "TAG with a slash and pid (postfix)",
      "<22>Nov 23 09:00:00 mx1 postfix/smtpd[8812]: connect from unknown[192.0.2.99]",
      { facility: 2, severity: 6, timestamp: "2026-11-23T09:00:00Z", hostname: "mx1", app_name: "postfix/smtpd", proc_id: "8812", message: "connect from unknown[192.0.2.99]" },
    ],
    [
      "TAG longer than RFC 3164's 32 characters",
      "<14>Nov 23 09:00:00 host com.example.very-long-application-name.worker-7[42]: started",
      { facility: 1, severity: 6, timestamp: "2026-11-23T09:00:00Z", hostname: "host", app_name: "com.example.very-long-application-name.worker-7", proc_id: "42", message: "started" },
    ],
    [
      "RFC 3339 timestamp in place of the BSD one (rsyslog accepts it)",
      "<13>2026-11-23T10:00:00Z host app: msg",
      { facility: 1, severity: 5, timestamp: "2026-11-23T10:00:00Z", hostname: "host", app_name: "app", proc_id: null, message: "msg" },
    ],
    [
      "RFC 3339 timestamp with offset and microseconds (rsyslog RSYSLOG_FileFormat)",
      "<30>2026-11-23T19:00:00.123456+09:00 web01 systemd[1]: Started Session 4 of user alice.",
      { facility: 3, severity: 6, timestamp: "2026-11-23T19:00:00.123456+09:00", hostname: "web01", app_name: "systemd", proc_id: "1", message: "Started Session 4 of user alice." },
    ],
    [
      "Cisco IOS: sequence number, '*' (clock not set), milliseconds; Mar 1 is nearer next year than last",
      "<189>123: *Mar  1 00:01:02.345: %SYS-5-CONFIG_I: Configured from console by console",
      { facility: 23, severity: 5, timestamp: "2027-03-01T00:01:02.345Z", hostname: null, app_name: "%SYS-5-CONFIG_I", proc_id: null, message: "Configured from console by console" },
    ],
    [
      "Cisco IOS: '.' (clock lost sync) and a UTC zone name",
      "<187>4711: .Nov 22 23:59:58.001 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
      { facility: 23, severity: 3, timestamp: "2026-11-22T23:59:58.001Z", hostname: null, app_name: "%LINK-3-UPDOWN", proc_id: null, message: "Interface GigabitEthernet0/1, changed state to down" },
    ],
    [
      "Cisco IOS without sequence numbers",
      "<189>Nov 23 09:00:00.123: %SYS-5-CONFIG_I: Configured from console",
      { facility: 23, severity: 5, timestamp: "2026-11-23T09:00:00.123Z", hostname: null, app_name: "%SYS-5-CONFIG_I", proc_id: null, message: "Configured from console" },
    ],
    [
      "Cisco ASA without timestamp",
      "<166>%ASA-6-302013: Built outbound TCP connection 5 for outside:192.0.2.1/443 (192.0.2.1/443) to inside:10.0.0.5/51234 (203.0.113.9/51234)",
      { facility: 20, severity: 6, timestamp: null, hostname: null, app_name: "%ASA-6-302013", proc_id: null, message: "Built outbound TCP connection 5 for outside:192.0.2.1/443 (192.0.2.1/443) to inside:10.0.0.5/51234 (203.0.113.9/51234)" },
    ],
    [
      "Cisco ASA with a year in the timestamp",
      "<166>Jan 12 2026 10:11:12: %ASA-6-302014: Teardown TCP connection 5",
      { facility: 20, severity: 6, timestamp: "2026-01-12T10:11:12Z", hostname: null, app_name: "%ASA-6-302014", proc_id: null, message: "Teardown TCP connection 5" },
    ],
    [
      "Cisco ASA with logging device-id hostname",
      "<166>Jan 12 2026 10:11:12 asa01 : %ASA-6-302014: Teardown TCP connection 5",
      { facility: 20, severity: 6, timestamp: "2026-01-12T10:11:12Z", hostname: "asa01", app_name: "%ASA-6-302014", proc_id: null, message: "Teardown TCP connection 5" },
    ],
    [
      "Juniper SRX RT_FLOW",
      "<14>Nov 23 09:30:00 srx01 RT_FLOW: RT_FLOW_SESSION_CREATE: session created 192.0.2.1/1->198.51.100.1/443",
      { facility: 1, severity: 6, timestamp: "2026-11-23T09:30:00Z", hostname: "srx01", app_name: "RT_FLOW", proc_id: null, message: "RT_FLOW_SESSION_CREATE: session created 192.0.2.1/1->198.51.100.1/443" },
    ],
    [
      "Fortinet key=value without timestamp or TAG: kept whole as MSG",
      '<189>date=2026-11-23 time=10:00:00 devname="FGT60F" logid="0000000013" type="traffic" action="accept"',
      { facility: 23, severity: 5, timestamp: null, hostname: null, app_name: null, proc_id: null, message: 'date=2026-11-23 time=10:00:00 devname="FGT60F" logid="0000000013" type="traffic" action="accept"' },
    ],
    [
      "no PRI: user.notice, rest still parsed",
      "Nov 23 09:00:00 host app[7]: no pri here",
      { facility: 1, severity: 5, timestamp: "2026-11-23T09:00:00Z", hostname: "host", app_name: "app", proc_id: "7", message: "no pri here" },
    ],
    [
      "no PRI and no timestamp but a TAG",
      "%ASA-4-106023: Deny tcp src outside:192.0.2.1/1 dst inside:10.0.0.1/22",
      { facility: 1, severity: 5, timestamp: null, hostname: null, app_name: "%ASA-4-106023", proc_id: null, message: "Deny tcp src outside:192.0.2.1/1 dst inside:10.0.0.1/22" },
    ],
    [
      "no timestamp and a colon that is not a TAG's: kept whole as MSG",
      "<14>see http://example.com/a:b for details",
      { facility: 1, severity: 6, timestamp: null, hostname: null, app_name: null, proc_id: null, message: "see http://example.com/a:b for details" },
    ],
    [
      "TAG with an empty pid and brackets inside the message",
      "<14>Nov 23 09:00:00 host app[]: x [y] z",
      { facility: 1, severity: 6, timestamp: "2026-11-23T09:00:00Z", hostname: "host", app_name: "app", proc_id: null, message: "x [y] z" },
    ],
    [
      "space before the timestamp (HP ProCurve)",
      "<14> Nov 23 09:00:00 sw01 ports: port 3 is now on-line",
      { facility: 1, severity: 6, timestamp: "2026-11-23T09:00:00Z", hostname: "sw01", app_name: "ports", proc_id: null, message: "port 3 is now on-line" },
    ],
    [
      "IPv6 hostname",
      "<14>Nov 23 09:00:00 2001:db8::1 app: x",
      { facility: 1, severity: 6, timestamp: "2026-11-23T09:00:00Z", hostname: "2001:db8::1", app_name: "app", proc_id: null, message: "x" },
    ],
    [
      "TAG without colon after a timestamp (rsyslog: first word is the TAG)",
      "<14>Nov 23 09:00:00 host kernel message without colon",
      { facility: 1, severity: 6, timestamp: "2026-11-23T09:00:00Z", hostname: "host", app_name: "kernel", proc_id: null, message: "message without colon" },
    ],
    [
      "leading zero in PRI (lenient)",
      "<013>Nov 23 09:00:00 host app: x",
      { facility: 1, severity: 5, timestamp: "2026-11-23T09:00:00Z", hostname: "host", app_name: "app", proc_id: null, message: "x" },
    ],
    [
      "impossible date: timestamp null, the rest still parsed",
      "<14>Feb 30 09:00:00 host app: x",
      { facility: 1, severity: 6, timestamp: null, hostname: "host", app_name: "app", proc_id: null, message: "x" },
    ],
    [
      "header only",
      "<14>Nov 23 09:00:00 host",
      { facility: 1, severity: 6, timestamp: "2026-11-23T09:00:00Z", hostname: "host", app_name: null, proc_id: null, message: "" },
    ],
  ])("%s", (_name, line, fields) => {
    const record = parseRfc3164(line, ctx, utc);
    expect(record).not.toBeNull();
    expect(record).toMatchObject({ ...fields, msg_id: null, structured_data: null, format: "rfc3164", raw: null });
  });

  it("reads the timestamp in the default zone: fixed offset, IANA name with DST", () => {
    const line = "<13>Jul  4 09:00:00 host app: x";
    expect(parseRfc3164(line, ctx, { defaultTimeZone: "+09:00" })?.timestamp).toBe("2026-07-04T09:00:00+09:00");
    expect(parseRfc3164(line, ctx, { defaultTimeZone: "Asia/Tokyo" })?.timestamp).toBe("2026-07-04T09:00:00+09:00");
    expect(parseRfc3164(line, ctx, { defaultTimeZone: "America/New_York" })?.timestamp).toBe("2026-07-04T09:00:00-04:00");
    expect(parseRfc3164("<13>Nov 20 09:00:00 host app: x", ctx, { defaultTimeZone: "America/New_York" })?.timestamp).toBe("2026-11-20T09:00:00-05:00");
  });

  it("keeps an RFC 3339 timestamp's own offset whatever the default zone", () => {
    expect(parseRfc3164("<13>2026-11-23T10:00:00-03:00 host app: x", ctx, { defaultTimeZone: "Asia/Tokyo" })?.timestamp).toBe("2026-11-23T10:00:00-03:00");
  });

  it("gives a December line received in January last year", () => {
    const january: FrameContext = { ...ctx, receivedAtMs: Date.parse("2027-01-01T00:00:30Z") };
    expect(parseRfc3164("<13>Dec 31 23:59:59 host app: x", january, utc)?.timestamp).toBe("2026-12-31T23:59:59Z");
  });

  it("leaves the timestamp null, not invented, when the zone is unusable", () => {
    const record = parseRfc3164("<13>Nov 23 09:00:00 host app: x", ctx, { defaultTimeZone: "Not/AZone" });
    expect(record).toMatchObject({ timestamp: null, hostname: "host", app_name: "app", message: "x" });
  });

  it("sets message_json for a JSON object MSG", () => {
    expect(parseRfc3164('<134>Nov 23 09:00:00 host app: {"k":"v"}', ctx, utc)?.message_json).toEqual({ k: "v" });
  });
});

describe("parseRfc3164: not a syslog line", () => {
  it.each([
    ["empty", ""],
    ["plain words, no PRI", "hello world"],
    ["a URL, no PRI", "http://example.com/"],
    ["PRI 192", "<192>Nov 23 09:00:00 host app: x"],
    ["bad PRI", "<1x>Nov 23 09:00:00 host app: x"],
    ["PRI only", "<13>"],
    ["binary after a PRI", "<13>\u0000\u0001\u0002\u00ff: x"],
    ["undecodable bytes after a PRI", "<13>\ufffd\ufffd\ufffd"],
    ["binary without PRI", "\u0016\u0003\u0001\u0000\u00a5\u0001"],
  ])("%s", (_why, line) => {
    expect(parseRfc3164(line, ctx, utc)).toBeNull();
  });
});
