import type { SyslogRecord } from "@aws-syslog/record";
import { SyslogClock, eventTimeMs, jsonEvent, syslogLine } from "./event-text.js";
import { LogBatcher, MAX_MESSAGE_BYTES, eventAge, truncateMessage, type LogEventBatch } from "./log-batches.js";
import { logStreamName, parseLogStreamTemplate, type LogStreamTemplate } from "./log-stream-name.js";
import { routeRecord, type RouteTable } from "./route.js";
import type { StagingLine } from "./staging-object.js";
import { BatchSender } from "./batch-sender.js";

/** Staging lines (invalid ones are counted) or records; arrays of them are accepted too, as
 * readStagingObjectChunks yields them (one async step per chunk instead of per record). */
export type ForwardInput = StagingLine | SyslogRecord;

/** What a writer reports for one accepted PutLogEvents call. */
export interface PutLogEventsResult {
  /** From rejectedLogEventsInfo: events CloudWatch did not store. */
  rejectedTooOld: number;
  rejectedTooNew: number;
  rejectedExpired: number;
  retries: number;
  streamsCreated: number;
  groupsCreated: number;
}

/** Where batches go: CloudWatch Logs (adapters/cloudwatch-logs.ts) or files (local-log-files.ts). */
export interface LogEventsWriter {
  /** Delivers one batch (already within every limit) or throws a ForwarderError. */
  putLogEvents(batch: LogEventBatch): Promise<PutLogEventsResult>;
}

export interface ForwardOptions {
  routes: RouteTable;
  /** e.g. "{hostname}" (see core/log-stream-name.ts). */
  logStreamTemplate: string | LogStreamTemplate;
  /** Zone of the syslog line's timestamp; default UTC. */
  timeZone?: string;
  /** PutLogEvents calls in flight at once (each stream's calls stay sequential); default 4. */
  maxParallelStreams?: number;
  /** Bytes of events held across all streams before the largest are flushed; default 32 MiB. */
  maxBufferedBytes?: number;
  /** Clock for the 14-day / 2-hour window; default Date.now. */
  now?: () => number;
}

/** Counters of one forwarding run (see docs/configuration.md#metrics). */
export interface ForwardStats {
  records: number;
  invalidLines: number;
  /** Records no route selected: not sent to CloudWatch (the archive keeps them). */
  unroutedRecords: number;
  /** One event per record and matching route. */
  events: number;
  eventsSent: number;
  eventsTruncated: number;
  /** Not sent: CloudWatch would reject them. Still archived. */
  eventsTooOld: number;
  eventsTooNew: number;
  /** Sent but reported in rejectedLogEventsInfo. */
  eventsRejectedTooOld: number;
  eventsRejectedTooNew: number;
  eventsRejectedExpired: number;
  batches: number;
  retries: number;
  streamsCreated: number;
  groupsCreated: number;
  eventsSentByRoute: Record<string, number>;
}

export function emptyForwardStats(): ForwardStats {
  return {
    records: 0, invalidLines: 0, unroutedRecords: 0, events: 0, eventsSent: 0, eventsTruncated: 0,
    eventsTooOld: 0, eventsTooNew: 0, eventsRejectedTooOld: 0, eventsRejectedTooNew: 0, eventsRejectedExpired: 0,
    batches: 0, retries: 0, streamsCreated: 0, groupsCreated: 0, eventsSentByRoute: {},
  };
}

/**
 * The CloudWatch half of the forwarder core: routes each record, renders its event text,
 * batches per log stream within every PutLogEvents limit and hands batches to the writer,
 * bounded in parallel across streams and in memory. Takes staging lines (invalid ones are
 * counted) or records. Resolves with the counters once everything is delivered; rejects with
 * the first writer error after in-flight calls settle (the caller retries the whole object).
 */
export async function forwardToLogGroups(
  input: AsyncIterable<ForwardInput | readonly ForwardInput[]> | Iterable<ForwardInput | readonly ForwardInput[]>,
  writer: LogEventsWriter,
  options: ForwardOptions,
): Promise<ForwardStats> {
  const stats = emptyForwardStats();
  const template = typeof options.logStreamTemplate === "string"
    ? parseLogStreamTemplate(options.logStreamTemplate) : options.logStreamTemplate;
  const clock = new SyslogClock(options.timeZone ?? "UTC");
  const now = options.now ?? Date.now;
  const batcher = new LogBatcher(options.maxBufferedBytes);
  const routeOf = new Map<LogEventBatch, string>();
  const sender = new BatchSender(options.maxParallelStreams ?? 4, async (batch: LogEventBatch) => {
    const result = await writer.putLogEvents(batch);
    const rejected = result.rejectedTooOld + result.rejectedTooNew + result.rejectedExpired;
    const route = routeOf.get(batch)!;
    routeOf.delete(batch);
    stats.batches += 1;
    stats.eventsSent += batch.events.length - rejected;
    stats.eventsSentByRoute[route] = (stats.eventsSentByRoute[route] ?? 0) + batch.events.length - rejected;
    stats.eventsRejectedTooOld += result.rejectedTooOld;
    stats.eventsRejectedTooNew += result.rejectedTooNew;
    stats.eventsRejectedExpired += result.rejectedExpired;
    stats.retries += result.retries;
    stats.streamsCreated += result.streamsCreated;
    stats.groupsCreated += result.groupsCreated;
  });
  const routeByGroup = new Map(options.routes.routes.map((r) => [r.logGroup, r.name]));
  const submit = (batches: readonly LogEventBatch[]): void => {
    for (const batch of batches) {
      routeOf.set(batch, routeByGroup.get(batch.logGroup) ?? "unknown");
      sender.submit(`${batch.logGroup}\n${batch.logStream}`, batch);
    }
  };

  // The clock is read once per input item (a chunk of lines), not per record.
  let nowMs = now();
  const accept = (item: ForwardInput): void => {
    let record: SyslogRecord;
    let printable = false;
    if ("ok" in item) {
      if (!item.ok) {
        stats.invalidLines += 1;
        return;
      }
      record = item.record;
      printable = item.printable;
    } else record = item;
    stats.records += 1;
    const routes = routeRecord(options.routes, record);
    if (routes.length === 0) {
      stats.unroutedRecords += 1;
      return;
    }
    stats.events += routes.length;
    const timestamp = eventTimeMs(record);
    const age = eventAge(timestamp, nowMs);
    if (age !== "ok") {
      if (age === "too-old") stats.eventsTooOld += routes.length;
      else stats.eventsTooNew += routes.length;
      return;
    }
    for (const route of routes) {
      let message: string;
      let bytes: number;
      if (route.format === "json") {
        message = jsonEvent(record);
        bytes = Buffer.byteLength(message, "utf8");
      } else {
        message = syslogLine(record, timestamp, clock, printable);
        // Printable ASCII fields and an ASCII timestamp: one byte per character.
        bytes = printable ? message.length : Buffer.byteLength(message, "utf8");
      }
      if (bytes > MAX_MESSAGE_BYTES) {
        ({ message, bytes } = truncateMessage(message, bytes));
        stats.eventsTruncated += 1;
      }
      const stream = logStreamName(template, record, route.name);
      submit(batcher.add(route.logGroup, stream, { timestamp, message }, bytes));
    }
  };

  for await (const item of input) {
    if (sender.failed) break;
    nowMs = now();
    if (Array.isArray(item)) for (const one of item) accept(one);
    else accept(item as ForwardInput);
    if (sender.busy) await sender.whenReady();
  }
  submit(batcher.drain());
  await sender.finish();
  return stats;
}
