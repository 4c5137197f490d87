import type { Logger } from "pino";
import { EVENT_CODES } from "./errors.js";
import type { Cell, Registry } from "./metrics.js";

/**
 * The receiver's named internal events: each is one function that increments one counter and,
 * where an operator should see it, writes one log line. Labels are closed sets (listener name,
 * reason code, format), never input. Message bodies are never logged.
 *
 * Levels: a refused or broken client is `warn` (the client must act, not us); data loss is
 * `error`; health checks and normal connections are `debug`.
 */
export type ConnectionEndReason = "closed" | "error" | "idle" | "drain" | "refused";

export interface PeerInfo {
  listener: string;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
}

export class ReceiverEvents {
  readonly connectionsOpened;
  readonly connectionsActive;
  readonly connectionsRefused;
  readonly healthChecks;
  readonly handshakeFailures;
  readonly bytesRead;
  readonly frames;
  readonly framingEvents;
  readonly records;
  readonly drops;
  readonly paused;
  private readonly formatCells = new Map<string, Cell>();
  private readonly frameCells = new Map<string, Cell>();
  private readonly byteCells = new Map<string, Cell>();

  constructor(
    readonly logger: Logger,
    readonly metrics: Registry,
  ) {
    this.connectionsOpened = metrics.counter("receiver_connections_total", "Connections accepted, by listener");
    this.connectionsActive = metrics.gauge("receiver_connections_active", "Connections open now, by listener");
    this.connectionsRefused = metrics.counter("receiver_connections_refused_total", "Connections closed by the receiver before any record, by listener and reason");
    this.healthChecks = metrics.counter("receiver_health_checks_total", "Connect-and-close probes (load balancer health checks, PROXY LOCAL), by listener");
    this.handshakeFailures = metrics.counter("receiver_tls_handshake_failures_total", "TLS handshakes that failed, by listener and reason");
    this.bytesRead = metrics.counter("receiver_bytes_total", "Bytes read from senders after TLS, by listener");
    this.frames = metrics.counter("receiver_frames_total", "Frames read, by listener");
    this.framingEvents = metrics.counter("receiver_framing_events_total", "Over-size, invalid and incomplete frames, by code and policy");
    this.records = metrics.counter("receiver_records_total", "Records handed to the sink, by format");
    this.drops = metrics.counter("receiver_drops_total", "Records or frames not delivered, by reason");
    this.paused = metrics.counter("receiver_backpressure_pauses_total", "Times connections were paused because the sink was over its byte budget");
  }

  /** Hot path: bound cells, so counting a frame is one property increment. */
  formatCell(format: string): Cell {
    let cell = this.formatCells.get(format);
    if (!cell) this.formatCells.set(format, (cell = this.records.bind({ format })));
    return cell;
  }

  frameCell(listener: string): Cell {
    let cell = this.frameCells.get(listener);
    if (!cell) this.frameCells.set(listener, (cell = this.frames.bind({ listener })));
    return cell;
  }

  byteCell(listener: string): Cell {
    let cell = this.byteCells.get(listener);
    if (!cell) this.byteCells.set(listener, (cell = this.bytesRead.bind({ listener })));
    return cell;
  }

  connectionOpened(peer: PeerInfo): void {
    this.connectionsOpened.inc({ listener: peer.listener });
    this.connectionsActive.add(1, { listener: peer.listener });
    this.logger.debug({ event: "connection_opened", ...peer }, "connection opened");
  }

  connectionClosed(peer: PeerInfo, reason: ConnectionEndReason, bytes: number, frames: number): void {
    this.connectionsActive.add(-1, { listener: peer.listener });
    this.logger.debug({ event: "connection_closed", ...peer, reason, bytes, frames }, "connection closed");
  }

  /** Connect-and-close without a byte, or a PROXY LOCAL command: counted, not logged. */
  healthCheck(listener: string): void {
    this.healthChecks.inc({ listener });
  }

  refused(peer: PeerInfo, code: string, detail: string): void {
    this.connectionsRefused.inc({ listener: peer.listener, reason: code });
    this.logger.warn({ event: "connection_refused", code, ...peer, detail }, `connection refused: ${detail}`);
  }

  handshakeFailed(peer: PeerInfo, reason: string, detail: string): void {
    this.handshakeFailures.inc({ listener: peer.listener, reason });
    this.logger.warn({ event: "tls_handshake_failed", code: EVENT_CODES.tlsHandshakeFailed, reason, ...peer, detail }, `TLS handshake failed: ${detail}`);
  }

  framing(peer: PeerInfo, code: string, detail: Record<string, unknown>): void {
    this.framingEvents.inc({ code, policy: String(detail.policy ?? "none") });
    this.logger.warn({ event: "framing", code, ...peer, ...detail }, `framing: ${code}`);
  }

  socketError(peer: PeerInfo, err: NodeJS.ErrnoException): void {
    this.logger.info({ event: "socket_error", code: EVENT_CODES.socketError, ...peer, error: err.code ?? err.message }, "socket error");
  }

  backpressure(pendingBytes: number): void {
    this.paused.inc();
    this.logger.info({ event: "backpressure", pendingBytes }, "sink over its byte budget: pausing reads");
  }

  /** Data loss: a record the sink gave up on. */
  sinkFailed(error: Error): void {
    this.drops.inc({ reason: EVENT_CODES.sinkFailed });
    this.logger.error({ event: "sink_failed", code: EVENT_CODES.sinkFailed, err: error }, "sink gave up on a record");
  }
}
