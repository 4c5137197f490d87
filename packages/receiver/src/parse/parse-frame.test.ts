import { syslogRecordSchema } from "@aws-syslog/record";
import { describe, expect, it } from "vitest";
import type { FrameContext, ParseOptions } from "./context.js";
import { parseFrame } from "./parse-frame.js";
import { parseRfc5424 } from "./rfc5424.js";
import { frameContext } from "./testing/frame-context.js";

const ctx: FrameContext = frameContext({ sourceIp: "2001:db8::7", sourcePort: 6514, tlsPeer: "onegate.example.com" });
const options: ParseOptions = { defaultTimeZone: "Asia/Tokyo" };
const parse = (frame: string | Buffer, c: FrameContext = ctx) =>
  parseFrame(typeof frame === "string" ? Buffer.from(frame) : frame, c, options);

describe("parseFrame: dispatch", () => {
  it("parses RFC 5424 strictly", () => {
    expect(parse('<134>1 2026-11-23T19:00:00+09:00 onegate OneGate - - - {"a":1}')).toMatchObject({
      format: "rfc5424", facility: 16, facility_name: "local0", severity_name: "info", message_json: { a: 1 }, raw: null,
    });
  });

  it("falls back to RFC 3164 when the RFC 5424 header is invalid, keeping the text after PRI", () => {
    expect(parse("<13>1 2026-13-01T00:00:00Z h a - - - x")).toMatchObject({
      format: "rfc3164", facility: 1, severity: 5, timestamp: null, hostname: null, app_name: null,
      message: "1 2026-13-01T00:00:00Z h a - - - x", raw: null,
    });
  });

  it("reads RFC 3164 in the default zone", () => {
    expect(parse("<38>Nov 23 19:00:00 web01 sshd[1]: x")).toMatchObject({ format: "rfc3164", timestamp: "2026-11-23T19:00:00+09:00" });
  });

  it("drops the trailing LF / CRLF of a parsed frame, not of an unparsed one", () => {
    expect(parse("<13>1 - h a - - - x\n").message).toBe("x");
    expect(parse("<13>1 - h a - - - x\r\n").message).toBe("x");
    expect(parse("<13>Nov 23 10:00:00 h a: x\n").message).toBe("x");
    expect(parse("not syslog\r\n")).toMatchObject({ format: "unparsed", message: "not syslog\r\n", raw: "not syslog\r\n" });
  });

  it("replaces invalid UTF-8 in MSG with U+FFFD", () => {
    const frame = Buffer.concat([Buffer.from("<13>1 - h a - - - ok "), Buffer.from([0xff, 0xc3]), Buffer.from(" end")]);
    expect(parse(frame)).toMatchObject({ format: "rfc5424", message: "ok \ufffd\ufffd end" });
  });

  it("removes only the BOM bytes at the start of MSG", () => {
    const frame = Buffer.concat([Buffer.from("<13>1 - h a - - - "), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("x\ufeffy")]);
    expect(parse(frame).message).toBe("x\ufeffy");
  });
});

describe("parseFrame: unparsed", () => {
  it.each<[string, Buffer, number, number]>([
    ["empty frame", Buffer.alloc(0), 1, 5],
    ["binary garbage (a TLS ClientHello on the plain port)", Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]), 1, 5],
    ["PRI above 191", Buffer.from("<192>Nov 23 10:00:00 h a: x"), 1, 5],
    ["valid PRI then nothing", Buffer.from("<14>"), 1, 6],
    ["valid PRI then binary", Buffer.from([0x3c, 0x33, 0x34, 0x3e, 0x00, 0x01, 0xfe]), 4, 2],
    ["text without PRI, timestamp or TAG", Buffer.from("GET / HTTP/1.1"), 1, 5],
  ])("%s: kept whole in raw", (_why, frame, facility, severity) => {
    const text = frame.toString("utf8");
    const record = parse(frame);
    expect(record).toMatchObject({
      format: "unparsed", facility, severity, message: text, raw: text,
      timestamp: null, hostname: null, app_name: null, proc_id: null, msg_id: null, structured_data: null, message_json: null,
    });
    expect(syslogRecordSchema.safeParse(record).success).toBe(true);
  });
});

describe("parseFrame: record shape", () => {
  it("copies the connection's fields and sets truncated only when the framer cut the frame", () => {
    const plain = parse("<13>1 - h a - - - x");
    expect(plain).toMatchObject({ received_at: ctx.receivedAt, source_ip: "2001:db8::7", source_port: 6514, tls_peer: "onegate.example.com", listener: "tls" });
    expect("truncated" in plain).toBe(false);
    for (const frame of ["<13>1 - h a - - - x", "<13>Nov 23 10:00:00 h a: x", "\u0000"]) {
      expect(parse(frame, { ...ctx, truncated: true }).truncated).toBe(true);
    }
  });

  it("gives every format the same keys in the same order (one hidden class)", () => {
    const keys = ["<13>1 - h a - - - x", "<13>Nov 23 10:00:00 h a: x", "\u0000"].map((f) => Object.keys(parse(f)).join());
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(
      "v,received_at,timestamp,facility,severity,facility_name,severity_name,hostname,app_name,proc_id,msg_id,structured_data,message,message_json,format,source_ip,source_port,tls_peer,listener,raw",
    );
  });

  it("never throws on a huge frame of one character", () => {
    expect(parse(Buffer.alloc(1 << 20, "<")).format).toBe("unparsed");
    expect(parse(Buffer.alloc(1 << 20, "[")).format).toBe("unparsed");
  });
});

describe("parseFrame with a BOM before MSG", () => {
  const ctx = frameContext({ sourceIp: null, sourcePort: null });
  it.each([
    "<38>1 2026-11-23T10:00:00+00:00 vm prg00000 1234 - - \uFEFFseq: 1 PADD",
    '<38>1 - vm app - - [a@1 x="1"] \uFEFF{"user":"bob"}\n',
    "<38>1 - vm app - - - \uFEFFdéjà vu\r\n",
    "<38>1 - vm app - - - \uFEFF",
  ])("gives the record the plain decode gives: %j", (line) => {
    const viaBytes = parseFrame(Buffer.from(line), ctx, { defaultTimeZone: "UTC" });
    expect(viaBytes.format).toBe("rfc5424");
    expect(viaBytes.message).not.toContain("\uFEFF");
    expect(viaBytes).toEqual(parseRfc5424(line.replace(/[\r\n]+$/, ""), ctx));
  });

  it("keeps a BOM that is not where RFC 5424 puts it", () => {
    const r = parseFrame(Buffer.from("<13>Nov 23 10:00:00 host app: a \uFEFF b"), ctx, { defaultTimeZone: "UTC" });
    expect(r.message).toBe("a \uFEFF b");
  });
});
