import type { Counter, Gauge } from "../metrics.js";
import type { PeerInfo, ReceiverEvents } from "../events.js";

/**
 * RELP's named events: one function each, one counter and (where an operator should see it)
 * one log line. Codes are listed in docs/errors.md. Labels: listener ("relp", "relp-tls"),
 * code, status: closed sets.
 */
export const RELP_EVENT_CODES = {
  /** Bytes that are not a RELP frame (bad TXNR, COMMAND, DATALEN, missing LF trailer). */
  frameInvalid: "RCV_RELP_FRAME_INVALID",
  /** DATALEN over RECEIVER_MAX_FRAME_BYTES: truncated or dropped per RECEIVER_OVERSIZE_POLICY,
   * answered rsp 200, the session goes on (counted in receiver_framing_events_total). */
  frameTooLarge: "RCV_RELP_FRAME_TOO_LARGE",
  /** The connection closed inside a frame (the sender resends what was not acknowledged). */
  frameIncomplete: "RCV_RELP_FRAME_INCOMPLETE",
  /** A command other than open, syslog, close. */
  commandUnknown: "RCV_RELP_COMMAND_UNKNOWN",
  /** syslog or close before a successful open. */
  notOpen: "RCV_RELP_NOT_OPEN",
  /** A TXNR other than the previous one plus 1 (out of order, repeated, skipped). */
  txnrInvalid: "RCV_RELP_TXNR_INVALID",
  /** An open whose offers lack relp_version or commands=syslog. */
  offerInvalid: "RCV_RELP_OFFER_INVALID",
  /** The sink gave up on a record: answered rsp 500 (data loss unless the sender resends). */
  recordRejected: "RCV_RELP_RECORD_REJECTED",
} as const;

export type RelpEventCode = (typeof RELP_EVENT_CODES)[keyof typeof RELP_EVENT_CODES];

export class RelpEvents {
  readonly responses: Counter;
  readonly protocolErrors: Counter;
  readonly windowFull: Counter;
  readonly serverCloses: Counter;
  readonly unacked: Gauge;

  constructor(readonly base: ReceiverEvents) {
    const m = base.metrics;
    this.responses = m.counter("receiver_relp_responses_total", "RELP rsp frames sent for syslog commands, by listener and status (200 stored or received, 500 rejected)");
    this.protocolErrors = m.counter("receiver_relp_protocol_errors_total", "RELP protocol violations, by listener and code");
    this.windowFull = m.counter("receiver_relp_window_full_total", "Times a RELP connection stopped reading at RECEIVER_RELP_MAX_WINDOW unanswered commands, by listener");
    this.serverCloses = m.counter("receiver_relp_serverclose_total", "serverclose frames sent, by listener and reason (drain, error)");
    this.unacked = m.gauge("receiver_relp_unacked", "RELP syslog commands read and not yet answered, by listener");
  }

  protocolError(peer: PeerInfo, code: RelpEventCode, detail: string): void {
    this.protocolErrors.inc({ listener: peer.listener, code });
    this.base.logger.warn({ event: "relp_protocol_error", code, ...peer, detail }, `RELP: ${detail}`);
  }

  /** Data loss on the receiver's side: the sink refused the record for good. */
  recordRejected(peer: PeerInfo, error: Error): void {
    this.base.drops.inc({ reason: RELP_EVENT_CODES.recordRejected });
    this.base.logger.error({ event: "relp_record_rejected", code: RELP_EVENT_CODES.recordRejected, ...peer, err: error }, "sink gave up on a RELP record: answered rsp 500");
  }
}
