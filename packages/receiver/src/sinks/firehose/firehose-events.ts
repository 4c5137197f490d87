import type { Logger } from "pino";
import type { Cell, Registry } from "../../metrics.js";
import { billedBytes } from "../../batch/firehose-limits.js";
import type { FitAction } from "../../batch/fit-line.js";
import { entryCodeLabel, type Failure } from "./classify-error.js";
import { FIREHOSE_CODES, type FirehoseCode } from "./firehose-errors.js";
import type { SealReason } from "./record-aggregator.js";

/**
 * Every counted event of the Firehose sink: one method = one counter (bounded labels: reasons,
 * documented error codes) and, where an operator should hear of it, one log line. Stream names
 * appear in logs (they come from configuration), never as metric labels.
 */
export class FirehoseEvents {
  readonly linesIn: Cell;
  private readonly linesOut: Cell;
  private readonly recordsOut: Cell;
  private readonly payloadBytes: Cell;
  private readonly compressedBytes: Cell;
  private readonly billed: Cell;
  private readonly inFlight: Cell;
  private readonly pendingBytes: Cell;
  private readonly stalled: Cell;
  private readonly m;

  constructor(
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.m = {
      linesIn: registry.counter("receiver_firehose_lines_in_total", "NDJSON lines (schema-v1 records) written to the Firehose sink"),
      linesOut: registry.counter("receiver_firehose_lines_accepted_total", "Lines inside Firehose records the service accepted"),
      recordsOut: registry.counter("receiver_firehose_records_accepted_total", "Firehose records (gzip members) accepted"),
      batches: registry.counter("receiver_firehose_batches_total", "PutRecordBatch calls by outcome (ok, partial, failed)"),
      payloadBytes: registry.counter("receiver_firehose_payload_bytes_total", "Uncompressed NDJSON bytes in accepted records"),
      compressedBytes: registry.counter("receiver_firehose_compressed_bytes_total", "Data bytes (gzip) of accepted records"),
      billedBytes: registry.counter("receiver_firehose_billed_bytes_total", "Accepted bytes as billed: each record rounded up to 5 KB"),
      retries: registry.counter("receiver_firehose_retries_total", "Records queued for resending, by reason"),
      failedEntries: registry.counter("receiver_firehose_failed_entries_total", "Per-entry failures in PutRecordBatch answers, by ErrorCode"),
      callErrors: registry.counter("receiver_firehose_call_errors_total", "Whole PutRecordBatch calls that failed, by reason"),
      ackErrors: registry.counter("receiver_firehose_ack_errors_total", "Ack callbacks that threw (a caller bug; the other acks still ran)"),
      giveUps: registry.counter("receiver_firehose_give_up_lines_total", "Lines acked with an error (data loss), by reason"),
      duplicates: registry.counter("receiver_firehose_duplicate_lines_possible_total", "Lines resent after an ambiguous failure (may be stored twice)"),
      sealed: registry.counter("receiver_firehose_records_sealed_total", "Firehose records closed for sending, by reason (full, linger, ack_wait, budget, flush)"),
      oversize: registry.counter("receiver_firehose_oversize_lines_total", "Lines over the record payload size, shrunk to fit, by action"),
      inFlight: registry.gauge("receiver_firehose_in_flight_batches", "PutRecordBatch calls in flight"),
      pendingBytes: registry.gauge("receiver_firehose_pending_bytes", "Bytes written and not yet accepted or given up"),
      stalled: registry.gauge("receiver_firehose_stalled", "1 while the sink refuses more data: every stream unusable or retries exhausted"),
    };
    this.linesIn = this.m.linesIn.bind();
    this.linesOut = this.m.linesOut.bind();
    this.recordsOut = this.m.recordsOut.bind();
    this.payloadBytes = this.m.payloadBytes.bind();
    this.compressedBytes = this.m.compressedBytes.bind();
    this.billed = this.m.billedBytes.bind();
    this.inFlight = this.m.inFlight.bind();
    this.pendingBytes = this.m.pendingBytes.bind();
    this.stalled = this.m.stalled.bind();
  }

  setPendingBytes(n: number): void {
    this.pendingBytes.value = n;
  }

  setInFlight(n: number): void {
    this.inFlight.value = n;
  }

  recordAccepted(lines: number, payloadBytes: number, dataBytes: number): void {
    this.linesOut.value += lines;
    this.recordsOut.value += 1;
    this.payloadBytes.value += payloadBytes;
    this.compressedBytes.value += dataBytes;
    this.billed.value += billedBytes(dataBytes);
  }

  batchDone(outcome: "ok" | "partial" | "failed"): void {
    this.m.batches.inc({ outcome });
  }

  entryFailed(errorCode: string): void {
    this.m.failedEntries.inc({ error_code: entryCodeLabel(errorCode) });
  }

  callFailed(stream: string, failure: Failure, records: number): void {
    const reason = failure.kind === "invalid" ? "invalid" : failure.reason;
    this.m.callErrors.inc({ reason });
    this.log.warn({ stream, code: failure.code, reason, records, err: failure.message }, "PutRecordBatch failed");
  }

  retried(reason: string, records: number): void {
    this.m.retries.inc({ reason }, records);
  }

  duplicatesPossible(stream: string, lines: number, failure: Failure): void {
    this.m.duplicates.inc(undefined, lines);
    this.log.warn({ stream, lines, code: failure.code }, "PutRecordBatch outcome unknown: resending, lines may be stored twice");
  }

  sealed(reason: SealReason): void {
    this.m.sealed.inc({ reason });
  }

  oversize(action: FitAction, bytesBefore: number, bytesAfter: number): void {
    this.m.oversize.inc({ action });
    this.log.warn({ code: FIREHOSE_CODES.lineOversize, action, bytesBefore, bytesAfter }, "line larger than a Firehose record payload: truncated and flagged");
  }

  streamBlocked(stream: string, failure: Failure): void {
    this.log.error(
      { code: FIREHOSE_CODES.streamUnusable, stream, cause: failure.code, err: failure.message },
      `Firehose stream ${stream} refuses data (${failure.code}): data is kept and sent elsewhere; fix the stream, its IAM policy or KMS key`,
    );
  }

  streamRecovered(stream: string): void {
    this.log.info({ stream }, `Firehose stream ${stream} accepts data again`);
  }

  stalledChanged(stalled: boolean, details: { heldRecords: number; heldBytes: number; cause?: string }): void {
    this.stalled.value = stalled ? 1 : 0;
    if (stalled) {
      this.log.error(
        { code: FIREHOSE_CODES.deliveryStalled, ...details },
        "Firehose delivery stalled: data is held, senders are pushed back, retries continue at the capped back-off",
      );
    } else {
      this.log.info(details, "Firehose delivery resumed");
    }
  }

  ackThrew(err: unknown): void {
    this.m.ackErrors.inc();
    this.log.error({ err }, "an ack callback threw");
  }

  refusedAfterClose(log: boolean): void {
    this.m.giveUps.inc({ reason: "closed" });
    if (log) this.log.error({ code: FIREHOSE_CODES.closed }, "line written after the Firehose sink was closed: refused (further ones are only counted)");
  }

  gaveUp(code: FirehoseCode, reason: string, counts: { lines: number; records: number; bytes: number }, cause?: unknown): void {
    this.m.giveUps.inc({ reason }, counts.lines);
    this.log.error({ code, reason, ...counts, err: cause }, `Firehose sink gave up on ${counts.lines} lines (${counts.records} records, ${counts.bytes} bytes)`);
  }
}
