import { describe, expect, it } from "vitest";
import { encodeRelpFrame, RelpParser, type RelpFrame, type RelpParseError } from "./relp-parser.js";

function parse(input: string | Buffer, maxDataBytes = 1024): { frames: Array<{ txnr: number; command: string; data: string }>; errors: RelpParseError[] } {
  const frames: RelpFrame[] = [];
  const errors: RelpParseError[] = [];
  new RelpParser(maxDataBytes, { frame: (f) => frames.push(f), error: (e) => errors.push(e) }).push(Buffer.isBuffer(input) ? input : Buffer.from(input, "latin1"));
  return { frames: frames.map((f) => ({ txnr: f.txnr, command: f.command, data: f.data.toString("latin1") })), errors };
}

// Frames as rsyslog's omrelp (librelp 1.x) sends them.
const OPEN = "1 open 86 relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n";

describe("RelpParser", () => {
  it("reads omrelp's open, syslog and close frames", () => {
    const { frames, errors } = parse(`${OPEN}2 syslog 20 <13>1 - h a - - - hi\n3 close 0\n`);
    expect(errors).toEqual([]);
    expect(frames).toEqual([
      { txnr: 1, command: "open", data: "relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog" },
      { txnr: 2, command: "syslog", data: "<13>1 - h a - - - hi" },
      { txnr: 3, command: "close", data: "" },
    ]);
  });

  it("takes DATA by its length, LF and binary bytes included", () => {
    const data = Buffer.from([0x41, 0x0a, 0x00, 0xff, 0x0a]);
    const { frames } = parse(encodeRelpFrame(7, "syslog", data));
    expect(frames).toEqual([{ txnr: 7, command: "syslog", data: data.toString("latin1") }]);
  });

  it.each([
    ["letter in TXNR", "1a open 0\n", "TXNR"],
    ["TXNR of 10 digits", "1234567890 open 0\n", "TXNR"],
    ["empty TXNR", " open 0\n", "TXNR"],
    ["digit in COMMAND", "1 sys1og 0\n", "COMMAND"],
    ["COMMAND of 33 letters", `1 ${"a".repeat(33)} 0\n`, "COMMAND"],
    ["no DATALEN", "1 syslog \n", "DATALEN"],
    ["DATALEN 0 then SP", "1 close 0 \n", "LF after DATALEN 0"],
    ["DATALEN larger than the data (next frame read as data)", "1 syslog 10 abc\n2 close 0\n", "LF after 10 bytes"],
    ["syslog frame without trailing LF", "1 syslog 3 abcX", "LF after 3 bytes"],
    ["CRLF trailer", "1 close 0\r\n", "LF after DATALEN 0"],
  ])("refuses %s with RCV_RELP_FRAME_INVALID and ignores what follows", (_name, input, expected) => {
    const { frames, errors } = parse(`${input}2 close 0\n`);
    expect(frames).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe("RCV_RELP_FRAME_INVALID");
    expect(errors[0]!.detail).toContain(expected);
  });

  it("truncates a DATALEN over the limit to its first bytes, skips the rest and stays in sync", () => {
    const frames: RelpFrame[] = [];
    const errors: RelpParseError[] = [];
    const p = new RelpParser(8, { frame: (f) => frames.push({ ...f, data: Buffer.from(f.data) }), error: (e) => errors.push(e) });
    p.push(Buffer.from("1 syslog 20 0123456789"));
    p.push(Buffer.from("abcdefghij\n2 syslog 3 xyz\n"));
    expect(errors).toEqual([]);
    expect(frames.map((f) => [f.txnr, f.data.toString(), f.dataLen])).toEqual([[1, "01234567", 20], [2, "xyz", 3]]);
    expect(parse(encodeRelpFrame(1, "syslog", "x".repeat(1024)), 1024).frames).toEqual([{ txnr: 1, command: "syslog", data: "x".repeat(1024) }]);
  });

  it("with the drop policy keeps none of an over-size DATA, and still emits the frame", () => {
    const frames: RelpFrame[] = [];
    new RelpParser(4, { frame: (f) => frames.push(f), error: () => undefined }, "drop").push(Buffer.from("7 syslog 10 0123456789\n8 close 0\n"));
    expect(frames.map((f) => [f.txnr, f.command, f.data.length, f.dataLen])).toEqual([[7, "syslog", 0, 10], [8, "close", 0, 0]]);
  });

  it("an over-size DATA without its LF trailer is still a broken frame", () => {
    const { frames, errors } = parse("1 syslog 10 0123456789X2 close 0\n", 4);
    expect(frames).toEqual([]);
    expect(errors).toEqual([{ code: "RCV_RELP_FRAME_INVALID", detail: expect.stringContaining("LF after 10 bytes") }]);
  });

  it("knows when it is inside a frame (a close there cuts a frame)", () => {
    const p = new RelpParser(100, { frame: () => undefined, error: () => undefined });
    expect(p.inFrame).toBe(false);
    p.push(Buffer.from("1 sys"));
    expect(p.inFrame).toBe(true);
    p.push(Buffer.from("log 0\n"));
    expect(p.inFrame).toBe(false);
  });

  it("encodes frames as librelp does: no SP and no DATA when DATA is empty", () => {
    expect(encodeRelpFrame(0, "serverclose").toString()).toBe("0 serverclose 0\n");
    expect(encodeRelpFrame(2, "rsp", "200 OK").toString()).toBe("2 rsp 6 200 OK\n");
  });
});
