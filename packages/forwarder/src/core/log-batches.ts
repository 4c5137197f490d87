/**
 * PutLogEvents batching, pure. Limits (API reference and quota page):
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
 */

/** At most 10,000 events per PutLogEvents call. */
export const MAX_BATCH_EVENTS = 10_000;
/** At most 1,048,576 bytes per call: UTF-8 message bytes plus 26 bytes per event. */
export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
/** 256 KiB per event, overhead included, so a message may hold 262,118 bytes. (AWS has since
 * raised the event limit to 1 MB in some documentation; 256 KiB is accepted everywhere.) */
export const MAX_EVENT_BYTES = 262_144;
export const MAX_MESSAGE_BYTES = MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES;
/** All events of one call within 24 hours of each other. */
export const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;
/** Events older than 14 days or more than 2 hours in the future are rejected by CloudWatch. */
export const MAX_EVENT_AGE_MS = 14 * 24 * 60 * 60 * 1000;
export const MAX_EVENT_FUTURE_MS = 2 * 60 * 60 * 1000;

export interface LogEvent {
  /** Milliseconds since the epoch. */
  timestamp: number;
  message: string;
}

export interface LogEventBatch {
  logGroup: string;
  logStream: string;
  /** In chronological order (stable: equal timestamps keep their input order). */
  events: LogEvent[];
  /** Message bytes plus 26 per event, as CloudWatch counts them. */
  bytes: number;
}

/** Cuts a message to MAX_MESSAGE_BYTES of UTF-8 at a character boundary. */
export function truncateMessage(message: string, bytes: number): { message: string; bytes: number; truncated: boolean } {
  if (bytes <= MAX_MESSAGE_BYTES) return { message, bytes, truncated: false };
  const buf = Buffer.from(message, "utf8");
  let end = MAX_MESSAGE_BYTES;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--; // back off a continuation byte
  const cut = buf.toString("utf8", 0, end);
  return { message: cut, bytes: end, truncated: true };
}

/** Whether CloudWatch would accept an event time at `nowMs`. */
export function eventAge(timestamp: number, nowMs: number): "ok" | "too-old" | "too-new" {
  if (timestamp < nowMs - MAX_EVENT_AGE_MS) return "too-old";
  if (timestamp > nowMs + MAX_EVENT_FUTURE_MS) return "too-new";
  return "ok";
}

interface PendingStream {
  logGroup: string;
  logStream: string;
  events: LogEvent[];
  sizes: number[];
  bytes: number;
}

/**
 * Collects events per log stream and hands out batches within every PutLogEvents limit.
 * A stream's buffer becomes batches when one more event would break the count or byte
 * limit, and the largest buffers are flushed when all of them together pass
 * `maxBufferedBytes`, so memory stays bounded however many hosts a staging object holds.
 * Each flush sorts its events (stable) and splits them where the 24-hour span would break.
 */
export class LogBatcher {
  private readonly streams = new Map<string, PendingStream>();
  private bufferedBytes = 0;

  constructor(private readonly maxBufferedBytes = 32 * MAX_BATCH_BYTES) {}

  /** Adds one event (message bytes already within MAX_MESSAGE_BYTES); returns ready batches. */
  add(logGroup: string, logStream: string, event: LogEvent, messageBytes: number): LogEventBatch[] {
    const key = `${logGroup}\n${logStream}`;
    const size = messageBytes + EVENT_OVERHEAD_BYTES;
    let ready: LogEventBatch[] = [];
    let stream = this.streams.get(key);
    if (stream !== undefined && (stream.events.length === MAX_BATCH_EVENTS || stream.bytes + size > MAX_BATCH_BYTES)) {
      ready = this.flush(key, stream);
      stream = undefined;
    }
    if (stream === undefined) {
      stream = { logGroup, logStream, events: [], sizes: [], bytes: 0 };
      this.streams.set(key, stream);
    }
    stream.events.push(event);
    stream.sizes.push(size);
    stream.bytes += size;
    this.bufferedBytes += size;
    if (this.bufferedBytes > this.maxBufferedBytes) ready.push(...this.flushLargest());
    return ready;
  }

  /** Every remaining event as batches. */
  drain(): LogEventBatch[] {
    const ready: LogEventBatch[] = [];
    for (const [key, stream] of this.streams) ready.push(...this.flush(key, stream));
    return ready;
  }

  private flushLargest(): LogEventBatch[] {
    const ready: LogEventBatch[] = [];
    const bySize = [...this.streams].sort(([, a], [, b]) => b.bytes - a.bytes);
    for (const [key, stream] of bySize) {
      if (this.bufferedBytes <= this.maxBufferedBytes / 2) break;
      ready.push(...this.flush(key, stream));
    }
    return ready;
  }

  private flush(key: string, stream: PendingStream): LogEventBatch[] {
    this.streams.delete(key);
    this.bufferedBytes -= stream.bytes;
    return splitBySpan(stream);
  }
}

/** Sorts (stable) and splits where the time span from a batch's first event reaches 24 h. */
function splitBySpan(stream: PendingStream): LogEventBatch[] {
  const order = stream.events.map((_, i) => i);
  if (!isSorted(stream.events)) {
    order.sort((a, b) => stream.events[a]!.timestamp - stream.events[b]!.timestamp || a - b);
  }
  const batches: LogEventBatch[] = [];
  let current: LogEventBatch | null = null;
  for (const i of order) {
    const event = stream.events[i]!;
    if (current === null || event.timestamp - current.events[0]!.timestamp >= MAX_BATCH_SPAN_MS) {
      current = { logGroup: stream.logGroup, logStream: stream.logStream, events: [], bytes: 0 };
      batches.push(current);
    }
    current.events.push(event);
    current.bytes += stream.sizes[i]!;
  }
  return batches;
}

function isSorted(events: LogEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.timestamp < events[i - 1]!.timestamp) return false;
  return true;
}
