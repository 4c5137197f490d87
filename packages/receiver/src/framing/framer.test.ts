import { afterEach, describe, expect, it, vi } from "vitest";
import type { Framing, FramingEvent, OctetCountInvalidEvent, OversizePolicy } from "./errors.js";
import { Framer, type FramerOptions } from "./framer.js";

type Out = string | { truncated: string } | FramingEvent;

/** Feeds chunks (latin1 strings) to a framer and records frames (as strings) and events in order. */
function run(chunks: string[], options: Partial<FramerOptions> = {}, end = true): Out[] {
  const out: Out[] = [];
  const framer = new Framer(
    { maxFrameBytes: 64, oversize: "truncate", ...options },
    {
      frame: (f, truncated) => out.push(truncated ? { truncated: f.toString("latin1") } : f.toString("latin1")),
      event: (e) => out.push(e),
    },
  );
  for (const c of chunks) framer.push(Buffer.from(c, "latin1"));
  if (end) framer.end();
  return out;
}

const tooLarge = (framing: Framing, frameBytes: number, policy: OversizePolicy = "truncate", maxFrameBytes = 8): FramingEvent => ({
  code: "RCV_FRAME_TOO_LARGE",
  framing,
  policy,
  maxFrameBytes,
  frameBytes,
});
const incomplete = (framing: Framing, receivedBytes: number, declaredBytes: number | null = null): FramingEvent => ({
  code: "RCV_FRAME_INCOMPLETE",
  framing,
  receivedBytes,
  declaredBytes,
});
const badCount = (reason: OctetCountInvalidEvent["reason"], digits: string, recovery: Framing = "non-transparent"): FramingEvent => ({
  code: "RCV_OCTET_COUNT_INVALID",
  reason,
  digits,
  recovery,
});

describe("Framer: non-transparent framing (RFC 6587 §3.4.2)", () => {
  it.each<[string, string[], Out[]]>([
    ["LF", ["<13>a\n<13>b\n"], ["<13>a", "<13>b"]],
    ["CRLF: one trailing CR removed", ["a\r\nb\r\n"], ["a", "b"]],
    ["only one CR removed", ["a\r\r\n"], ["a\r"]],
    ["CR inside a frame kept", ["a\rb\n"], ["a\rb"]],
    ["NUL delimiter", ["a\0b\0"], ["a", "b"]],
    ["NUL and LF mixed, CR before NUL removed", ["a\0b\nc\r\0"], ["a", "b", "c"]],
    ["blank lines skipped", ["\n\n\r\na\n\n\0\r\0"], ["a"]],
    ["a line split over chunks", ["<13>hel", "lo wor", "ld\n"], ["<13>hello world"]],
    ["CR and LF in separate chunks", ["abc\r", "\nd\n"], ["abc", "d"]],
    ["a lone CR line split over chunks", ["x\n\r", "\ny\n"], ["x", "y"]],
    ["UTF-8 bytes pass through", ["<13>\xc3\xa9\n"], ["<13>\xc3\xa9"]],
  ])("%s", (_name, chunks, expected) => {
    expect(run(chunks)).toEqual(expected);
  });
});

describe("Framer: octet counting (RFC 6587 §3.4.1, RFC 5425 §4.3)", () => {
  it.each<[string, string[], Out[]]>([
    ["two frames, no separator", ["5 hello3 abc"], ["hello", "abc"]],
    ["LF, CR and NUL inside are content", ["7 a\nb\r\0c\n"], ["a\nb\r\0c\n"]],
    ["count split from its SP", ["11", " hello world"], ["hello world"]],
    ["count split between digits", ["1", "1 hello world"], ["hello world"]],
    ["content split", ["11 hello", " wor", "ld"], ["hello world"]],
    ["split right after SP", ["11 ", "hello world"], ["hello world"]],
    ["count split, then a line in the next chunk", ["3", " abc", "<1>x\n"], ["abc", "<1>x"]],
    ["one byte at a time", [..."12 <13>abcdefgh2 xy"], ["<13>abcdefgh", "xy"]],
    ["exactly maxFrameBytes is not over-size", ["8 abcdefgh"], ["abcdefgh"]],
  ])("%s", (_name, chunks, expected) => {
    expect(run(chunks, { maxFrameBytes: 16 })).toEqual(expected);
  });
});

describe("Framer: both framings on one connection", () => {
  it("switches per frame", () => {
    // rsyslog omfwd may append an uncounted LF to an octet-counted frame: it is an empty frame.
    const chunks = ["5 hello<13>x\n3 abc\n<14>y\r\n11 multi\nline\n", "<15>z\0"];
    expect(run(chunks)).toEqual(["hello", "<13>x", "abc", "<14>y", "multi\nline\n", "<15>z"]);
  });
});

describe("Framer: over-size frames", () => {
  it.each<[string, string[], "truncate" | "drop", Out[]]>([
    ["octet, truncate", ["12 abcdefghijkl3 xyz"], "truncate", [tooLarge("octet-counting", 12), { truncated: "abcdefgh" }, "xyz"]],
    ["octet, drop", ["12 abcdefghijkl3 xyz"], "drop", [tooLarge("octet-counting", 12, "drop"), "xyz"]],
    ["octet split, truncate", ["12 abc", "defghi", "jkl3 x", "yz"], "truncate", [tooLarge("octet-counting", 12), { truncated: "abcdefgh" }, "xyz"]],
    ["octet split, drop", ["1", "2 abc", "defghi", "jkl3 x", "yz"], "drop", [tooLarge("octet-counting", 12, "drop"), "xyz"]],
    ["LF, truncate", ["abcdefghijkl\nxyz\n"], "truncate", [tooLarge("non-transparent", 12), { truncated: "abcdefgh" }, "xyz"]],
    ["LF, drop", ["abcdefghijkl\nxyz\n"], "drop", [tooLarge("non-transparent", 12, "drop"), "xyz"]],
    ["LF split, truncate", ["abcdef", "ghijkl", "mn\r", "\nxyz\n"], "truncate", [tooLarge("non-transparent", 14), { truncated: "abcdefgh" }, "xyz"]],
    ["LF split, drop", ["abcdef", "ghijkl", "mn\r", "\nxyz\n"], "drop", [tooLarge("non-transparent", 14, "drop"), "xyz"]],
    ["LF: max bytes then CRLF is not over-size", ["abcdefgh\r\nx\n"], "truncate", ["abcdefgh", "x"]],
    ["LF split: max bytes, CR, LF", ["abcdefgh\r", "\nx\n"], "truncate", ["abcdefgh", "x"]],
    ["LF split: max bytes, then CRLF", ["abcdefgh", "\r\nx\n"], "truncate", ["abcdefgh", "x"]],
    ["LF split: max+1 bytes then LF", ["abcdefghi", "\nx\n"], "truncate", [tooLarge("non-transparent", 9), { truncated: "abcdefgh" }, "x"]],
    ["LF split with empty chunks around the CR", ["abcdefghijk", "", "\r", "", "\nx\n"], "truncate", [tooLarge("non-transparent", 11), { truncated: "abcdefgh" }, "x"]],
  ])("%s (and the next frame is intact)", (_name, chunks, oversize, expected) => {
    expect(run(chunks, { maxFrameBytes: 8, oversize })).toEqual(expected);
  });
});

describe("Framer: invalid MSG-LEN", () => {
  it.each<[string, string[], Out[]]>([
    ["zero: read as a line, nothing lost", ["0 abc\nx\n"], [badCount("zero", "0"), "0 abc", "x"]],
    ["zeros", ["000 abc\n"], [badCount("zero", "000"), "000 abc"]],
    ["leading zero: accepted like rsyslog", ["012 abcdefghijkl"], [badCount("leading-zero", "012", "octet-counting"), "abcdefghijkl"]],
    ["leading zero split", ["01", "2 abcdefghijkl"], [badCount("leading-zero", "012", "octet-counting"), "abcdefghijkl"]],
    ["11 digits", ["12345678901 x\ny\n"], [badCount("too-long", "12345678901"), "12345678901 x", "y"]],
    ["11 digits split", ["123456", "78901234 x\n"], [badCount("too-long", "12345678901"), "12345678901234 x"]],
    ["10^12 is not a length", ["1000000000000 x\n"], [badCount("too-long", "10000000000"), "1000000000000 x"]],
    ["PRI-less line starting with a date", ["2024-01-01 host x\nnext\n"], [badCount("not-followed-by-space", "2024"), "2024-01-01 host x", "next"]],
    ["digits then LF", ["123\n"], [badCount("not-followed-by-space", "123"), "123"]],
    ["digits split then not SP", ["20", "24-01-01 x\n"], [badCount("not-followed-by-space", "2024"), "2024-01-01 x"]],
    ["zero split", ["0", " x\n"], [badCount("zero", "0"), "0 x"]],
  ])("%s", (_name, chunks, expected) => {
    expect(run(chunks)).toEqual(expected);
  });
});

describe("Framer: end() at connection close", () => {
  it.each<[string, string[], Partial<FramerOptions>, Out[]]>([
    ["last line without LF", ["a\n<13>abc"], {}, ["a", incomplete("non-transparent", 7), "<13>abc"]],
    ["last line ending in CR", ["<13>abc\r"], {}, [incomplete("non-transparent", 7), "<13>abc"]],
    ["only a CR left: nothing", ["a\n\r"], {}, ["a"]],
    ["declared more than sent", ["10 abc"], {}, [incomplete("octet-counting", 3, 10), "abc"]],
    ["header only", ["10 "], {}, [incomplete("octet-counting", 0, 10)]],
    ["digits only", ["12"], {}, [incomplete("non-transparent", 2), "12"]],
    [
      "over-size octet frame cut short (truncate)",
      ["20 abcdefghij"],
      { maxFrameBytes: 8 },
      [tooLarge("octet-counting", 20), { truncated: "abcdefgh" }, incomplete("octet-counting", 10, 20)],
    ],
    [
      "over-size octet frame cut short before max",
      ["20 abc"],
      { maxFrameBytes: 8 },
      [tooLarge("octet-counting", 20), incomplete("octet-counting", 3, 20), { truncated: "abc" }],
    ],
    [
      "over-size line cut short (truncate)",
      ["abcdefgh", "ijkl"],
      { maxFrameBytes: 8 },
      [incomplete("non-transparent", 12), tooLarge("non-transparent", 12), { truncated: "abcdefgh" }],
    ],
    [
      "over-size line cut short (drop)",
      ["abcdefgh", "ijkl\r"],
      { maxFrameBytes: 8, oversize: "drop" },
      [incomplete("non-transparent", 12), tooLarge("non-transparent", 12, "drop")],
    ],
    ["max+1 bytes without LF", ["abcdefghi"], { maxFrameBytes: 8 }, [incomplete("non-transparent", 9), tooLarge("non-transparent", 9), { truncated: "abcdefgh" }]],
    ["nothing pending", ["a\n3 abc"], {}, ["a", "abc"]],
  ])("%s", (_name, chunks, options, expected) => {
    expect(run(chunks, options)).toEqual(expected);
  });

  it("resets, so a framer can be reused", () => {
    const out: string[] = [];
    const framer = new Framer({ maxFrameBytes: 64, oversize: "truncate" }, { frame: (f) => out.push(f.toString()), event: () => {} });
    framer.push(Buffer.from("10 abc"));
    framer.end();
    framer.push(Buffer.from("x\n"));
    framer.end();
    expect(out).toEqual(["abc", "x"]);
    expect(framer.bufferedBytes).toBe(0);
  });
});

describe("Framer: memory", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(["truncate", "drop"] as const)("a declared length of 9,999,999,999 allocates nothing large (%s)", (oversize) => {
    const alloc = vi.spyOn(Buffer, "allocUnsafe");
    const events: FramingEvent[] = [];
    const frames: Buffer[] = [];
    const max = 1024;
    const framer = new Framer({ maxFrameBytes: max, oversize }, { frame: (f) => frames.push(Buffer.from(f)), event: (e) => events.push(e) });
    framer.push(Buffer.from("9999999999 "));
    const chunk = Buffer.alloc(65536, 0x61);
    for (let i = 0; i < 64; i++) {
      framer.push(chunk);
      expect(framer.bufferedBytes).toBeLessThanOrEqual(max);
    }
    expect(framer.bufferedBytes).toBe(0);
    framer.end();
    for (const call of alloc.mock.calls) expect(call[0]).toBeLessThanOrEqual(max + 1);
    expect(events).toEqual([
      tooLarge("octet-counting", 9_999_999_999, oversize, max),
      incomplete("octet-counting", 64 * 65536, 9_999_999_999),
    ]);
    expect(frames.map((f) => f.length)).toEqual(oversize === "truncate" ? [max] : []);
  });

  it("a 4 MiB line without LF keeps at most maxFrameBytes", () => {
    const framer = new Framer({ maxFrameBytes: 1000, oversize: "truncate" }, { frame: () => {}, event: () => {} });
    const chunk = Buffer.alloc(65536, 0x61);
    for (let i = 0; i < 64; i++) {
      framer.push(chunk);
      expect(framer.bufferedBytes).toBeLessThanOrEqual(1000);
    }
  });

  it("does not keep a reference to pushed chunks (callers may reuse them)", () => {
    const out: string[] = [];
    const framer = new Framer({ maxFrameBytes: 64, oversize: "truncate" }, { frame: (f) => out.push(f.toString()), event: () => {} });
    const reused = Buffer.alloc(6);
    reused.write("<1>abc");
    framer.push(reused);
    reused.write("def\n5 ");
    framer.push(reused);
    reused.write("hello ");
    framer.push(reused.subarray(0, 5));
    expect(out).toEqual(["<1>abcdef", "hello"]);
  });

  it("rejects a nonsensical maxFrameBytes", () => {
    expect(() => new Framer({ maxFrameBytes: 0, oversize: "drop" }, { frame: () => {}, event: () => {} })).toThrow(RangeError);
  });
});
