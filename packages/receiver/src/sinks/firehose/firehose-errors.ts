import { ReceiverError } from "../../errors.js";

/**
 * Codes of the Firehose sink. They belong in the receiver's errors.ts catalogue and
 * docs/errors.md; they live here until the sink is wired in. Every one is logged (ERROR for
 * loss or operator action) and counted; acks that carry an error carry a FirehoseSinkError.
 */
export const FIREHOSE_CODES = {
  /** A stream answered with an error only an operator can fix (missing stream, access denied,
   * KMS key disabled or not allowed, stream not Direct PUT). Its data is kept and sent to the
   * other streams; the stream itself is retried every RECEIVER_FIREHOSE_RETRY_MAX_MS. */
  streamUnusable: "RCV_FIREHOSE_STREAM_UNUSABLE",
  /** A record failed RECEIVER_FIREHOSE_MAX_RETRIES times with retryable errors. Data is kept,
   * the sink applies backpressure and keeps retrying at the capped back-off. */
  deliveryStalled: "RCV_FIREHOSE_DELIVERY_STALLED",
  /** The service rejected a one-record call as invalid (InvalidArgumentException); it can never
   * be delivered, so its lines are acked with this error. Should not happen: sizes are checked. */
  recordRejected: "RCV_FIREHOSE_RECORD_REJECTED",
  /** close() reached RECEIVER_FIREHOSE_CLOSE_TIMEOUT_MS with records unaccepted: they are acked
   * with this error and their count logged. Data loss unless the senders resend. */
  undelivered: "RCV_FIREHOSE_UNDELIVERED",
  /** write() after close(): the line is refused (a wiring bug). */
  closed: "RCV_FIREHOSE_CLOSED",
  /** zlib failed or produced a member over the record limit (not expected; data loss). */
  compressFailed: "RCV_FIREHOSE_COMPRESS_FAILED",
  /** A line over RECEIVER_FIREHOSE_RECORD_MAX_BYTES was truncated and flagged (WARN, no loss of
   * the record, part of its text is lost). */
  lineOversize: "RCV_FIREHOSE_LINE_OVERSIZE",
} as const;

export type FirehoseCode = (typeof FIREHOSE_CODES)[keyof typeof FIREHOSE_CODES];

export class FirehoseSinkError extends ReceiverError {
  constructor(code: FirehoseCode, message: string, options?: { cause?: unknown }) {
    super(code, message, false, options);
  }
}
