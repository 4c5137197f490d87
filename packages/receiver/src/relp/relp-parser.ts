/**
 * RELP framing (librelp doc/relp.html, "RELP Frame"): bytes in, frames out, never throws.
 *
 *   TXNR SP COMMAND SP DATALEN [SP DATA] TRAILER      TRAILER = LF
 *
 * TXNR is 1 to 9 digits, COMMAND 1 to 32 letters, DATALEN 1 to 9 digits; with DATALEN 0 the
 * trailer follows the length directly (that is what librelp sends and accepts). The first
 * violation ends the stream: RELP has no way to find the next frame after a broken one, so the
 * session replies with `serverclose` and closes; every later byte is ignored.
 *
 * A DATALEN above the limit is not a violation (imrelp's default `oversizeMode="truncate"`):
 * the first `maxDataBytes` bytes of DATA are kept (none with the `drop` policy), the rest is read
 * and discarded without being buffered, and the frame comes out with `dataLen` > `data.length`.
 * Memory per parser stays at most `maxDataBytes`, whatever DATALEN says.
 */
export const RELP_MAX_TXNR_DIGITS = 9;
export const RELP_MAX_COMMAND_CHARS = 32;
export const RELP_MAX_DATALEN_DIGITS = 9;

export interface RelpFrame {
  txnr: number;
  command: string;
  /** DATA, or its first `maxDataBytes` bytes (none with the drop policy) when DATALEN was larger. */
  data: Buffer;
  /** DATALEN as declared; larger than data.length only for an over-size frame. */
  dataLen: number;
}

/** What happens to DATA beyond the limit (RECEIVER_OVERSIZE_POLICY): its head is kept or not. */
export type RelpOversizePolicy = "truncate" | "drop";

export type RelpParseErrorCode = "RCV_RELP_FRAME_INVALID";

export interface RelpParseError {
  code: RelpParseErrorCode;
  /** What was expected, and where (byte offset in the stream). */
  detail: string;
}

export interface RelpParserSink {
  frame(frame: RelpFrame): void;
  error(error: RelpParseError): void;
}

type State = "txnr" | "command" | "datalen" | "afterDatalen" | "data" | "trailer" | "failed";

const SP = 0x20;
const LF = 0x0a;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isAlpha = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

export class RelpParser {
  private state: State = "txnr";
  private txnr = 0;
  private digits = 0;
  private command = "";
  private dataLen = 0;
  /** Bytes of DATA kept: dataLen, or less for an over-size frame. */
  private keep = 0;
  private data: Buffer = Buffer.alloc(0);
  /** Bytes of DATA read so far (kept or discarded). */
  private dataFilled = 0;
  /** Bytes consumed so far (for error messages). */
  private offset = 0;
  /** A frame is partly read (the connection closing now would cut it). */
  get inFrame(): boolean {
    return this.state !== "failed" && !(this.state === "txnr" && this.digits === 0);
  }

  get failed(): boolean {
    return this.state === "failed";
  }

  constructor(
    /** Largest DATA kept (RECEIVER_MAX_FRAME_BYTES); the rest of a longer DATA is discarded. */
    private readonly maxDataBytes: number,
    private readonly sink: RelpParserSink,
    private readonly oversize: RelpOversizePolicy = "truncate",
  ) {}

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === "failed") return;
      if (this.state === "data") {
        // Bulk copy: DATA is opaque and may hold any byte, LF included.
        const take = Math.min(this.dataLen - this.dataFilled, n - i);
        // A frame inside one chunk is a view of it; only frames split across reads are copied.
        if (this.dataFilled === 0 && take === this.dataLen) this.data = chunk.subarray(i, i + this.keep);
        else if (this.dataFilled < this.keep) {
          if (this.dataFilled === 0) this.data = Buffer.allocUnsafe(this.keep);
          chunk.copy(this.data, this.dataFilled, i, i + Math.min(take, this.keep - this.dataFilled));
        }
        this.dataFilled += take;
        i += take;
        this.offset += take;
        if (this.dataFilled === this.dataLen) this.state = "trailer";
        continue;
      }
      this.step(chunk[i]!);
      i++;
      this.offset++;
    }
  }

  private step(b: number): void {
    switch (this.state) {
      case "txnr":
        if (isDigit(b) && this.digits < RELP_MAX_TXNR_DIGITS) {
          this.txnr = this.txnr * 10 + (b - 0x30);
          this.digits++;
        } else if (b === SP && this.digits > 0) {
          this.state = "command";
          this.command = "";
        } else this.fail("RCV_RELP_FRAME_INVALID", `expected a TXNR of 1 to ${RELP_MAX_TXNR_DIGITS} digits then SP`);
        return;
      case "command":
        if (isAlpha(b) && this.command.length < RELP_MAX_COMMAND_CHARS) this.command += String.fromCharCode(b);
        else if (b === SP && this.command.length > 0) {
          this.state = "datalen";
          this.dataLen = 0;
          this.digits = 0;
        } else this.fail("RCV_RELP_FRAME_INVALID", `expected a COMMAND of 1 to ${RELP_MAX_COMMAND_CHARS} letters then SP`);
        return;
      case "datalen":
        if (isDigit(b) && this.digits < RELP_MAX_DATALEN_DIGITS) {
          this.dataLen = this.dataLen * 10 + (b - 0x30);
          this.digits++;
          return;
        }
        if (this.digits === 0) return this.fail("RCV_RELP_FRAME_INVALID", `expected a DATALEN of 1 to ${RELP_MAX_DATALEN_DIGITS} digits`);
        if (this.dataLen === 0) {
          if (b === LF) this.emit(Buffer.alloc(0));
          else this.fail("RCV_RELP_FRAME_INVALID", "expected LF after DATALEN 0");
          return;
        }
        if (b !== SP) return this.fail("RCV_RELP_FRAME_INVALID", "expected SP after DATALEN");
        this.keep = this.dataLen <= this.maxDataBytes ? this.dataLen : this.oversize === "drop" ? 0 : this.maxDataBytes;
        this.state = "data";
        this.dataFilled = 0;
        return;
      case "trailer":
        if (b === LF) this.emit(this.data);
        else this.fail("RCV_RELP_FRAME_INVALID", `expected LF after ${this.dataLen} bytes of DATA (DATALEN larger or smaller than the data?)`);
        return;
      default:
        return;
    }
  }

  private emit(data: Buffer): void {
    const frame: RelpFrame = { txnr: this.txnr, command: this.command, data, dataLen: this.dataLen };
    this.state = "txnr";
    this.txnr = 0;
    this.digits = 0;
    this.data = Buffer.alloc(0);
    this.sink.frame(frame);
  }

  private fail(code: RelpParseErrorCode, expected: string): void {
    this.state = "failed";
    this.data = Buffer.alloc(0);
    this.sink.error({ code, detail: `${expected} at byte ${this.offset}` });
  }
}

/** One frame as it goes on the wire (librelp writes no SP and no DATA when DATA is empty). */
export function encodeRelpFrame(txnr: number, command: string, data: string | Buffer = ""): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const head = `${txnr} ${command} ${body.length}`;
  if (body.length === 0) return Buffer.from(`${head}\n`, "latin1");
  return Buffer.concat([Buffer.from(`${head} `, "latin1"), body, Buffer.from("\n", "latin1")]);
}
