import { FRAMING_CODES, type Framing, type FramingEvent, type OctetCountInvalidEvent, type OversizePolicy } from "./errors.js";
import { SpillBuffer } from "./spill-buffer.js";

export type { Framing, FramingEvent, OversizePolicy } from "./errors.js";

/**
 * Splits one connection's byte stream into syslog frames, auto-detecting the framing per frame
 * as rsyslog's imtcp does (runtime/tcps_sess.c, processDataRcvd):
 *
 * - a frame starting with a digit is octet counted, `MSG-LEN SP SYSLOG-MSG`
 *   (RFC 6587 §3.4.1, RFC 5425 §4.3);
 * - anything else is non-transparent framing (RFC 6587 §3.4.2): the frame ends at LF, or at NUL
 *   (some senders use it; rsyslog's AddtlFrameDelimiter=0), one trailing CR is removed (CRLF
 *   senders) and empty frames (blank lines) are skipped.
 *
 * MSG-LEN sanity, and where we differ from rsyslog (which logs an error in each case):
 * - "0 ": rsyslog falls back to non-transparent framing keeping the digits; so do we (and keep
 *   the SP too, which rsyslog loses).
 * - leading zeros ("012 "): accepted as 12, as rsyslog does; reported.
 * - more than 10 digits: non-transparent, digits kept (rsyslog switches at ~200,000,000).
 * - digits followed by anything but SP: rsyslog consumes that byte as if it were SP and reads
 *   MSG-LEN octets, which swallows the following messages of a PRI-less LF sender
 *   ("2024-01-01 x\n" becomes a 2024-octet frame). We read the frame as non-transparent
 *   instead: nothing is lost and the stream resynchronises at the next LF.
 * - MSG-LEN > maxFrameBytes: rsyslog falls back to LF framing past its maxFrameSize; we apply
 *   the over-size policy and skip exactly the declared remainder, so the next frame is intact.
 * - close inside an octet-counted frame: rsyslog discards it; we emit what arrived.
 *
 * Speed: frames wholly inside one chunk are emitted as `subarray` views (no copy), or as ranges
 * of the chunk to a handler with `frameIn` (no view either). Only a frame
 * that spans chunks is copied, once, into a per-connection spill buffer. Delimiters are found
 * with indexOf (memchr); the only per-byte JS loop reads the <= 10 digits of a MSG-LEN.
 * Memory: the spill buffer never exceeds maxFrameBytes + 1 bytes, whatever MSG-LEN says, and
 * push() keeps no reference to a chunk after it returns (callers may reuse chunk memory).
 */

export interface FramerOptions {
  /** Largest frame emitted whole; RECEIVER_MAX_FRAME_BYTES. */
  maxFrameBytes: number;
  /** What to do with a larger frame; RECEIVER_OVERSIZE_POLICY. */
  oversize: OversizePolicy;
}

export interface FrameHandler {
  /**
   * One frame. `frame` may be a view into the pushed chunk or into the framer's reusable spill
   * buffer: it is valid only during this call, so copy or decode it before returning.
   * `truncated`: the frame was over maxFrameBytes and these are its first maxFrameBytes bytes.
   * Must not throw (the framer's state is undefined afterwards).
   */
  frame(frame: Buffer, truncated: boolean): void;
  /**
   * Optional, called instead of `frame` with the frame as buf[start, end): no view is made
   * (a Buffer view costs an allocation and ~100 ns per frame). Same validity rules.
   */
  frameIn?(buf: Buffer, start: number, end: number, truncated: boolean): void;
  /** A framing problem, reported before the frame it concerns (if any is emitted). */
  event(e: FramingEvent): void;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SP = 0x20;
const D0 = 0x30;
const D9 = 0x39;
/** 10 digits allow MSG-LEN up to 9,999,999,999, far beyond any frame we accept but well inside
 * Number.MAX_SAFE_INTEGER; an 11th digit cannot be a sane MSG-LEN. */
export const MAX_MSG_LEN_DIGITS = 10;

// Where the next byte of the stream belongs.
const START = 0; // at a frame boundary
const COUNT = 1; // inside MSG-LEN digits (the digits so far are in the spill)
const OCTETS = 2; // collecting an octet-counted frame into the spill
const SKIP = 3; // discarding the rest of an over-size octet-counted frame
const LINE = 4; // collecting a non-transparent frame into the spill (<= maxFrameBytes + 1 bytes)
const LINE_DISCARD = 5; // discarding the rest of an over-size non-transparent frame

export class Framer {
  private readonly max: number;
  private readonly drop: boolean;
  private state = START;
  /** The current frame's bytes from earlier chunks (or the MSG-LEN digits, in COUNT). */
  private readonly spill: SpillBuffer;
  /** MSG-LEN being read (COUNT) or of the current frame (OCTETS, SKIP). */
  private declared = 0;
  /** OCTETS: bytes still to collect; then `skip` bytes to discard (SKIP). */
  private want = 0;
  private skip = 0;
  /** LINE_DISCARD: bytes of the frame seen so far, and whether the last one was CR. */
  private seen = 0;
  private lastWasCr = false;
  /** Cached delimiter positions in the current chunk; -1 = none left, < pos = stale. */
  private lfAt = -1;
  private nulAt = -1;

  constructor(
    options: FramerOptions,
    private readonly handler: FrameHandler,
  ) {
    if (!Number.isSafeInteger(options.maxFrameBytes) || options.maxFrameBytes < 1) {
      throw new RangeError(`maxFrameBytes must be a positive integer, got ${options.maxFrameBytes}`);
    }
    this.max = options.maxFrameBytes;
    this.drop = options.oversize === "drop";
    this.spill = new SpillBuffer(Math.max(this.max + 1, MAX_MSG_LEN_DIGITS));
  }

  /** Bytes held for frames not yet complete (spill buffer contents); <= maxFrameBytes + 1. */
  get bufferedBytes(): number {
    return this.spill.length;
  }

  push(chunk: Buffer): void {
    const len = chunk.length;
    if (len === 0) return;
    this.lfAt = this.nulAt = -2;
    let pos = this.state === START ? 0 : this.resume(chunk);
    while (pos < len) {
      const c = chunk[pos]!;
      if (c >= D0 && c <= D9) {
        // MSG-LEN: the only per-byte loop, at most 11 iterations.
        let p = pos;
        let n = 0;
        while (p < len && p - pos <= MAX_MSG_LEN_DIGITS) {
          const d = chunk[p]!;
          if (d < D0 || d > D9) break;
          n = n * 10 + d - D0;
          p++;
        }
        if (p === len && p - pos <= MAX_MSG_LEN_DIGITS) {
          this.state = COUNT;
          this.declared = n;
          this.spill.append(chunk, pos, len);
          return;
        }
        if (p - pos <= MAX_MSG_LEN_DIGITS && chunk[p] === SP && n > 0) {
          if (c === D0) this.invalid("leading-zero", chunk.toString("latin1", pos, p), "octet-counting");
          const start = p + 1;
          if (n <= this.max && n <= len - start) {
            this.emit(chunk, start, start + n, false);
            pos = start + n;
          } else {
            pos = this.beginOctets(chunk, start, n);
          }
          continue;
        }
        this.invalid(countProblem(p - pos, chunk[p], n), chunk.toString("latin1", pos, Math.min(p, pos + 11)), "non-transparent");
      }
      // Non-transparent frame from pos (possibly starting with digits that were not a MSG-LEN).
      const d = this.delimiter(chunk, pos);
      if (d < 0) {
        this.state = LINE;
        this.appendLine(chunk, pos, len);
        return;
      }
      let e = d;
      if (e > pos && chunk[e - 1] === CR) e--;
      if (e > pos) this.emitLine(chunk, pos, e);
      pos = d + 1;
    }
  }

  /** Connection closed: emits the frame in progress (reported as incomplete) and resets. */
  end(): void {
    const s = this.state;
    if (s === COUNT || s === LINE) {
      let n = this.spill.length;
      if (n > 0 && this.spill.byteAt(n - 1) === CR) n--;
      if (n > 0) {
        this.incomplete("non-transparent", n, null);
        this.emitLine(this.spill.view(), 0, n);
      }
    } else if (s === LINE_DISCARD) {
      const n = this.seen - (this.lastWasCr ? 1 : 0);
      this.incomplete("non-transparent", n, null);
      this.tooLarge("non-transparent", n);
      if (!this.drop) this.emitView(this.spill.view(this.max), true);
    } else if (s === OCTETS || s === SKIP) {
      const received = this.declared - (s === OCTETS ? this.want + this.skip : this.skip);
      this.incomplete("octet-counting", received, this.declared);
      if (s === OCTETS && this.spill.length > 0) this.emitView(this.spill.view(), this.skip > 0);
    }
    this.state = START;
    this.spill.release();
  }

  /** Continues the frame carried over from earlier chunks; returns where the next frame starts. */
  private resume(chunk: Buffer): number {
    const len = chunk.length;
    if (this.state === COUNT) {
      let p = 0;
      let n = this.declared;
      let digits = this.spill.length;
      while (p < len && digits <= MAX_MSG_LEN_DIGITS) {
        const d = chunk[p]!;
        if (d < D0 || d > D9) break;
        n = n * 10 + d - D0;
        p++;
        digits++;
      }
      if (p === len && digits <= MAX_MSG_LEN_DIGITS) {
        this.declared = n;
        this.spill.append(chunk, 0, len);
        return len;
      }
      const seenDigits = this.spill.latin1() + chunk.toString("latin1", 0, Math.min(p, MAX_MSG_LEN_DIGITS + 1 - this.spill.length));
      if (digits <= MAX_MSG_LEN_DIGITS && chunk[p] === SP && n > 0) {
        if (this.spill.byteAt(0) === D0) this.invalid("leading-zero", seenDigits, "octet-counting");
        this.spill.clear();
        return this.beginOctets(chunk, p + 1, n);
      }
      this.invalid(countProblem(digits, chunk[p], n), seenDigits, "non-transparent");
      this.state = LINE; // the digits in the spill start a non-transparent frame
    }
    if (this.state === LINE) {
      const d = this.delimiter(chunk, 0);
      if (d < 0) {
        this.appendLine(chunk, 0, len);
        return len;
      }
      const held = this.spill.length;
      let total = held + d;
      if ((d > 0 ? chunk[d - 1] : this.spill.byteAt(held - 1)) === CR) total--;
      if (total > held) this.spill.append(chunk, 0, Math.min(d, Math.max(0, this.max + 1 - held)));
      if (total > 0) this.emitLine(this.spill.view(), 0, total);
      this.spill.clear();
      this.state = START;
      return d + 1;
    }
    if (this.state === LINE_DISCARD) {
      const d = this.delimiter(chunk, 0);
      if (d < 0) {
        this.seen += len;
        this.lastWasCr = chunk[len - 1] === CR;
        return len;
      }
      const total = this.seen + d - ((d > 0 ? chunk[d - 1] === CR : this.lastWasCr) ? 1 : 0);
      this.tooLarge("non-transparent", total);
      if (!this.drop) this.emitView(this.spill.view(this.max), true);
      this.spill.clear();
      this.state = START;
      return d + 1;
    }
    if (this.state === OCTETS) {
      const take = Math.min(this.want, len);
      this.spill.append(chunk, 0, take);
      this.want -= take;
      if (this.want > 0) return len;
      this.emitView(this.spill.view(), this.skip > 0);
      this.spill.clear();
      this.state = this.skip > 0 ? SKIP : START;
      return this.state === SKIP ? this.skipFrom(chunk, take) : take;
    }
    return this.skipFrom(chunk, 0); // SKIP
  }

  /** An octet-counted frame of MSG-LEN n whose content starts at `start` (maybe past the chunk). */
  private beginOctets(chunk: Buffer, start: number, n: number): number {
    let collect = n;
    this.skip = 0;
    this.state = START;
    if (n > this.max) {
      this.tooLarge("octet-counting", n);
      collect = this.drop ? 0 : this.max;
      this.skip = n - collect;
    }
    this.declared = n;
    const avail = chunk.length - start;
    if (collect > avail) {
      this.spill.append(chunk, start, chunk.length);
      this.want = collect - avail;
      this.state = OCTETS;
      return chunk.length;
    }
    if (collect > 0) this.emit(chunk, start, start + collect, this.skip > 0);
    if (this.skip === 0) return start + collect;
    this.state = SKIP;
    return this.skipFrom(chunk, start + collect);
  }

  private skipFrom(chunk: Buffer, pos: number): number {
    const avail = chunk.length - pos;
    if (this.skip >= avail) {
      this.skip -= avail;
      if (this.skip === 0) this.state = START;
      return chunk.length;
    }
    this.state = START;
    return pos + this.skip;
  }

  /** First LF or NUL at or after pos, or -1. Positions are cached per chunk so that a chunk
   * without NUL is scanned for NUL once, not once per frame. */
  private delimiter(chunk: Buffer, pos: number): number {
    if (this.lfAt !== -1 && this.lfAt < pos) this.lfAt = chunk.indexOf(LF, pos);
    if (this.nulAt !== -1 && this.nulAt < pos) this.nulAt = chunk.indexOf(NUL, pos);
    const lf = this.lfAt;
    const nul = this.nulAt;
    return nul < 0 ? lf : lf < 0 || nul < lf ? nul : lf;
  }

  /** A complete non-transparent frame buf[s, e), non-empty, CR already removed. */
  private emitLine(buf: Buffer, s: number, e: number): void {
    const n = e - s;
    if (n <= this.max) {
      this.emit(buf, s, e, false);
      return;
    }
    this.tooLarge("non-transparent", n);
    if (!this.drop) this.emit(buf, s, s + this.max, true);
  }

  private emitView(view: Buffer, truncated: boolean): void {
    if (this.handler.frameIn) this.handler.frameIn(view, 0, view.length, truncated);
    else this.handler.frame(view, truncated);
  }

  private emit(buf: Buffer, s: number, e: number, truncated: boolean): void {
    if (this.handler.frameIn) this.handler.frameIn(buf, s, e, truncated);
    else this.handler.frame(buf.subarray(s, e), truncated);
  }

  /** Adds chunk[s, e) to the non-transparent frame in the spill. Past maxFrameBytes + 1 bytes
   * the frame is over-size for certain (even if a trailing CR is removed later): keep its first
   * maxFrameBytes bytes (truncate) or nothing (drop), and discard the rest up to the delimiter. */
  private appendLine(chunk: Buffer, s: number, e: number): void {
    const held = this.spill.length;
    if (held + (e - s) <= this.max + 1) {
      this.spill.append(chunk, s, e);
      return;
    }
    if (held < this.max) this.spill.append(chunk, s, s + (this.max - held));
    if (this.drop) this.spill.clear();
    else this.spill.length = Math.min(this.spill.length, this.max);
    this.seen = held + (e - s);
    this.lastWasCr = chunk[e - 1] === CR;
    this.state = LINE_DISCARD;
  }

  private tooLarge(framing: Framing, frameBytes: number): void {
    this.handler.event({ code: FRAMING_CODES.frameTooLarge, framing, policy: this.drop ? "drop" : "truncate", maxFrameBytes: this.max, frameBytes });
  }

  private invalid(reason: OctetCountInvalidEvent["reason"], digits: string, recovery: Framing): void {
    this.handler.event({ code: FRAMING_CODES.octetCountInvalid, reason, digits, recovery });
  }

  private incomplete(framing: Framing, receivedBytes: number, declaredBytes: number | null): void {
    this.handler.event({ code: FRAMING_CODES.frameIncomplete, framing, receivedBytes, declaredBytes });
  }
}

/** Why a run of `digits` digits of value n, followed by byte `next`, is not a MSG-LEN. */
function countProblem(digits: number, next: number | undefined, n: number): OctetCountInvalidEvent["reason"] {
  if (digits > MAX_MSG_LEN_DIGITS) return "too-long";
  return next === SP && n === 0 ? "zero" : "not-followed-by-space";
}
