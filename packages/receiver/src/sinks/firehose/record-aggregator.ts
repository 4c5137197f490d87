import type { Ack } from "../sink.js";
import { fitLine, type FitAction } from "../../batch/fit-line.js";

/**
 * Packs NDJSON lines, as bytes, into the payloads of future Firehose records: whole lines only,
 * in write order, at most `maxPayloadBytes` each. A payload is sealed when the next line would
 * not fit, when it is exactly full, `lingerMs` after its first line (`ackLingerMs` once a writer
 * waits on acks, see hurry), or on demand (flush, byte budget reached).
 *
 * Lines arrive either as strings (write: UTF-8 encoded once, straight into the payload buffer)
 * or as bytes a caller encoded itself into the buffer `reserve` returned (the connection's RFC
 * 5424 fast path; see byte-sink.ts). Both give the same payloads for the same lines: a
 * reservation larger than the room left in the open payload is served from a scratch buffer,
 * and commit then copies the line into the open payload if it fits after all, so where a
 * payload ends depends only on the lines' sizes, never on the path or the reservation.
 *
 * Memory: one open buffer of `maxPayloadBytes` (allocUnsafe: untouched pages cost no RSS); a
 * sealed payload takes it along when at least half full (a fresh one is allocated on the next
 * line), else gets an exact-size copy; the record drops its payload once compressed.
 */
export type SealReason = "full" | "linger" | "ack_wait" | "budget" | "flush";

export interface SealedPayload {
  /** Whole NDJSON lines, each with its LF. */
  payload: Buffer;
  lines: number;
  /** Acks of the lines that had one, in line order. */
  acks: Ack[];
  /** Clock reading when the payload's first line was added. */
  firstLineAt: number;
  reason: SealReason;
}

export interface RecordAggregatorOptions {
  maxPayloadBytes: number;
  lingerMs: number;
  /** Linger of a payload once a writer waits only on acks (hurry); >= lingerMs: no effect. */
  ackLingerMs: number;
  now: () => number;
  onSeal: (sealed: SealedPayload) => void;
  /** A line over `maxPayloadBytes` was shrunk (see fit-line.ts). */
  onOversize: (action: FitAction, bytesBefore: number, bytesAfter: number) => void;
}

const LF = 0x0a;
/** Worst case of UTF-8 bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;
/** Size of the scratch buffer kept for reservations that do not fit the open payload. */
const SCRATCH_KEEP_BYTES = 256 * 1024;

export class RecordAggregator {
  /** The open payload's buffer: kept after a payload sealed small (copied out), null before the
   * first line and after a payload took it along. */
  private buf: Buffer | null = null;
  private offset = 0;
  private lines = 0;
  private acks: Ack[] = [];
  private firstLineAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private hurried = false;
  private scratch: Buffer = Buffer.alloc(0);
  /** The buffer of the last reservation when it is not `buf` (the line is then at 0). */
  private reserved: Buffer | null = null;

  constructor(private readonly options: RecordAggregatorOptions) {}

  /** Uncompressed bytes waiting in the open payload. */
  get openBytes(): number {
    return this.offset;
  }

  /** A buffer with at least `maxBytes` free from `reservedAt` (one more for a missing LF). */
  reserve(maxBytes: number): Buffer {
    const need = maxBytes + 1;
    if (need <= this.options.maxPayloadBytes) {
      this.buf ??= Buffer.allocUnsafe(this.options.maxPayloadBytes);
      if (this.buf.length - this.offset >= need) {
        this.reserved = null;
        return this.buf;
      }
    }
    // Near the end of a payload, or a line that may be over the payload size.
    if (need > SCRATCH_KEEP_BYTES) return (this.reserved = Buffer.allocUnsafe(need));
    if (this.scratch.length < need) this.scratch = Buffer.allocUnsafe(SCRATCH_KEEP_BYTES);
    return (this.reserved = this.scratch);
  }

  get reservedAt(): number {
    return this.reserved ? 0 : this.offset;
  }

  /** Takes the `bytes` written at `reservedAt` as one line. Returns the bytes stored. */
  commit(bytes: number, ack?: Ack): number {
    const line = this.reserved;
    if (line) {
      this.reserved = null;
      if (bytes === 0 || line[bytes - 1] !== LF) line[bytes++] = LF;
      return this.addCopy(line, bytes, ack);
    }
    const buf = this.buf!;
    if (bytes === 0 || buf[this.offset + bytes - 1] !== LF) buf[this.offset + bytes++] = LF;
    this.added(bytes, ack);
    return bytes;
  }

  /** Adds one line (LF-terminated; one is added if missing). Returns the bytes stored. */
  write(line: string, ack?: Ack): number {
    const buf = this.reserve(line.length * MAX_UTF8_PER_UNIT);
    return this.commit(buf.write(line, this.reservedAt, "utf8"), ack);
  }

  /** A line that was not written in place: fitted if oversize, then copied into the payload. */
  private addCopy(line: Buffer, bytes: number, ack: Ack | undefined): number {
    const { maxPayloadBytes } = this.options;
    let src = line;
    if (bytes > maxPayloadBytes) {
      const fitted = fitLine(line.toString("utf8", 0, bytes), maxPayloadBytes);
      src = Buffer.from(fitted.line, "utf8");
      this.options.onOversize(fitted.action, bytes, src.length);
      bytes = src.length;
    }
    if (this.offset + bytes > maxPayloadBytes) this.seal("full");
    this.buf ??= Buffer.allocUnsafe(maxPayloadBytes);
    src.copy(this.buf, this.offset, 0, bytes);
    this.added(bytes, ack);
    return bytes;
  }

  private added(bytes: number, ack: Ack | undefined): void {
    if (this.lines++ === 0) {
      this.firstLineAt = this.options.now();
      this.timer = setTimeout(() => this.seal("linger"), this.options.lingerMs);
    }
    this.offset += bytes;
    if (ack) this.acks.push(ack);
    if (this.offset === this.options.maxPayloadBytes) this.seal("full");
  }

  /**
   * A writer waits only on acks of lines it wrote: the open payload is sealed `ackLingerMs`
   * after its first line instead of `lingerMs` (at once if it is older). Whatever the number
   * of writers asking, that is at most one payload per `ackLingerMs` from hints, which bounds
   * the records (billed at least 5 KB each) that hurrying can add.
   */
  hurry(): void {
    const { ackLingerMs, lingerMs, now } = this.options;
    if (this.lines === 0 || this.hurried || ackLingerMs >= lingerMs) return;
    this.hurried = true;
    clearTimeout(this.timer);
    const wait = Math.max(0, this.firstLineAt + ackLingerMs - now());
    this.timer = setTimeout(() => this.seal("ack_wait"), wait);
  }

  /** Seals the open payload now (no-op when empty). */
  seal(reason: SealReason): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.hurried = false;
    if (this.lines === 0) return;
    // A payload of at least half the buffer takes the buffer along; a smaller one (linger,
    // budget, flush) is copied out, so its record does not hold a whole maxPayloadBytes buffer
    // until compressed, and the buffer (its pages already resident) serves the next payload.
    let payload: Buffer;
    if (this.offset >= this.buf!.length / 2) {
      payload = this.buf!.subarray(0, this.offset);
      this.buf = null;
    } else {
      payload = Buffer.allocUnsafe(this.offset);
      this.buf!.copy(payload, 0, 0, this.offset);
    }
    const sealed: SealedPayload = {
      payload,
      lines: this.lines,
      acks: this.acks,
      firstLineAt: this.firstLineAt,
      reason,
    };
    this.offset = 0;
    this.lines = 0;
    this.acks = [];
    this.options.onSeal(sealed);
  }

  /** Stops the linger timer without sealing (the sink seals first when it must). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
