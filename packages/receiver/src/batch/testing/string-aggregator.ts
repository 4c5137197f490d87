import type { Ack } from "../../sinks/sink.js";
import { fitLine, type FitAction } from "../fit-line.js";

/**
 * Reference for record-aggregator.test.ts: the string aggregator the Firehose sink used before
 * it took lines as bytes (sinks/firehose/record-aggregator.ts). Its property test holds the
 * byte aggregator's record boundaries equal to this one's. Not product code.
 *
 * Packs NDJSON lines into groups, one group per future Firehose record: whole lines only, in
 * write order, at most `maxPayloadBytes` uncompressed bytes each. A group is sealed when the
 * next line would not fit, when it is exactly full, when `lingerMs` has passed since its first
 * line, or on demand (flush, byte budget reached). Timers are the global ones, so tests drive
 * them with fake timers; the clock for latency stamps is injected.
 */
export interface SealedGroup {
  /** Whole NDJSON lines, each with its LF. */
  payload: string;
  /** UTF-8 bytes of `payload`. */
  payloadBytes: number;
  lines: number;
  /** Acks of the lines that had one, in line order. */
  acks: Ack[];
  /** Clock reading when the group's first line was added. */
  firstLineAt: number;
}

export interface AggregatorOptions {
  maxPayloadBytes: number;
  lingerMs: number;
  now: () => number;
  onSeal: (group: SealedGroup) => void;
  /** A line over `maxPayloadBytes` was shrunk (see fit-line.ts). */
  onOversize: (action: FitAction, bytesBefore: number, bytesAfter: number) => void;
}

export class Aggregator {
  private parts: string[] = [];
  private acks: Ack[] = [];
  private bytes = 0;
  private firstLineAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AggregatorOptions) {}

  /** Uncompressed bytes waiting in the open group. */
  get openBytes(): number {
    return this.bytes;
  }

  /** Adds one line (LF-terminated; one is added if missing). Returns the bytes stored. */
  add(line: string, ack?: Ack): number {
    const { maxPayloadBytes } = this.options;
    if (line.charCodeAt(line.length - 1) !== 10) line += "\n";
    let bytes = Buffer.byteLength(line);
    if (bytes > maxPayloadBytes) {
      const fitted = fitLine(line, maxPayloadBytes);
      const after = Buffer.byteLength(fitted.line);
      this.options.onOversize(fitted.action, bytes, after);
      line = fitted.line;
      bytes = after;
    }
    if (this.bytes + bytes > maxPayloadBytes) this.seal();
    if (this.parts.length === 0) {
      this.firstLineAt = this.options.now();
      this.timer = setTimeout(() => this.seal(), this.options.lingerMs);
    }
    this.parts.push(line);
    if (ack) this.acks.push(ack);
    this.bytes += bytes;
    if (this.bytes === maxPayloadBytes) this.seal();
    return bytes;
  }

  /** Seals the open group now (no-op when empty). */
  seal(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.parts.length === 0) return;
    const group: SealedGroup = {
      payload: this.parts.join(""),
      payloadBytes: this.bytes,
      lines: this.parts.length,
      acks: this.acks,
      firstLineAt: this.firstLineAt,
    };
    this.parts = [];
    this.acks = [];
    this.bytes = 0;
    this.options.onSeal(group);
  }

  /** Stops the linger timer without sealing (the sink seals first when it must). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
