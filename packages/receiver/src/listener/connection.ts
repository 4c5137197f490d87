import type { Socket } from "node:net";
import { serializeRecord } from "@aws-syslog/record";
import { EVENT_CODES } from "../errors.js";
import type { ConnectionEndReason, PeerInfo, ReceiverEvents } from "../events.js";
import { Framer, type FramingEvent } from "../framing/framer.js";
import type { FrameContext, ParseOptions } from "../parse/context.js";
import { parseFrame } from "../parse/parse-frame.js";
import { Rfc5424LineWriter } from "../parse/rfc5424-line-writer.js";
import { isByteSink } from "../sinks/byte-sink.js";
import type { Sink } from "../sinks/sink.js";
import type { FlowControl } from "./flow-control.js";
import { receivedNow } from "./received-clock.js";
import { startsWithTlsHandshake, tlsOnPlainPortReason } from "./tls-hello.js";

export interface ConnectionDeps {
  sink: Sink;
  events: ReceiverEvents;
  flow: FlowControl;
  parseOptions: ParseOptions;
  maxFrameBytes: number;
  oversizePolicy: "truncate" | "drop";
  /** Plain TCP listener: a TLS ClientHello as the first bytes means a misconfigured sender. */
  rejectTlsHello?: boolean;
  /** RECEIVER_IDLE_TIMEOUT_MS; 0 = none. Set on the socket that carries the data (TLS or TCP). */
  idleTimeoutMs: number;
}

export interface ConnectionIdentity {
  listener: string;
  sourceIp: string | null;
  sourcePort: number | null;
  tlsPeer: string | null;
}

/**
 * One sender's stream after TLS (and PROXY header): bytes → frames → records → sink.
 *
 * Hot path: the receive time is read once per chunk (not per frame), frames are ranges of the
 * chunk where possible (framer: no copy, and no view on the fast path), each record is
 * serialised exactly once, and counters are bound cells. The socket pauses after a chunk when
 * the sink is over its budget. With a sink that takes bytes (ByteSink: file, staging, Firehose),
 * the common RFC 5424 frame is written by Rfc5424LineWriter straight from its bytes into the
 * sink's buffer; every other frame goes through parseFrame and serializeRecord.
 */
export class Connection {
  private readonly ctx: FrameContext;
  private readonly framer: Framer;
  private bytes = 0;
  private frameCount = 0;
  private endReason: ConnectionEndReason = "closed";
  private closed = false;
  /** ctx.receivedAt as bytes, for the fast path. */
  private receivedAtBytes: Buffer = Buffer.alloc(0);
  /** Last time a chunk arrived (ms), used by the drain to close idle connections first. */
  lastActivityMs = Date.now();

  constructor(
    readonly socket: Socket,
    identity: ConnectionIdentity,
    private readonly peer: PeerInfo,
    private readonly deps: ConnectionDeps,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.ctx = {
      receivedAt: "",
      receivedAtMs: 0,
      sourceIp: identity.sourceIp,
      sourcePort: identity.sourcePort,
      tlsPeer: identity.tlsPeer,
      listener: identity.listener,
      truncated: false,
    };
    const { sink, events, flow, parseOptions } = deps;
    const formatCells = new Map<string, { value: number }>();
    const frameCell = events.frameCell(identity.listener);
    const byteCell = events.byteCell(identity.listener);
    const ctx = this.ctx;
    const byteSink = isByteSink(sink) ? sink : null;
    const lineWriter = byteSink ? new Rfc5424LineWriter(ctx) : null;
    const rfc5424Cell = events.formatCell("rfc5424");
    const general = (frame: Buffer, truncated: boolean): void => {
      ctx.truncated = truncated;
      const record = parseFrame(frame, ctx, parseOptions);
      let cell = formatCells.get(record.format);
      if (!cell) formatCells.set(record.format, (cell = events.formatCell(record.format)));
      cell.value++;
      frameCell.value++;
      this.frameCount++;
      if (!sink.write(serializeRecord(record))) flow.block();
    };
    this.framer = new Framer(
      { maxFrameBytes: deps.maxFrameBytes, oversize: deps.oversizePolicy },
      {
        frame: (frame: Buffer, truncated: boolean) => general(frame, truncated),
        frameIn: (buf: Buffer, start: number, end: number, truncated: boolean) => {
          if (byteSink !== null && !truncated) {
            const out = byteSink.reserve(end - start + lineWriter!.overhead);
            const at = byteSink.reservedAt;
            const lineEnd = lineWriter!.write(buf, start, end, this.receivedAtBytes, out, at);
            if (lineEnd >= 0) {
              rfc5424Cell.value++;
              frameCell.value++;
              this.frameCount++;
              if (!byteSink.commit(lineEnd - at)) flow.block();
              return;
            }
          }
          general(buf.subarray(start, end), truncated);
        },
        event: (e: FramingEvent) => events.framing(this.peer, e.code, { ...e }),
      },
    );

    socket.setTimeout(deps.idleTimeoutMs);
    let first = deps.rejectTlsHello === true;
    socket.on("data", (chunk: Buffer) => {
      if (first) {
        first = false;
        if (startsWithTlsHandshake(chunk)) {
          this.endReason = "refused";
          events.refused(peer, EVENT_CODES.wrongProtocol, tlsOnPlainPortReason("TCP syslog"));
          socket.destroy();
          return;
        }
      }
      const now = receivedNow();
      ctx.receivedAt = now.iso;
      ctx.receivedAtMs = now.ms;
      this.receivedAtBytes = now.isoBytes;
      this.lastActivityMs = now.ms;
      this.bytes += chunk.length;
      byteCell.value += chunk.length;
      this.framer.push(chunk);
      flow.maybePause(socket);
    });
    socket.on("end", () => this.flushPartial());
    socket.on("timeout", () => {
      this.endReason = "idle";
      events.logger.info({ event: "idle_timeout", code: "RCV_IDLE_TIMEOUT", ...peer }, "idle connection closed");
      socket.destroy();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      this.endReason = "error";
      events.socketError(peer, err);
    });
    socket.on("close", () => this.finish());
  }

  get framesRead(): number {
    return this.frameCount;
  }

  /** Drain: half-close our side; keep reading whatever the sender still has in flight. */
  endGracefully(): void {
    if (this.closed) return;
    this.endReason = "drain";
    this.socket.end();
  }

  private flushPartial(): void {
    const now = receivedNow();
    this.ctx.receivedAt = now.iso;
    this.ctx.receivedAtMs = now.ms;
    this.receivedAtBytes = now.isoBytes;
    this.framer.end();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.deps.flow.forget(this.socket);
    this.deps.events.connectionClosed(this.peer, this.endReason, this.bytes, this.frameCount);
    this.onClose(this);
  }
}
