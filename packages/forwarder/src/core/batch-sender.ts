/**
 * Sends work items with bounded parallelism while keeping each key's items sequential (a
 * log stream's batches go out in the order they were made). `whenReady()` is the producer's
 * backpressure: it waits while twice the parallel bound of items are queued or in flight.
 * After the first failure nothing new is started; `finish()` waits for what is in flight
 * and rethrows that first failure.
 */
export class BatchSender<T> {
  private active = 0;
  private readonly slots: Array<() => void> = [];
  private readonly tails = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly maxParallel: number, private readonly send: (item: T) => Promise<void>) {}

  submit(key: string, item: T): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.runInSlot(item));
    const tail = run.catch((err: unknown) => this.fail(err));
    this.tails.set(key, tail);
    this.pending.add(tail);
    void tail.then(() => {
      this.pending.delete(tail);
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
  }

  /** True once an item has failed: the producer should stop and call finish(). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** True while the producer should wait (see whenReady). */
  get busy(): boolean {
    return this.pending.size >= this.maxParallel * 2;
  }

  async whenReady(): Promise<void> {
    while (this.pending.size >= this.maxParallel * 2 && !this.failed) await Promise.race(this.pending);
  }

  async finish(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
    if (this.failure !== null) throw this.failure.error;
  }

  private async runInSlot(item: T): Promise<void> {
    if (this.failed) return;
    // A released slot is handed straight to the next waiter, so `active` never overshoots.
    if (this.active < this.maxParallel) this.active += 1;
    else await new Promise<void>((resolve) => this.slots.push(resolve));
    try {
      if (!this.failed) await this.send(item);
    } finally {
      const next = this.slots.shift();
      if (next !== undefined) next();
      else this.active -= 1;
    }
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
  }
}
