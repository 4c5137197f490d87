import { FACILITY_NAMES, SEVERITY_NAMES } from "@aws-syslog/record";
import type { FrameContext } from "./context.js";
import { MAX_PRIVAL } from "./pri.js";
import { APP_NAME_MAX, HOSTNAME_MAX, MSGID_MAX, PROCID_MAX } from "./rfc5424.js";
import { daysInMonth, RFC5424_MAX_SECFRAC_DIGITS } from "./rfc3339-timestamp.js";

/**
 * The receiver's fast path for the common frame: RFC 5424 with no STRUCTURED-DATA, an ASCII
 * header and an ASCII MSG (optionally after the §6.4 BOM) that is not a JSON object. Such a
 * frame is parsed on its bytes and its NDJSON line is written straight into the sink's batch
 * buffer: no string is decoded, escaped, concatenated or encoded, and nothing is allocated,
 * where the general path (parseFrame → serializeRecord → UTF-8 encode) spent ~2 µs and most of
 * the receiver's garbage per message.
 *
 * `write` returns -1 for anything else (non-ASCII, a byte JSON must escape, SD, a JSON MSG,
 * any header the strict RFC 5424 reading refuses); the caller then takes the general path,
 * which is the definition: a property test holds the bytes written here equal to
 * `serializeRecord(parseFrame(frame))` for every frame this accepts.
 */

const SP = 0x20;
const NIL = 0x2d; // "-"
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;

const bytes = (s: string): Buffer => Buffer.from(s, "latin1");
const HEAD = bytes('{"v":1,"received_at":"');
const TIMESTAMP_KEY = bytes('","timestamp":');
const APP_NAME_KEY = bytes(',"app_name":');
const PROC_ID_KEY = bytes(',"proc_id":');
const MSG_ID_KEY = bytes(',"msg_id":');
const MESSAGE_KEY = bytes(',"structured_data":null,"message":"');
/** Room for received_at: ISO-8601 UTC with milliseconds is 24 bytes (27 past year 9999). */
const ISO_BYTES = 32;

/** `,"facility":…,"hostname":` for every PRIVAL: the names come from the record package. */
const PRI_SEGMENTS: Buffer[] = Array.from({ length: MAX_PRIVAL + 1 }, (_, prival) => {
  const facility = prival >> 3;
  const severity = prival & 7;
  return bytes(
    `,"facility":${facility},"severity":${severity},"facility_name":"${FACILITY_NAMES[facility]}","severity_name":"${SEVERITY_NAMES[severity]}","hostname":`,
  );
});
const LONGEST_PRI_SEGMENT = Math.max(...PRI_SEGMENTS.map((b) => b.length));

export class Rfc5424LineWriter {
  /** `","message_json":null,…,"raw":null}\n`: everything after MSG is fixed per connection. */
  private readonly tail: Buffer;
  /** Bytes a line may take beyond the frame's own bytes (quotes, keys, nulls, received_at). */
  readonly overhead: number;
  /** DataViews over the last input and output ArrayBuffers (a new one per socket chunk and per
   * sink buffer, not per frame). */
  private inBuffer: ArrayBufferLike | null = null;
  private inView: DataView | null = null;
  private outBuffer: ArrayBufferLike | null = null;
  private outView: DataView | null = null;
  /** The last header fields cached (raw bytes from HOSTNAME to the SD "-") and their JSON
   * (from `,"facility":` to `"message":"`), for that PRI. */
  private cachedPrival = -1;
  private cachedFields: Buffer = Buffer.alloc(0);
  private cachedJson: Buffer = Buffer.alloc(0);
  private misses = 0;
  private headFor: Buffer | null = null;
  private headBytes: Buffer = HEAD;

  constructor(ctx: Pick<FrameContext, "sourceIp" | "sourcePort" | "tlsPeer" | "listener">) {
    // JSON.stringify for the connection's values: the tail is built once, so it may be exact
    // the simple way.
    this.tail = Buffer.from(
      `","message_json":null,"format":"rfc5424","source_ip":${JSON.stringify(ctx.sourceIp)},"source_port":${JSON.stringify(ctx.sourcePort)}` +
        `,"tls_peer":${JSON.stringify(ctx.tlsPeer)},"listener":${JSON.stringify(ctx.listener)},"raw":null}\n`,
      "utf8",
    );
    // Per field: its key and either null or two quotes around bytes taken from the frame.
    this.overhead =
      HEAD.length + ISO_BYTES + TIMESTAMP_KEY.length + 4 + LONGEST_PRI_SEGMENT + 4 + APP_NAME_KEY.length + 4 +
      PROC_ID_KEY.length + 4 + MSG_ID_KEY.length + 4 + MESSAGE_KEY.length + this.tail.length;
  }

  /**
   * Writes the record line of the frame b[start, end) (not truncated) at out[o…], which must
   * have `end - start + overhead` bytes free. `receivedAt` is the ISO-8601 received_at in
   * ASCII bytes. Returns the offset after the line, or -1 (bytes after o are then garbage).
   * Nothing outside b[start, end) is read: the frame is usually a range of a socket chunk.
   */
  write(b: Buffer, start: number, end: number, receivedAt: Buffer, out: Buffer, o: number): number {
    while (end > start && (b[end - 1] === LF || b[end - 1] === CR)) end--;

    // PRI, strict (pri.ts: no leading zero, <= 191).
    if (end - start < 5 || b[start] !== 0x3c) return -1;
    let prival = 0;
    let p = start + 1;
    for (; p <= start + 4; p++) {
      const c = b[p]!;
      if (c === 0x3e) break;
      if (!(c >= 0x30 && c <= 0x39) || p === start + 4 || (p === start + 2 && prival === 0)) return -1;
      prival = prival * 10 + (c - 0x30);
    }
    // p is at ">" (before end); VERSION "1" and SP follow.
    if (p === start + 1 || prival > MAX_PRIVAL || p + 2 >= end) return -1;
    p++;
    if (b[p] !== 0x31 || b[p + 1] !== SP) return -1;
    p += 2;

    o = copy(this.head(receivedAt), out, o);
    if (p + 1 < end && b[p] === NIL && b[p + 1] === SP) {
      o = writeNull(out, o);
      p += 2;
    } else {
      const e = timestampEnd(b, p, end);
      if (e < 0 || e >= end || b[e] !== SP) return -1;
      o = copyQuoted(b, p, e, out, o);
      p = e + 1;
    }
    // HOSTNAME APP-NAME PROCID MSGID and the SD NILVALUE: most senders repeat the same bytes
    // (and PRI) frame after frame on one connection, so the last ones are kept with their JSON.
    const fieldsAt = p;
    const segmentAt = o;
    if (prival === this.cachedPrival && this.sameFields(b, p, end)) {
      o = copy(this.cachedJson, out, o);
      p += this.cachedFields.length;
      this.misses = 0;
    } else {
      o = copy(PRI_SEGMENTS[prival]!, out, o);
      let e = fieldEnd(b, p, end, HOSTNAME_MAX);
      if (e < 0) return -1;
      o = writeField(b, p, e, out, o);
      p = e + 1;
      o = copy(APP_NAME_KEY, out, o);
      e = fieldEnd(b, p, end, APP_NAME_MAX);
      if (e < 0) return -1;
      o = writeField(b, p, e, out, o);
      p = e + 1;
      o = copy(PROC_ID_KEY, out, o);
      e = fieldEnd(b, p, end, PROCID_MAX);
      if (e < 0) return -1;
      o = writeField(b, p, e, out, o);
      p = e + 1;
      o = copy(MSG_ID_KEY, out, o);
      e = fieldEnd(b, p, end, MSGID_MAX);
      if (e < 0) return -1;
      o = writeField(b, p, e, out, o);
      p = e + 1;
      // STRUCTURED-DATA: only the NILVALUE here; an SD element takes the general path.
      if (p >= end || b[p] !== NIL) return -1;
      p++;
      o = copy(MESSAGE_KEY, out, o);
      // A relay mixing many senders on one connection would miss every time: then refresh
      // only every 64th miss, so misses cost a comparison and no copies.
      if ((this.misses++ & 63) === 0) {
        this.cachedPrival = prival;
        this.cachedFields = Buffer.from(b.subarray(fieldsAt, p));
        this.cachedJson = Buffer.from(out.subarray(segmentAt, o));
      }
    }
    if (p < end) {
      if (b[p] !== SP) return -1;
      p++;
      // §6.4 BOM: not part of the message.
      if (b[p] === 0xef && b[p + 1] === 0xbb && b[p + 2] === 0xbf && p + 2 < end) p += 3;
      // MSG: printable ASCII or DEL, nothing JSON escapes, and not a JSON object (messageJson
      // would parse it: first non-blank character '{'; blanks other than SP are controls).
      let q = p;
      while (q < end && b[q] === SP) q++;
      if (q < end && b[q] === LBRACE) return -1;
      o = this.copyMessage(b, p, end, out, o);
      if (o < 0) return -1;
    }
    return copy(this.tail, out, o);
  }

  private sameFields(b: Buffer, p: number, end: number): boolean {
    const fields = this.cachedFields;
    const n = fields.length;
    if (end - p < n) return false;
    for (let i = 0; i < n; i++) if (b[p + i] !== fields[i]) return false;
    return true;
  }

  /** `{"v":1,"received_at":"…","timestamp":` for this millisecond, built once per millisecond. */
  private head(receivedAt: Buffer): Buffer {
    if (receivedAt !== this.headFor) {
      this.headFor = receivedAt;
      this.headBytes = Buffer.concat([HEAD, receivedAt, TIMESTAMP_KEY]);
    }
    return this.headBytes;
  }

  /**
   * MSG b[p, end) into out at o, or -1: printable ASCII or DEL, nothing JSON escapes. Four
   * bytes per step (DataView reads and writes, checked with SWAR bit tricks): a byte loop
   * cost ~3 ns per byte on the 2-vCPU dev box, this ~1, for 230-byte messages.
   */
  private copyMessage(b: Buffer, p: number, end: number, out: Buffer, o: number): number {
    if (b.buffer !== this.inBuffer) {
      this.inBuffer = b.buffer;
      this.inView = new DataView(b.buffer);
    }
    if (out.buffer !== this.outBuffer) {
      this.outBuffer = out.buffer;
      this.outView = new DataView(out.buffer);
    }
    const src = this.inView!;
    const dst = this.outView!;
    const inBase = b.byteOffset;
    const outBase = out.byteOffset;
    for (; p + 4 <= end; p += 4, o += 4) {
      const x = src.getUint32(inBase + p, true);
      if (refusedByte(x)) return -1;
      dst.setUint32(outBase + o, x, true);
    }
    for (; p < end; p++) {
      const c = b[p]!;
      if (c < SP || c > 0x7f || c === QUOTE || c === BACKSLASH) return -1;
      out[o++] = c;
    }
    return o;
  }
}

/** Whether any of the 4 bytes in x is one the MSG fast path refuses: >= 0x80, < 0x20, '"' or
 * '\\'. Exact as a yes/no (the classic SWAR "has less than" / "has zero byte" tests; a borrow
 * can only mark a byte above one that is already refused). */
function refusedByte(x: number): boolean {
  const quote = x ^ 0x22222222;
  const backslash = x ^ 0x5c5c5c5c;
  return ((x | ((x - 0x20202020) & ~x) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) !== 0;
}

/** TypedArray#set is a memmove inside V8, no call into Node's C++ (Buffer#copy is one). */
function copy(src: Buffer, out: Buffer, o: number): number {
  out.set(src, o);
  return o + src.length;
}

function writeNull(out: Buffer, o: number): number {
  out[o] = 0x6e;
  out[o + 1] = 0x75;
  out[o + 2] = 0x6c;
  out[o + 3] = 0x6c;
  return o + 4;
}

function copyQuoted(b: Buffer, s: number, e: number, out: Buffer, o: number): number {
  out[o++] = QUOTE;
  for (let i = s; i < e; i++) out[o++] = b[i]!;
  out[o++] = QUOTE;
  return o;
}

/** A header field b[s, e) as JSON: null for the NILVALUE, else its bytes quoted. */
function writeField(b: Buffer, s: number, e: number, out: Buffer, o: number): number {
  return e - s === 1 && b[s] === NIL ? writeNull(out, o) : copyQuoted(b, s, e, out, o);
}

/** Index of the SP ending a 1..max PRINTUSASCII field at p (before end), or -1; also -1 for a
 * byte JSON would escape (the general path then quotes it). */
function fieldEnd(b: Buffer, p: number, end: number, max: number): number {
  const limit = Math.min(p + max, end - 1);
  let i = p;
  for (; i <= limit; i++) {
    const c = b[i]!;
    if (c === SP) return i === p ? -1 : i;
    if (!(c >= 0x21 && c <= 0x7e) || c === QUOTE || c === BACKSLASH) return -1;
  }
  return -1;
}

/** Two ASCII digits at i (before end) as a number, or -1. */
function twoDigits(b: Buffer, i: number, end: number): number {
  if (i + 2 > end) return -1;
  const x = b[i]! - 0x30;
  const y = b[i + 1]! - 0x30;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** rfc3339TimestampEnd (RFC 5424 §6.2.3) on bytes, within b[p, end). */
function timestampEnd(b: Buffer, p: number, end: number): number {
  const hi = twoDigits(b, p, end);
  const lo = twoDigits(b, p + 2, end);
  if (hi < 0 || lo < 0 || b[p + 4] !== NIL) return -1;
  const year = hi * 100 + lo;
  const month = twoDigits(b, p + 5, end);
  if (month < 1 || month > 12 || b[p + 7] !== NIL) return -1;
  const day = twoDigits(b, p + 8, end);
  if (day < 1 || day > daysInMonth(year, month) || b[p + 10] !== 0x54 /* T */) return -1;
  const hour = twoDigits(b, p + 11, end);
  if (hour < 0 || hour > 23 || b[p + 13] !== 0x3a /* : */) return -1;
  const minute = twoDigits(b, p + 14, end);
  if (minute < 0 || minute > 59 || b[p + 16] !== 0x3a) return -1;
  const second = twoDigits(b, p + 17, end);
  if (second < 0 || second > 59) return -1;
  let q = p + 19;
  if (q < end && b[q] === 0x2e /* . */) {
    const start = ++q;
    while (q < end && b[q]! >= 0x30 && b[q]! <= 0x39) q++;
    if (q === start || q - start > RFC5424_MAX_SECFRAC_DIGITS) return -1;
  }
  if (q >= end) return -1;
  const z = b[q];
  if (z === 0x5a /* Z */) return q + 1;
  if (z !== 0x2b /* + */ && z !== NIL) return -1;
  const offHour = twoDigits(b, q + 1, end);
  if (offHour < 0 || offHour > 23 || q + 3 >= end || b[q + 3] !== 0x3a) return -1;
  const offMinute = twoDigits(b, q + 4, end);
  if (offMinute < 0 || offMinute > 59) return -1;
  return q + 6;
}
