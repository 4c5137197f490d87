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
  /** False once an event arrived earlier than the one before it. */
  sorted: boolean;
}

/**
 * Collects events per log stream and hands out batches within every PutLogEvents limit.
 * A stream's buffer becomes batches when one more event would break the count or byte
 * limit, and the largest buffers are flushed when all of them together pass
 * `maxBufferedBytes`, so memory stays bounded however many hosts a staging object holds.
 * Each flush sorts its events (stable) and splits them where the 24-hour span would break.
 */
export class LogBatcher {
  /** logGroup → logStream → buffer: two lookups of existing strings instead of building a
   * `group\nstream` key per event (string building and hashing showed in the profile). */
  private readonly groups = new Map<string, Map<string, PendingStream>>();
  private bufferedBytes = 0;

  constructor(private readonly maxBufferedBytes = 32 * MAX_BATCH_BYTES) {}

  /** Adds one event (message bytes already within MAX_MESSAGE_BYTES); returns ready batches
   * (usually none: then a shared empty array, which must not be modified). */
  add(logGroup: string, logStream: string, event: LogEvent, messageBytes: number): readonly LogEventBatch[] {
    const size = messageBytes + EVENT_OVERHEAD_BYTES;
    let ready: LogEventBatch[] | null = null;
    let streams = this.groups.get(logGroup);
    if (streams === undefined) {
      streams = new Map();
      this.groups.set(logGroup, streams);
    }
    let stream = streams.get(logStream);
    if (stream !== undefined && (stream.events.length === MAX_BATCH_EVENTS || stream.bytes + size > MAX_BATCH_BYTES)) {
      ready = this.flush(stream);
      stream = undefined;
    }
    if (stream === undefined) {
      stream = { logGroup, logStream, events: [], sizes: [], bytes: 0, sorted: true };
      streams.set(logStream, stream);
    }
    const events = stream.events;
    if (events.length > 0 && event.timestamp < events[events.length - 1]!.timestamp) stream.sorted = false;
    events.push(event);
    stream.sizes.push(size);
    stream.bytes += size;
    this.bufferedBytes += size;
    if (this.bufferedBytes > this.maxBufferedBytes) (ready ??= []).push(...this.flushLargest());
    return ready ?? NO_BATCHES;
  }

  /** Every remaining event as batches. */
  drain(): LogEventBatch[] {
    const ready: LogEventBatch[] = [];
    for (const streams of this.groups.values()) for (const stream of streams.values()) ready.push(...this.flush(stream));
    return ready;
  }

  private flushLargest(): LogEventBatch[] {
    const ready: LogEventBatch[] = [];
    const bySize = [...this.groups.values()].flatMap((streams) => [...streams.values()]).sort((a, b) => b.bytes - a.bytes);
    for (const stream of bySize) {
      if (this.bufferedBytes <= this.maxBufferedBytes / 2) break;
      ready.push(...this.flush(stream));
    }
    return ready;
  }

  private flush(stream: PendingStream): LogEventBatch[] {
    // An emptied group keeps its (small) map: groups are few, one per route.
    this.groups.get(stream.logGroup)!.delete(stream.logStream);
    this.bufferedBytes -= stream.bytes;
    return splitBySpan(stream);
  }
}

const NO_BATCHES: readonly LogEventBatch[] = Object.freeze([]);

/** Sorts (stable, only when out of order) and splits where the time span from a batch's first
 * event reaches 24 h. In-order input, the common case, becomes batches without copying. */
function splitBySpan(stream: PendingStream): LogEventBatch[] {
  const { events, sizes } = stream;
  if (stream.sorted && events.length > 0 && events[events.length - 1]!.timestamp - events[0]!.timestamp < MAX_BATCH_SPAN_MS) {
    return [{ logGroup: stream.logGroup, logStream: stream.logStream, events, bytes: stream.bytes }];
  }
  const order = events.map((_, i) => i);
  if (!stream.sorted) order.sort((a, b) => events[a]!.timestamp - events[b]!.timestamp || a - b);
  const batches: LogEventBatch[] = [];
  let current: LogEventBatch | null = null;
  for (const i of order) {
    const event = events[i]!;
    if (current === null || event.timestamp - current.events[0]!.timestamp >= MAX_BATCH_SPAN_MS) {
      current = { logGroup: stream.logGroup, logStream: stream.logStream, events: [], bytes: 0 };
      batches.push(current);
    }
    current.events.push(event);
    current.bytes += sizes[i]!;
  }
  return batches;
}
