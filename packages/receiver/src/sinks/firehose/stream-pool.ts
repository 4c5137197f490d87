/**
 * The delivery streams of one sink, used round-robin, each with its own back-off. Direct PUT
 * quotas are per stream (as low as 1 MiB/s outside the largest regions,
 * https://docs.aws.amazon.com/firehose/latest/dev/limits.html), so a throttled stream is rested
 * while the others carry its load, and a stream an operator must fix (missing, IAM, KMS) is
 * only probed every `maxMs` while its data goes elsewhere.
 *
 * Back-off is exponential with full jitter: delay = random() × min(maxMs, baseMs × 2^(n−1))
 * after the n-th consecutive failure (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export interface StreamState {
  readonly name: string;
  /** Consecutive failed calls (reset by a call with no failed entry). */
  failures: number;
  /** Clock reading before which no call is sent to this stream. */
  readyAt: number;
  /** Set while the stream needs an operator; the failure's code. */
  blockedBy: string | undefined;
}

export interface StreamPoolOptions {
  baseMs: number;
  maxMs: number;
  random: () => number;
}

export class StreamPool {
  readonly streams: StreamState[];
  private next = 0;

  constructor(names: readonly string[], private readonly options: StreamPoolOptions) {
    if (names.length === 0) throw new Error("StreamPool needs at least one stream");
    this.streams = names.map((name) => ({ name, failures: 0, readyAt: 0, blockedBy: undefined }));
  }

  /** The next stream, round-robin, that is not backing off at `now`; undefined if none. */
  pick(now: number): StreamState | undefined {
    const n = this.streams.length;
    for (let i = 0; i < n; i += 1) {
      const s = this.streams[(this.next + i) % n]!;
      if (s.readyAt <= now) {
        this.next = (this.next + i + 1) % n;
        return s;
      }
    }
    return undefined;
  }

  /** Earliest clock reading at which some stream is ready. */
  nextReadyAt(): number {
    return Math.min(...this.streams.map((s) => s.readyAt));
  }

  /** True when every stream needs an operator. */
  allBlocked(): boolean {
    return this.streams.every((s) => s.blockedBy !== undefined);
  }

  /** A call with no failed entry. Returns true when the stream was blocked until now. */
  succeeded(s: StreamState): boolean {
    const wasBlocked = s.blockedBy !== undefined;
    s.failures = 0;
    s.readyAt = 0;
    s.blockedBy = undefined;
    return wasBlocked;
  }

  /** A transient failure: back off. `escalate` false for a call that also had accepted
   * entries (the stream works; resend soon, jittered) rather than growing the delay, so a
   * steady share of failed entries does not throttle a healthy stream. Returns the delay. */
  failed(s: StreamState, now: number, escalate = true): number {
    s.failures = escalate ? s.failures + 1 : 1;
    const ceiling = Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(s.failures - 1, 30));
    // At least 1 ms, so a retry always waits for a timer and never spins in one tick.
    const delay = Math.max(1, Math.floor(this.options.random() * ceiling));
    s.readyAt = Math.max(s.readyAt, now + delay);
    return delay;
  }

  /** A failure only an operator can fix: probe again after ~maxMs (jittered ±50%).
   * Returns true when the stream was not blocked before (log once per episode). */
  blocked(s: StreamState, now: number, code: string): boolean {
    const first = s.blockedBy === undefined;
    s.failures += 1;
    s.blockedBy = code;
    s.readyAt = now + Math.floor(this.options.maxMs * (0.5 + this.options.random() / 2));
    return first;
  }
}
