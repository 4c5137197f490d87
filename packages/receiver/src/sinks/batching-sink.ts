import { EventEmitter } from "node:events";
import type { ByteSink } from "./byte-sink.js";
import type { Ack } from "./sink.js";

/**
 * Shared mechanics of the local sinks (file, staging): each line is UTF-8 encoded into the
 * current batch buffer as it is written, so the line string dies young (no promotion to the old
 * generation while a store is in flight, no join of a large string later); one batch is stored
 * at a time by `store`; acks fire after it is stored; `write` returns false while more than
 * `budgetBytes` are pending and "drain" is emitted once they fall below half of it (hysteresis,
 * so paused connections do not flap).
 */
export interface BatchingSinkOptions {
  budgetBytes: number;
  /** Store the batch once it holds this many bytes, without waiting for the timer. */
  batchBytes: number;
  /** Wait at most this long before storing a non-empty batch; 0 = next turn of the event loop. */
  lingerMs: number;
  /** After flushSoon (a writer waits only on acks), store the batch this soon instead; at most
   * once per batch. Unset or >= lingerMs: flushSoon does nothing. */
  ackLingerMs?: number;
}

/** Size of the buffers lines are encoded into; a larger line gets a buffer of its own size. */
const CHUNK_BYTES = 256 * 1024;
/** Worst case of UTF-8 bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;

export abstract class BatchingSink extends EventEmitter implements ByteSink {
  abstract readonly name: string;
  private chunks: Buffer[] = [];
  private current: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  /** current[start, offset) holds lines not yet sealed into `chunks`. */
  private start = 0;
  private offset = 0;
  private acks: Ack[] = [];
  private batchBytes = 0;
  private pending = 0;
  private storing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private needDrain = false;
  private closed = false;
  private hurried = false;

  constructor(private readonly options: BatchingSinkOptions) {
    super();
  }

  /** Stores one batch durably (or throws; the batch's acks then get the error). */
  protected abstract store(chunks: Buffer[], bytes: number): Promise<void>;
  protected abstract release(): Promise<void>;
  /** Called with every store failure; must log and count (data loss). */
  protected abstract failed(error: Error, bytes: number): void;

  get pendingBytes(): number {
    return this.pending;
  }

  write(line: string, ack?: Ack): boolean {
    if (this.closed) {
      ack?.(new Error(`${this.name} sink is closed`));
      return false;
    }
    const buf = this.reserve(line.length * MAX_UTF8_PER_UNIT);
    return this.commit(buf.write(line, this.offset, "utf8"), ack);
  }

  /** ByteSink: the caller encodes a line straight into the batch buffer (see byte-sink.ts). */
  reserve(maxBytes: number): Buffer {
    if (this.current.length - this.offset < maxBytes) this.nextChunk(maxBytes);
    return this.current;
  }

  get reservedAt(): number {
    return this.offset;
  }

  commit(bytes: number, ack?: Ack): boolean {
    if (this.closed) {
      ack?.(new Error(`${this.name} sink is closed`));
      return false;
    }
    this.offset += bytes;
    if (ack) this.acks.push(ack);
    this.batchBytes += bytes;
    this.pending += bytes;
    if (this.batchBytes >= this.options.batchBytes) this.kick(true);
    else if (!this.timer) this.kick(false);
    if (this.pending > this.options.budgetBytes) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  /** Sink.flushSoon: the pending batch timer is cut to ackLingerMs, once per batch, so hints
   * from many writers store at most one batch per ackLingerMs. */
  flushSoon(): void {
    const ack = this.options.ackLingerMs;
    if (ack === undefined || ack >= this.options.lingerMs || this.hurried || !this.timer) return;
    this.hurried = true;
    this.clearTimer();
    this.timer = setTimeout(() => this.onTimer(), ack);
  }

  async flush(): Promise<void> {
    while (this.batchBytes > 0 || this.storing) {
      if (this.storing) await this.storing;
      else await this.storeBatch();
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) this.clearTimer();
    await this.release();
  }

  /** Moves the unsealed lines into `chunks`; the rest of `current` keeps being filled. */
  private seal(): void {
    if (this.offset > this.start) this.chunks.push(this.current.subarray(this.start, this.offset));
    this.start = this.offset;
  }

  private nextChunk(atLeast: number): void {
    this.seal();
    this.current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, atLeast));
    this.start = this.offset = 0;
  }

  private kick(now: boolean): void {
    if (this.storing) return; // the running store picks the batch up when it finishes
    if (now) {
      if (this.timer) this.clearTimer();
      void this.storeBatch();
      return;
    }
    this.timer = this.options.lingerMs === 0 ? setImmediate(() => this.onTimer()) : setTimeout(() => this.onTimer(), this.options.lingerMs);
  }

  private onTimer(): void {
    this.timer = null;
    if (!this.storing) void this.storeBatch();
  }

  private clearTimer(): void {
    if (this.options.lingerMs === 0) clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = null;
  }

  private storeBatch(): Promise<void> {
    if (this.batchBytes === 0) return Promise.resolve();
    this.seal();
    const chunks = this.chunks;
    const acks = this.acks;
    const bytes = this.batchBytes;
    this.chunks = [];
    this.acks = [];
    this.batchBytes = 0;
    this.hurried = false;
    const run = (async () => {
      let error: Error | null = null;
      try {
        await this.store(chunks, bytes);
      } catch (err) {
        error = err as Error;
        this.failed(error, bytes);
      }
      this.pending -= bytes;
      for (const ack of acks) ack(error);
    })();
    this.storing = run.finally(() => {
      this.storing = null;
      if (this.needDrain && this.pending <= this.options.budgetBytes / 2) {
        this.needDrain = false;
        this.emit("drain");
      }
      if (this.batchBytes > 0) this.kick(this.batchBytes >= this.options.batchBytes);
    });
    return this.storing;
  }
}
