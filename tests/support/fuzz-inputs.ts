import { crc32c } from "../../packages/receiver/src/listener/proxy-protocol.js";
import { octetCounted, rfc3164, rfc5424, type Header } from "./messages.js";

/**
 * Seeded random and mutated inputs for in-process fuzzing of the receiver's parsers. Random
 * bytes alone rarely get past the first check of a parser, so most inputs are real sender lines
 * (what rsyslog, syslog-ng, logger, Cisco IOS/ASA and an AWS NLB put on the wire, as the interop
 * and unit tests send them) with a few mutations applied: bit flips, byte insertions and
 * deletions, splices of two lines, repeats, truncation, and bytes that are special somewhere
 * (delimiters, digits, quotes, brackets, a BOM, invalid UTF-8).
 */

/** mulberry32: tiny, fast, and the same sequence for the same seed on every machine. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

const H: Header = { facility: 13, severity: 6, hostname: "web01.example.com", appName: "nginx", procId: "4123", msgId: "ID47" };
const DATE = new Date(Date.UTC(2026, 10, 23, 10, 0, 0));
const ONEGATE_JSON = '{"event":"login","user":"alice","ok":true,"n":[1,2,3],"nested":{"k":"v"}}';

/** Syslog frames (without framing) as senders in the tests write them. */
export const SYSLOG_LINES: readonly string[] = [
  rfc5424(H, "2026-11-23T10:00:00.123456+09:00", "GET /index.html 200"),
  rfc5424({ ...H, structuredData: '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][meta sequenceId="7"]' }, "2026-11-23T10:00:00Z", "with SD"),
  rfc5424({ ...H, structuredData: '[x@1 a="q\\"uote\\]d" a="again"]' }, "-", "escaped SD"),
  rfc5424({ ...H, msgId: "-" }, "2026-11-23T10:00:00Z", `\uFEFF${ONEGATE_JSON}`),
  rfc5424(H, "2026-11-23T10:00:00Z", ONEGATE_JSON),
  "<13>1 - - - - - -",
  "<0>1 - h a - - - x",
  "<191>1 2026-13-01T00:00:00Z h a - - - bad month",
  rfc3164(H, DATE, "Accepted publickey for alice from 192.0.2.1 port 22 ssh2"),
  "<13>Nov 23 10:00:00 web01 alice: hello world",
  "<13>Nov  3 00:01:02 host app: x",
  "<13>Oct 11 22:14:15 su: 'su root' failed",
  "<13>2026-11-23T10:00:00-03:00 host app: iso stamp",
  "<189>12: *Mar  1 00:01:02.345: %SYS-5-CONFIG_I: Configured from console by vty0 (10.0.0.1)",
  "<166>%ASA-6-302013: Built outbound TCP connection 12 for outside:198.51.100.1/443 (198.51.100.1/443) to inside:10.0.0.5/51514",
  "<134>Jan 12 2026 10:11:12: %ASA-4-106023: Deny tcp src outside:192.0.2.1/1 dst inside:10.0.0.1/2",
  "Nov 23 10:00:00 host app[1]: no PRI",
  "plain text without anything",
  "<13>Nov 23 10:00:00 host app: a \uFEFF b hôst",
  "<13>1 - hôst a - - - x",
];

/** Byte streams a sender puts on a connection: frames in both framings, CRLF, NUL, mixed. */
export function streamSamples(): Buffer[] {
  const lf = Buffer.from(SYSLOG_LINES.map((l) => `${l}\n`).join(""), "utf8");
  const crlf = Buffer.from(SYSLOG_LINES.map((l) => `${l}\r\n`).join(""), "utf8");
  const nul = Buffer.from(SYSLOG_LINES.map((l) => `${l}\0`).join(""), "utf8");
  const counted = Buffer.from(SYSLOG_LINES.map(octetCounted).join(""), "utf8");
  const mixed = Buffer.from(SYSLOG_LINES.map((l, i) => (i % 2 ? octetCounted(l) : `${l}\n`)).join(""), "utf8");
  return [lf, crlf, nul, counted, mixed, Buffer.from("0 x\n012 <13>1 - - - - - - y\n99999999999 z\n5\n")];
}

/** PROXY protocol headers as an NLB or HAProxy sends them, each followed by the first
 * bytes of what comes next (a ClientHello or a syslog frame). */
export function proxySamples(): Buffer[] {
  const v1 = [
    "PROXY TCP4 192.0.2.10 10.0.0.5 51514 6514\r\n",
    "PROXY TCP6 2001:db8::1 2001:db8::2 51514 6514\r\n",
    "PROXY UNKNOWN\r\n",
    "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n",
  ].map((s) => Buffer.from(s, "latin1"));
  const sig = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
  const v2 = (cmd: number, fam: number, addr: Buffer, tlvs: Buffer[] = [], crc = false): Buffer => {
    const crcTlv = crc ? Buffer.from([0x03, 0x00, 0x04, 0, 0, 0, 0]) : Buffer.alloc(0);
    const body = Buffer.concat([addr, ...tlvs, crcTlv]);
    const head = Buffer.alloc(16);
    sig.copy(head);
    head[12] = 0x20 | cmd;
    head[13] = fam;
    head.writeUInt16BE(body.length, 14);
    const all = Buffer.concat([head, body]);
    if (crc) all.writeUInt32BE(crc32c(all), all.length - 4);
    return all;
  };
  const inet = Buffer.from([192, 0, 2, 10, 10, 0, 0, 5, 0xc9, 0x1a, 0x19, 0x72]);
  const inet6 = Buffer.concat([Buffer.alloc(15), Buffer.from([1]), Buffer.alloc(15), Buffer.from([2]), Buffer.from([0xc9, 0x1a, 0x19, 0x72])]);
  const vpce = Buffer.concat([Buffer.from([0xea, 0x00, 0x17, 0x01]), Buffer.from("vpce-0123456789abcdef0", "latin1")]);
  const noop = Buffer.from([0x04, 0x00, 0x03, 0, 0, 0]);
  const headers = [
    ...v1,
    v2(1, 0x11, inet),
    v2(1, 0x11, inet, [vpce, noop], true),
    v2(1, 0x21, inet6, [vpce], true),
    v2(1, 0x12, inet),
    v2(1, 0x31, Buffer.alloc(216)),
    v2(0, 0x00, Buffer.alloc(0)),
  ];
  const next = [Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), Buffer.from("<13>1 - h a - - - x\n"), Buffer.alloc(0)];
  return headers.flatMap((h) => next.map((n) => Buffer.concat([h, n])));
}

/** Bytes that mean something to one of the parsers. */
const SPECIAL = [0x00, 0x0a, 0x0d, 0x20, 0x3c, 0x3e, 0x5b, 0x5d, 0x22, 0x5c, 0x3d, 0x2d, 0x3a, 0x30, 0x31, 0x39, 0xef, 0xbb, 0xbf, 0xff, 0xc3, 0x80, 0x7b, 0x7d, 0x2a, 0x25];
const SPECIAL_SEQUENCES = ["\uFEFF", "\r\n", "<13>", "1 ", " - ", '="', "\\]", "65536 ", "0 ", "9999999999 ", "\ud83d\ude00", "PROXY ", "{", "[a@1 b=\"c\"]"].map((s) => Buffer.from(s, "utf8"));

/** Applies 1 to 4 random mutations to a copy of `input`; `other` supplies splice material. */
export function mutate(rng: Rng, input: Buffer, other: Buffer): Buffer {
  let b = Buffer.from(input);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(9)) {
      case 0: // bit flip
        if (b.length > 0) b[Math.min(at, b.length - 1)]! ^= 1 << rng.int(8);
        break;
      case 1: // special byte in place
        if (b.length > 0) b[Math.min(at, b.length - 1)] = rng.pick(SPECIAL);
        break;
      case 2: // insert special byte or sequence
        b = Buffer.concat([b.subarray(0, at), rng.int(2) ? Buffer.from([rng.pick(SPECIAL)]) : rng.pick(SPECIAL_SEQUENCES), b.subarray(at)]);
        break;
      case 3: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(16)))]);
        break;
      case 4: // truncate
        b = b.subarray(0, at);
        break;
      case 5: // splice with another sample
        b = Buffer.concat([b.subarray(0, at), other.subarray(rng.int(other.length + 1))]);
        break;
      case 6: { // repeat a slice
        const slice = b.subarray(at, at + 1 + rng.int(32));
        b = Buffer.concat([b.subarray(0, at), ...Array<Buffer>(1 + rng.int(8)).fill(slice), b.subarray(at)]);
        break;
      }
      case 7: // random bytes inserted
        b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(8)), b.subarray(at)]);
        break;
      default: // overwrite a byte with a random one
        if (b.length > 0) b[Math.min(at, b.length - 1)] = rng.int(256);
    }
  }
  return b;
}

/** One fuzz input: 1 in 8 purely random bytes (up to maxRandom), otherwise a mutated sample. */
export function fuzzInput(rng: Rng, samples: readonly Buffer[], maxRandom = 512): Buffer {
  if (rng.int(8) === 0) return rng.bytes(rng.int(maxRandom + 1));
  return mutate(rng, rng.pick(samples), rng.pick(samples));
}

/** Splits `input` into 1 to 6 chunks at random points (a socket delivers arbitrary splits). */
export function randomChunks(rng: Rng, input: Buffer): Buffer[] {
  const cuts = new Set<number>();
  const n = rng.int(6);
  for (let i = 0; i < n; i++) cuts.add(rng.int(input.length + 1));
  const points = [0, ...[...cuts].sort((a, b) => a - b), input.length];
  const chunks: Buffer[] = [];
  for (let i = 1; i < points.length; i++) if (points[i]! > points[i - 1]!) chunks.push(input.subarray(points[i - 1]!, points[i]!));
  return chunks;
}
