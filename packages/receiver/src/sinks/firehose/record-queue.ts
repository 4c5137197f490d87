import type { Ack } from "../sink.js";
import { MAX_BATCH_DATA_BYTES, MAX_RECORDS_PER_BATCH } from "../../batch/firehose-limits.js";
import { takeBatch } from "../../batch/take-batch.js";

/** One Firehose record inside the sink: a gzip member of whole lines and their acks. */
export interface QueuedRecord {
  readonly seq: number;
  readonly lines: number;
  readonly payloadBytes: number;
  readonly acks: Ack[];
  /** The gzip member; null while compressing and after settling. */
  data: Buffer | null;
  /** Failed sends with a retryable cause. */
  attempts: number;
  settled: boolean;
}

/**
 * The sink's records from seal to settle. `waiting` holds those not in flight in seq (write)
 * order: resent records sit before every record never sent, because every record ever sent
 * was taken from the head. `unsettled` holds every record not yet accepted or given up; a Map
 * keeps insertion (seq) order, so its first key answers "is everything up to seq settled?".
 */
export class RecordQueue {
  private waiting: QueuedRecord[] = [];
  private readonly unsettled = new Map<number, QueuedRecord>();
  private waiters: { seq: number; resolve: () => void }[] = [];
  private lastSeq = 0;
  /** Unsettled records that failed more than maxRetries times. */
  overBudget = 0;

  constructor(private readonly maxRetries: number) {}

  get size(): number {
    return this.unsettled.size;
  }

  /** The highest seq handed out so far. */
  get seq(): number {
    return this.lastSeq;
  }

  add(lines: number, payloadBytes: number, acks: Ack[]): QueuedRecord {
    const r: QueuedRecord = { seq: ++this.lastSeq, lines, payloadBytes, acks, data: null, attempts: 0, settled: false };
    this.unsettled.set(r.seq, r);
    this.waiting.push(r);
    return r;
  }

  /** How many records from the head make the next call (compressed, within the limits). */
  ready(maxRecords: number): number {
    return takeBatch(this.waiting, maxRecords);
  }

  /** Whether the `n` records from the head fill a call: no more would fit with the next one
   * (record count or 4 MiB), so waiting for more records cannot make a bigger call. */
  fillsCall(n: number, maxRecords: number): boolean {
    if (n >= Math.min(maxRecords, MAX_RECORDS_PER_BATCH)) return true;
    const next = this.waiting[n]?.data;
    if (!next) return false;
    let bytes = next.byteLength;
    for (let i = 0; i < n; i += 1) bytes += this.waiting[i]!.data!.byteLength;
    return bytes > MAX_BATCH_DATA_BYTES;
  }

  /** Removes and returns the first `n` waiting records. */
  take(n: number): QueuedRecord[] {
    return this.waiting.splice(0, n);
  }

  /** Drops a record that will never be sent (it is settled by the caller). */
  remove(r: QueuedRecord): void {
    this.waiting = this.waiting.filter((e) => e !== r);
  }

  /** Puts failed records back in seq order; `countAttempt` for retryable causes. */
  requeue(records: readonly QueuedRecord[], countAttempt: boolean): void {
    if (countAttempt) {
      for (const r of records) if (++r.attempts === this.maxRetries + 1) this.overBudget += 1;
    }
    const merged: QueuedRecord[] = [];
    let i = 0;
    for (const e of this.waiting) {
      while (i < records.length && records[i]!.seq < e.seq) merged.push(records[i++]!);
      merged.push(e);
    }
    while (i < records.length) merged.push(records[i++]!);
    this.waiting = merged;
  }

  /** Marks a record settled; false if it already was. Resolves flushes it completes. */
  settle(r: QueuedRecord): boolean {
    if (r.settled) return false;
    r.settled = true;
    if (r.attempts > this.maxRetries) this.overBudget -= 1;
    this.unsettled.delete(r.seq);
    if (this.waiters.length > 0) {
      const still = this.waiters.filter((w) => !this.settledThrough(w.seq));
      for (const w of this.waiters) if (!still.includes(w)) w.resolve();
      this.waiters = still;
    }
    return true;
  }

  /** Resolves once every record up to `seq` is settled. */
  settledUpTo(seq: number): Promise<void> {
    if (this.settledThrough(seq)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Every unsettled record, in seq order (for giving up at the deadline). */
  unsettledRecords(): QueuedRecord[] {
    return [...this.unsettled.values()];
  }

  heldBytes(): number {
    let n = 0;
    for (const r of this.unsettled.values()) n += r.payloadBytes;
    return n;
  }

  clearWaiting(): void {
    this.waiting = [];
  }

  private settledThrough(seq: number): boolean {
    const oldest = this.unsettled.keys().next();
    return oldest.done === true || oldest.value > seq;
  }
}
