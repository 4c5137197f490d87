import { EventEmitter } from "node:events";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import type { Logger } from "pino";
import type { Registry } from "../../metrics.js";
import type { ByteSink } from "../byte-sink.js";
import type { Ack } from "../sink.js";
import { MAX_RECORD_DATA_BYTES, MAX_RECORDS_PER_BATCH } from "../../batch/firehose-limits.js";
import type { Failure } from "./classify-error.js";
import type { FirehoseSinkConfig } from "./config.js";
import { FIREHOSE_CODES, FirehoseSinkError, type FirehoseCode } from "./firehose-errors.js";
import { FirehoseEvents } from "./firehose-events.js";
import { RecordAggregator, type SealedPayload } from "./record-aggregator.js";
import { RecordQueue, type QueuedRecord as Entry } from "./record-queue.js";
import { putRecordBatch } from "./service.js";
import { StreamPool, type StreamState } from "./stream-pool.js";

/**
 * The receiver's production sink: schema-v1 NDJSON lines → gzip members → PutRecordBatch.
 * Lines come as strings (write) or as bytes written straight into the open record's buffer
 * (ByteSink: the connection's RFC 5424 fast path); either way they are UTF-8 bytes from then
 * on, compressed from that buffer, never decoded or re-encoded.
 *
 * Delivery is at-least-once. A line is acked (null) once the Firehose record holding it was
 * accepted. Nothing is dropped before close(): failed entries are resent (only those, oldest
 * first, before any record not yet sent); errors only an operator can fix keep the data and
 * push back (write() returns false) while the stream is probed slowly; close() gives up at
 * its deadline, acking the rest with RCV_FIREHOSE_UNDELIVERED and logging the count at ERROR.
 *
 * Order: lines keep write order inside a record; records are first sent in write order; a
 * resent record goes before every record not yet sent. A record can be overtaken only by
 * records that were already in flight when it failed (the other entries of its call and at
 * most maxInFlight − 1 other calls), so with maxInFlight 1 and one stream a connection's
 * lines are accepted in order except within one failed call. Across streams Firehose writes
 * separate S3 objects anyway; readers order by received_at.
 */
export interface FirehoseSinkDeps {
  /** A client making one attempt per call; by default one from the SDK's standard chain. */
  client?: FirehoseClient;
  logger: Logger;
  metrics: Registry;
  /** Milliseconds clock for back-off deadlines (Date.now by default; fake timers move it). */
  clock?: () => number;
  /** [0, 1) source for back-off jitter. */
  random?: () => number;
  /** gzip of one record's payload; async zlib (libuv pool) by default. */
  compress?: (payload: Buffer, level: number) => Promise<Buffer>;
}

const gzipAsync = promisify(gzip);
/** How long records gather for the next call while one is in flight (see pump). */
const CALL_GATHER_MS = 100;
const defaultCompress = (payload: Buffer, level: number): Promise<Buffer> => gzipAsync(payload, { level });

/** The Firehose sink (a Sink; its close() also takes an optional deadline). */
export function createFirehoseSink(config: FirehoseSinkConfig, deps: FirehoseSinkDeps): FirehoseSink {
  return new FirehoseSink(config, deps);
}

export class FirehoseSink extends EventEmitter implements ByteSink {
  readonly name = "firehose";
  private readonly client: FirehoseClient;
  private readonly ownsClient: boolean;
  private readonly clock: () => number;
  private readonly compress: (payload: Buffer, level: number) => Promise<Buffer>;
  private readonly events: FirehoseEvents;
  private readonly pool: StreamPool;
  private readonly aggregator: RecordAggregator;
  private readonly records: RecordQueue;
  private readonly controllers = new Set<AbortController>();
  private pending = 0;
  private inFlight = 0;
  private maxBatchRecords = MAX_RECORDS_PER_BATCH;
  private needDrain = false;
  private refusedAfterClose = 0;
  private reportedStalled = false;
  private lastCause: string | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private pumpTimerAt = Infinity;
  private pumpQueued = false;
  /** Clock reading when the latest call was started. */
  private lastCallAt = -Infinity;
  private closing = false;
  private abandoned = false;
  private closePromise: Promise<void> | undefined;

  constructor(
    private readonly config: FirehoseSinkConfig,
    deps: FirehoseSinkDeps,
  ) {
    super();
    this.ownsClient = !deps.client;
    // maxAttempts 1: this sink owns retries (only failed entries, stream rotation, counts).
    this.client = deps.client ?? new FirehoseClient({ maxAttempts: 1 });
    this.clock = deps.clock ?? Date.now;
    this.compress = deps.compress ?? defaultCompress;
    this.records = new RecordQueue(config.maxRetries);
    this.events = new FirehoseEvents(deps.metrics, deps.logger.child({ sink: "firehose" }));
    this.pool = new StreamPool(config.streams, { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs, random: deps.random ?? Math.random });
    this.aggregator = new RecordAggregator({
      maxPayloadBytes: config.recordMaxBytes,
      lingerMs: config.lingerMs,
      ackLingerMs: config.ackLingerMs,
      now: this.clock,
      onSeal: (group) => this.onSeal(group),
      onOversize: (action, before, after) => this.events.oversize(action, before, after),
    });
  }

  get pendingBytes(): number {
    return this.pending;
  }

  /** True while the sink refuses more data whatever its budget (see stalledChanged). */
  get stalled(): boolean {
    return this.records.overBudget > 0 || this.pool.allBlocked();
  }

  write(line: string, ack?: Ack): boolean {
    if (this.closing) return this.refuse(ack);
    return this.accepted(this.aggregator.write(line, ack));
  }

  /** ByteSink: room for a line in the open record's buffer (see byte-sink.ts). */
  reserve(maxBytes: number): Buffer {
    return this.aggregator.reserve(maxBytes);
  }

  get reservedAt(): number {
    return this.aggregator.reservedAt;
  }

  commit(bytes: number, ack?: Ack): boolean {
    if (this.closing) return this.refuse(ack);
    return this.accepted(this.aggregator.commit(bytes, ack));
  }

  /** A writer waits only on acks (a RELP window is full): see RecordAggregator.hurry. */
  flushSoon(): void {
    this.aggregator.hurry();
  }

  flush(): Promise<void> {
    this.aggregator.seal("flush");
    return this.records.settledUpTo(this.records.seq);
  }

  private refuse(ack: Ack | undefined): boolean {
    // A wiring bug (writes must stop before close): counted each time, logged once.
    this.events.refusedAfterClose(++this.refusedAfterClose === 1);
    ack?.(new FirehoseSinkError(FIREHOSE_CODES.closed, "Firehose sink is closed"));
    return false;
  }

  private accepted(bytes: number): boolean {
    const before = this.pending;
    this.pending += bytes;
    this.events.linesIn.value += 1;
    this.events.setPendingBytes(this.pending);
    // Reaching the budget: no point lingering, ship what is open. Only when crossing it: while
    // over it (writers paused, a chunk's remaining frames still arriving), sealing on every
    // write made one-line records (billed 5 KB each, a gzip stream each: measured 53 KB
    // records and ~4x the CPU per line at full load).
    if (before < this.config.bufferBytes && this.pending >= this.config.bufferBytes) this.aggregator.seal("budget");
    const ok = this.pending < this.config.bufferBytes && !this.stalled;
    if (!ok) this.needDrain = true;
    return ok;
  }

  /** Flushes, giving up at the deadline: `timeoutMs` (e.g. what is left of the receiver's
   * drain budget) or closeTimeoutMs. A second call returns the first call's promise. */
  close(timeoutMs: number = this.config.closeTimeoutMs): Promise<void> {
    this.closePromise ??= this.shutdown(timeoutMs);
    return this.closePromise;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    let deadline: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.flush(), expired]);
    clearTimeout(deadline);
    if (this.records.size > 0) this.abandon(timeoutMs);
    this.aggregator.dispose();
    clearTimeout(this.pumpTimer);
    if (this.ownsClient) this.client.destroy();
  }

  /** The shutdown deadline passed: abort calls, ack the rest with an error, log the count. */
  private abandon(timeoutMs: number): void {
    this.abandoned = true;
    for (const c of this.controllers) c.abort();
    const left = this.records.unsettledRecords();
    const counts = { lines: 0, records: left.length, bytes: 0 };
    for (const e of left) {
      counts.lines += e.lines;
      counts.bytes += e.payloadBytes;
    }
    const err = new FirehoseSinkError(FIREHOSE_CODES.undelivered, `not accepted by Firehose within ${timeoutMs} ms of close`);
    this.events.gaveUp(FIREHOSE_CODES.undelivered, "shutdown", counts, this.lastCause);
    for (const e of left) this.settle(e, err);
    this.records.clearWaiting();
  }

  private onSeal(group: SealedPayload): void {
    this.events.sealed(group.reason);
    const entry = this.records.add(group.lines, group.payload.length, group.acks);
    // Async zlib runs on the libuv pool, so the event loop keeps reading sockets meanwhile.
    this.compress(group.payload, this.config.gzipLevel).then(
      (data) => this.compressed(entry, data, undefined),
      (err: unknown) => this.compressed(entry, undefined, err),
    );
  }

  private compressed(entry: Entry, data: Buffer | undefined, err: unknown): void {
    if (entry.settled) return;
    if (data && data.byteLength <= MAX_RECORD_DATA_BYTES) {
      entry.data = data;
    } else {
      // Unreachable by construction (recordMaxBytes is within the gzip bound): a loud guard.
      this.records.remove(entry);
      const cause = err ?? new Error(`gzip member of ${data?.byteLength} bytes exceeds ${MAX_RECORD_DATA_BYTES}`);
      this.giveUp([entry], FIREHOSE_CODES.compressFailed, "compress", cause);
    }
    this.requestPump();
  }

  /** One pump per tick: records compressed in the same turn leave in one call. */
  private requestPump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    process.nextTick(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Starts calls while there is room in flight, a ready record at the head and a ready stream. */
  private pump(): void {
    while (!this.abandoned && this.inFlight < this.config.maxInFlight) {
      const n = this.records.ready(this.maxBatchRecords);
      if (n === 0) return;
      const now = this.clock();
      // While a call younger than CALL_GATHER_MS is out, records gather for the next call
      // unless they already fill one: each call costs ~2 ms of SDK CPU (middleware, SigV4,
      // JSON, base64) whatever its size; measured at full load, 255 calls of ~3 records took
      // ~12% of the receiver's CPU. A call that takes longer (a slow or hung stream) no longer
      // holds the others back: the queue then spreads over maxInFlight calls as before.
      if (this.inFlight > 0 && now - this.lastCallAt < CALL_GATHER_MS && !this.records.fillsCall(n, this.maxBatchRecords)) {
        this.schedulePump(this.lastCallAt + CALL_GATHER_MS - now);
        return;
      }
      const stream = this.pool.pick(now);
      if (!stream) {
        this.schedulePump(this.pool.nextReadyAt() - now);
        return;
      }
      this.lastCallAt = now;
      void this.send(stream, this.records.take(n));
    }
  }

  private schedulePump(delayMs: number): void {
    const at = this.clock() + Math.max(0, delayMs);
    if (this.pumpTimer && this.pumpTimerAt <= at) return;
    clearTimeout(this.pumpTimer);
    this.pumpTimerAt = at;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = undefined;
      this.pumpTimerAt = Infinity;
      this.pump();
    }, Math.max(0, delayMs));
  }

  private async send(stream: StreamState, batch: Entry[]): Promise<void> {
    const controller = new AbortController();
    this.controllers.add(controller);
    this.events.setInFlight(++this.inFlight);
    const result = await putRecordBatch(this.client, stream.name, batch.map((e) => e.data!), {
      timeoutMs: this.config.requestTimeoutMs,
      signal: controller.signal,
    });
    this.controllers.delete(controller);
    this.events.setInFlight(--this.inFlight);
    if (this.abandoned) return; // every entry was already acked with an error
    const now = this.clock();
    if (result.ok) {
      const failed: Entry[] = [];
      let worst: Failure | undefined;
      result.entries.forEach((failure, i) => {
        const entry = batch[i]!;
        if (!failure) return this.settle(entry, null);
        this.events.entryFailed(failure.code);
        this.events.retried(failure.kind === "retry" ? failure.reason : failure.kind === "blocked" ? failure.reason : "invalid", 1);
        failed.push(entry);
        if (!worst || failure.kind === "blocked") worst = failure;
      });
      this.events.batchDone(failed.length === 0 ? "ok" : "partial");
      const anyAccepted = failed.length < batch.length;
      if (anyAccepted) this.streamWorks(stream);
      if (worst?.kind === "blocked") this.streamBlocked(stream, worst, now);
      else if (worst) this.pool.failed(stream, now, !anyAccepted);
      if (worst) this.requeue(failed, worst);
    } else {
      const failure = result.failure;
      this.events.batchDone("failed");
      this.events.callFailed(stream.name, failure, batch.length);
      if (failure.kind === "invalid") {
        if (batch.length > 1) {
          // Refused as a whole: halve the batch until the offending record stands alone.
          this.maxBatchRecords = Math.ceil(batch.length / 2);
          this.events.retried("invalid", batch.length);
          this.requeue(batch, failure);
        } else {
          this.giveUp(batch, FIREHOSE_CODES.recordRejected, "rejected", new Error(`${failure.code}: ${failure.message}`));
        }
      } else {
        this.events.retried(failure.reason, batch.length);
        if (failure.kind === "retry" && failure.ambiguous) this.events.duplicatesPossible(stream.name, batch.reduce((n, e) => n + e.lines, 0), failure);
        if (failure.kind === "blocked") this.streamBlocked(stream, failure, now);
        else this.pool.failed(stream, now);
        this.requeue(batch, failure);
      }
    }
    this.updateStalled();
    this.requestPump();
  }

  private streamWorks(stream: StreamState): void {
    if (this.pool.succeeded(stream)) this.events.streamRecovered(stream.name);
    this.maxBatchRecords = MAX_RECORDS_PER_BATCH;
  }

  private streamBlocked(stream: StreamState, failure: Failure, now: number): void {
    if (this.pool.blocked(stream, now, failure.code)) this.events.streamBlocked(stream.name, failure);
  }

  /** Puts failed records back before every record not yet sent, keeping seq order. */
  private requeue(entries: Entry[], failure: Failure): void {
    this.lastCause = `${failure.code}: ${failure.message}`;
    this.records.requeue(entries, failure.kind === "retry");
  }

  private updateStalled(): void {
    const stalled = this.stalled;
    if (stalled === this.reportedStalled) return;
    this.reportedStalled = stalled;
    const details = { heldRecords: this.records.size, heldBytes: this.records.heldBytes() };
    this.events.stalledChanged(stalled, stalled ? { ...details, cause: this.lastCause } : details);
    this.checkDrain();
  }

  private giveUp(entries: Entry[], code: FirehoseCode, reason: string, cause: unknown): void {
    const counts = { lines: 0, records: entries.length, bytes: 0 };
    for (const e of entries) {
      counts.lines += e.lines;
      counts.bytes += e.payloadBytes;
    }
    this.events.gaveUp(code, reason, counts, cause);
    const err = new FirehoseSinkError(code, `Firehose sink gave up on the record (${reason})`, { cause });
    for (const e of entries) this.settle(e, err);
  }

  /** Accepted (error null) or given up: ack every line once, release its bytes. */
  private settle(entry: Entry, error: Error | null): void {
    if (!this.records.settle(entry)) return;
    this.pending -= entry.payloadBytes;
    this.events.setPendingBytes(this.pending);
    if (!error) this.events.recordAccepted(entry.lines, entry.payloadBytes, entry.data?.byteLength ?? 0);
    entry.data = null;
    for (const ack of entry.acks) {
      try {
        ack(error);
      } catch (err) {
        // A throwing ack is the caller's bug; the other lines must still get theirs.
        this.events.ackThrew(err);
      }
    }
    this.checkDrain();
  }

  private checkDrain(): void {
    if (!this.needDrain || this.stalled || this.pending > this.config.bufferBytes / 2) return;
    this.needDrain = false;
    this.emit("drain");
  }

}
