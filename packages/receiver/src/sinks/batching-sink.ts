import { EventEmitter } from "node:events";
import type { Ack, Sink } from "./sink.js";

/**
 * Shared mechanics of the local sinks (file, staging): lines accumulate in a batch; one batch
 * is stored at a time by `store`; acks fire after it is stored; `write` returns false while
 * more than `budgetBytes` are pending and "drain" is emitted once they fall below half of it
 * (hysteresis, so paused connections do not flap).
 *
 * Byte counts use string length (UTF-16 units): an approximation that costs nothing per line.
 */
export interface BatchingSinkOptions {
  budgetBytes: number;
  /** Store the batch once it holds this many bytes, without waiting for the timer. */
  batchBytes: number;
  /** Wait at most this long before storing a non-empty batch; 0 = next turn of the event loop. */
  lingerMs: number;
}

export abstract class BatchingSink extends EventEmitter implements Sink {
  abstract readonly name: string;
  private lines: string[] = [];
  private acks: Ack[] = [];
  private batchBytes = 0;
  private pending = 0;
  private storing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private needDrain = false;
  private closed = false;

  constructor(private readonly options: BatchingSinkOptions) {
    super();
  }

  /** Stores one batch durably (or throws; the batch's acks then get the error). */
  protected abstract store(lines: string[], bytes: number): Promise<void>;
  protected abstract release(): Promise<void>;
  /** Called with every store failure; must log and count (data loss). */
  protected abstract failed(error: Error, lines: number): void;

  get pendingBytes(): number {
    return this.pending;
  }

  write(line: string, ack?: Ack): boolean {
    if (this.closed) {
      ack?.(new Error(`${this.name} sink is closed`));
      return false;
    }
    this.lines.push(line);
    if (ack) this.acks.push(ack);
    this.batchBytes += line.length;
    this.pending += line.length;
    if (this.batchBytes >= this.options.batchBytes) this.kick(true);
    else if (!this.timer) this.kick(false);
    if (this.pending > this.options.budgetBytes) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  async flush(): Promise<void> {
    while (this.lines.length > 0 || this.storing) {
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
    const lines = this.lines;
    const acks = this.acks;
    const bytes = this.batchBytes;
    this.lines = [];
    this.acks = [];
    this.batchBytes = 0;
    if (lines.length === 0) return Promise.resolve();
    const run = (async () => {
      let error: Error | null = null;
      try {
        await this.store(lines, bytes);
      } catch (err) {
        error = err as Error;
        this.failed(error, lines.length);
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
      if (this.lines.length > 0) this.kick(this.batchBytes >= this.options.batchBytes);
    });
    return this.storing;
  }
}
