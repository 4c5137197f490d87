import type { Socket } from "node:net";
import { serializeRecord } from "@aws-syslog/record";
import { EVENT_CODES } from "../errors.js";
import type { ConnectionEndReason, PeerInfo } from "../events.js";
import type { ConnectionDeps, ConnectionIdentity } from "../listener/connection.js";
import { receivedNow } from "../listener/received-clock.js";
import type { Cell } from "../metrics.js";
import type { FrameContext } from "../parse/context.js";
import { parseFrame } from "../parse/parse-frame.js";
import { RELP_EVENT_CODES, type RelpEventCode, type RelpEvents } from "./relp-events.js";
import { encodeRelpFrame, RelpParser, type RelpFrame } from "./relp-parser.js";
import { ResponseQueue, type ReadyResponse } from "./response-queue.js";
import { startsWithTlsHandshake, tlsOnPlainPortReason } from "../listener/tls-hello.js";

/** When `rsp 200` is sent: after the sink stored the record (default), or on receipt. */
export type RelpAckMode = "stored" | "received";

export interface RelpSettings {
  ackMode: RelpAckMode;
  /** Unanswered commands after which the connection stops reading (RECEIVER_RELP_MAX_WINDOW). */
  maxWindow: number;
  events: RelpEvents;
}

export type RelpConnectionDeps = ConnectionDeps & { relp: RelpSettings };

/** TXNRs run 1…999 999 999 and wrap to 1 (librelp relpEngineNextTXNR). */
export const RELP_MAX_TXNR = 999_999_999;
export const nextTxnr = (t: number): number => (t >= RELP_MAX_TXNR ? 1 : t + 1);

/** What this server announces in its answer to `open` (librelp doc/relp.html, "open"). */
const SERVER_OFFERS = "relp_version=0\nrelp_software=aws-syslog-receiver\ncommands=syslog";
/** After `serverclose` the sender closes its side; one that does not is cut after this long
 * (everything read was answered before serverclose, so cutting loses nothing). */
const SERVERCLOSE_GRACE_MS = 2_000;
/** The frame that tells a client the server is going away (TXNR 0: unsolicited). */
const SERVERCLOSE = encodeRelpFrame(0, "serverclose");
/** The rsp HUMANMSG tail for a syslog command dropped as over-size (RECEIVER_OVERSIZE_POLICY=drop). */
export const OVERSIZE_DROPPED = "- dropped: over RECEIVER_MAX_FRAME_BYTES";

type State = "awaiting-open" | "open" | "closing" | "closed";

/**
 * One RELP session (RELP over plain TCP or after TLS and the PROXY header): frames → `open`
 * offer/answer → each `syslog` command's DATA through the same parser and record as the syslog
 * listeners → sink.write(line, ack) → `rsp 200 OK` once the sink has stored the record.
 *
 * Stopping (drain, protocol error): stop reading commands, wait until every command read so
 * far is answered, send `serverclose`, half-close. Whatever the sender had sent after that is
 * unacknowledged, so it resends it on its next connection: nothing acked is unstored, nothing
 * unacked is counted as delivered.
 */
export class RelpConnection {
  private readonly ctx: FrameContext;
  private readonly parser: RelpParser;
  private readonly queue: ResponseQueue;
  private readonly relp: RelpSettings;
  /** Counter cells bound once (hot path: one property increment per record). */
  private readonly cells: { frames: Cell; ok: Cell; rejected: Cell; unacked: Cell };
  private state: State = "awaiting-open";
  private expectedTxnr = 1;
  /** TXNR of the client's `close`: the socket ends right after its `rsp`. */
  private closeTxnr = -1;
  private stopReason: "drain" | "error" | null = null;
  private windowPaused = false;
  private bytes = 0;
  private frameCount = 0;
  private endReason: ConnectionEndReason = "closed";
  lastActivityMs = Date.now();

  constructor(
    readonly socket: Socket,
    identity: ConnectionIdentity,
    private readonly peer: PeerInfo,
    private readonly deps: RelpConnectionDeps,
    private readonly onClose: (c: RelpConnection) => void,
  ) {
    this.relp = deps.relp;
    const listener = identity.listener;
    const re = deps.relp.events;
    this.cells = {
      frames: deps.events.frameCell(listener),
      ok: re.responses.bind({ listener, status: "200" }),
      rejected: re.responses.bind({ listener, status: "500" }),
      unacked: re.unacked.bind({ listener }),
    };
    this.ctx = { receivedAt: "", receivedAtMs: 0, sourceIp: identity.sourceIp, sourcePort: identity.sourcePort, tlsPeer: identity.tlsPeer, listener: identity.listener, truncated: false };
    this.queue = new ResponseQueue((ready) => this.deliver(ready));
    this.parser = new RelpParser(deps.maxFrameBytes, {
      frame: (f) => this.onFrame(f),
      error: (e) => this.fail(e.code, e.detail),
    }, deps.oversizePolicy);
    const byteCell = deps.events.byteCell(identity.listener);
    // rsp frames are small writes answering a window the sender waits on: with Nagle they sit
    // until the sender's delayed ACK (~40 ms) whenever an earlier rsp is unacknowledged.
    socket.setNoDelay(true);
    socket.setTimeout(deps.idleTimeoutMs);
    let first = deps.rejectTlsHello === true;
    socket.on("data", (chunk: Buffer) => {
      if (first) {
        first = false;
        if (startsWithTlsHandshake(chunk)) {
          this.endReason = "refused";
          deps.events.refused(peer, EVENT_CODES.wrongProtocol, tlsOnPlainPortReason("RELP"));
          socket.destroy();
          return;
        }
      }
      // Once stopping, later commands are neither stored nor answered: the sender resends them.
      if (this.stopReason !== null || this.state === "closing") return;
      const now = receivedNow();
      this.ctx.receivedAt = now.iso;
      this.ctx.receivedAtMs = now.ms;
      this.lastActivityMs = now.ms;
      this.bytes += chunk.length;
      byteCell.value += chunk.length;
      this.parser.push(chunk);
      // Commands left unanswered: the sender may now wait only on our acks (its window full),
      // so ask the sink to store sooner than its linger; the sink bounds what that costs.
      if (this.queue.size > 0 && this.relp.ackMode === "stored") deps.sink.flushSoon?.();
      if (this.queue.size >= this.relp.maxWindow && !this.windowPaused && this.stopReason === null) {
        this.windowPaused = true;
        this.relp.events.windowFull.inc({ listener: peer.listener });
        socket.pause();
      }
      deps.flow.maybePause(socket);
    });
    socket.on("end", () => {
      if (this.parser.inFrame && this.stopReason === null) this.report(RELP_EVENT_CODES.frameIncomplete, "connection closed inside a frame");
    });
    socket.on("timeout", () => {
      this.endReason = "idle";
      deps.events.logger.info({ event: "idle_timeout", code: EVENT_CODES.idleTimeout, ...peer }, "idle connection closed");
      socket.destroy();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      this.endReason = "error";
      deps.events.socketError(peer, err);
    });
    socket.on("close", () => this.finish());
  }

  get framesRead(): number {
    return this.frameCount;
  }

  /** Commands read and not yet answered. */
  get unanswered(): number {
    return this.queue.size;
  }

  /** Drain: answer what was read once the sink has it, then `serverclose` and half-close. */
  endGracefully(): void {
    if (this.state === "closed") return;
    this.endReason = "drain";
    this.stop("drain");
  }

  private onFrame(f: RelpFrame): void {
    if (this.stopReason !== null || this.state === "closing") return;
    if (f.txnr !== this.expectedTxnr) {
      this.fail(RELP_EVENT_CODES.txnrInvalid, `TXNR ${f.txnr} where ${this.expectedTxnr} was expected (out of order or repeated)`);
      return;
    }
    this.expectedTxnr = nextTxnr(this.expectedTxnr);
    if (f.dataLen > f.data.length) this.reportOversize(f);
    switch (f.command) {
      case "syslog":
        if (this.state !== "open") return this.refuseBeforeOpen(f);
        this.onSyslog(f);
        return;
      case "open":
        this.onOpen(f);
        return;
      case "close":
        if (this.state !== "open") return this.refuseBeforeOpen(f);
        this.state = "closing";
        this.closeTxnr = f.txnr;
        this.queue.reserve(f.txnr)("");
        return;
      default:
        this.report(RELP_EVENT_CODES.commandUnknown, `unknown command ${JSON.stringify(f.command)}`);
        this.queue.reserve(f.txnr)("500 command not supported");
    }
  }

  private onOpen(f: RelpFrame): void {
    if (this.state === "open") {
      // librelp answers a repeated open this way and carries on (copen.c).
      this.queue.reserve(f.txnr)("200 connection already open - ignored");
      return;
    }
    const offers = parseOffers(f.data.toString("utf8"));
    const commands = offers.get("commands")?.split(",") ?? [];
    if (!offers.has("relp_version") || !commands.includes("syslog")) {
      this.queue.reserve(f.txnr)("500 required command not supported by client");
      this.fail(RELP_EVENT_CODES.offerInvalid, "open without relp_version or without commands=syslog");
      return;
    }
    this.state = "open";
    this.queue.reserve(f.txnr)(`200 OK\n${SERVER_OFFERS}`);
  }

  /**
   * DATALEN over RECEIVER_MAX_FRAME_BYTES: the parser kept the head (truncate) or nothing (drop)
   * and skipped the rest, so the session goes on; counted and logged like RCV_FRAME_TOO_LARGE.
   */
  private reportOversize(f: RelpFrame): void {
    const { deps } = this;
    deps.events.framing(this.peer, RELP_EVENT_CODES.frameTooLarge, { framing: "relp", command: f.command, policy: deps.oversizePolicy, maxFrameBytes: deps.maxFrameBytes, frameBytes: f.dataLen });
  }

  private onSyslog(f: RelpFrame): void {
    const { events, parseOptions, sink, flow } = this.deps;
    const oversize = f.dataLen > f.data.length;
    if (oversize && this.deps.oversizePolicy === "drop") {
      // Answered 200 so the sender moves on: a 500 (or closing) makes omrelp resend the same
      // message for ever and stall everything behind it. The drop is counted and logged.
      this.cells.ok.value++;
      this.queue.reserve(f.txnr)(`200 OK ${OVERSIZE_DROPPED}`);
      return;
    }
    this.ctx.truncated = oversize;
    const record = parseFrame(f.data, this.ctx, parseOptions);
    events.formatCell(record.format).value++;
    this.cells.frames.value++;
    this.frameCount++;
    const answer = this.queue.reserve(f.txnr);
    const line = serializeRecord(record);
    let written: boolean;
    if (this.relp.ackMode === "received") {
      answer("200 OK");
      this.cells.ok.value++;
      written = sink.write(line);
    } else {
      const { ok, rejected, unacked } = this.cells;
      unacked.value++;
      written = sink.write(line, (err) => {
        unacked.value--;
        if (err) {
          this.relp.events.recordRejected(this.peer, err);
          rejected.value++;
          answer(`500 ${humanMessage(err.message)}`);
        } else {
          ok.value++;
          answer("200 OK");
        }
      });
    }
    if (!written) flow.block();
  }

  private refuseBeforeOpen(f: RelpFrame): void {
    this.queue.reserve(f.txnr)("500 session not open");
    this.fail(RELP_EVENT_CODES.notOpen, `${f.command} before open`);
  }

  private deliver(ready: ReadyResponse[]): void {
    const { socket } = this;
    if (!socket.destroyed && socket.writable) {
      const frames = ready.map((r) => encodeRelpFrame(r.txnr, "rsp", r.body));
      socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
      if (ready.some((r) => r.txnr === this.closeTxnr)) socket.end();
    }
    if (this.windowPaused && this.queue.size < this.relp.maxWindow) {
      this.windowPaused = false;
      if (!this.deps.flow.isBlocked && this.stopReason === null) socket.resume();
    }
    this.maybeServerClose();
  }

  private report(code: RelpEventCode, detail: string): void {
    this.relp.events.protocolError(this.peer, code, detail);
  }

  /** A violation that ends the session: count, log, then stop like a drain. */
  private fail(code: RelpEventCode, detail: string): void {
    this.report(code, detail);
    this.endReason = "refused";
    this.stop("error");
  }

  private stop(reason: "drain" | "error"): void {
    if (this.stopReason !== null) return;
    this.stopReason = reason;
    // Keep reading (and ignoring) so the sender's close reaches us; stop counting it as paused.
    this.deps.flow.forget(this.socket);
    this.socket.resume();
    this.maybeServerClose();
  }

  private maybeServerClose(): void {
    if (this.stopReason === null || this.queue.size > 0 || this.state === "closed") return;
    const { socket } = this;
    if (this.state !== "closing" && !socket.destroyed && socket.writable) {
      this.relp.events.serverCloses.inc({ listener: this.peer.listener, reason: this.stopReason });
      socket.end(SERVERCLOSE);
      setTimeout(() => socket.destroy(), SERVERCLOSE_GRACE_MS).unref();
    }
    this.state = "closing";
  }

  private finish(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.deps.flow.forget(this.socket);
    this.deps.events.connectionClosed(this.peer, this.endReason, this.bytes, this.frameCount);
    this.onClose(this);
  }
}

/** `name=value[,value…]` one per line (librelp offers.c); unknown names are ignored. */
export function parseOffers(text: string): Map<string, string> {
  const offers = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    const name = (eq === -1 ? line : line.slice(0, eq)).trim();
    if (name) offers.set(name, eq === -1 ? "" : line.slice(eq + 1).trim());
  }
  return offers;
}

/** An rsp HUMANMSG is one line (LF would start CMDDATA); kept short. */
function humanMessage(text: string): string {
  return text.replace(/[\r\n]+/g, " ").slice(0, 200) || "record not stored";
}
