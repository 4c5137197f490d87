import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino, type Logger } from "pino";
import type { ReceiverConfig } from "./config.js";
import { EVENT_CODES } from "./errors.js";
import { ReceiverEvents } from "./events.js";
import { startHealthServer, type HealthState } from "./health.js";
import { FlowControl } from "./listener/flow-control.js";
import { Listeners } from "./listener/listeners.js";
import { TlsContext } from "./listener/tls-context.js";
import { Registry } from "./metrics.js";
import type { Connection } from "./listener/connection.js";
import { sessionTicketsOff } from "./listener/openssl-config.js";
import { RelpConnection } from "./relp/relp-connection.js";
import { RelpEvents } from "./relp/relp-events.js";
import { createSink } from "./sinks/create-sink.js";
import type { Sink } from "./sinks/sink.js";

/**
 * Wiring of one receiver: sink, listeners, health endpoint, and the graceful stop.
 * main.ts adds only the environment and the signals; the embedded default (CLI `start`) and
 * tests call this directly.
 */
export interface ReceiverHandle {
  addresses: { tls: AddressInfo | null; tcp: AddressInfo | null; relp: AddressInfo | null; relpTls: AddressInfo | null; health: AddressInfo | null };
  events: ReceiverEvents;
  metrics: Registry;
  sink: Sink;
  /** Re-reads TLS certificate, key and CA (SIGHUP). */
  reloadTls(): boolean;
  /** Graceful stop within the drain deadline; resolves to true when nothing was lost. */
  stop(): Promise<boolean>;
}

export interface ReceiverOptions {
  logger?: Logger;
  metrics?: Registry;
  /** Use this sink instead of the one the config names (tests, embedded pipeline). */
  sink?: Sink;
}

/** During the drain, a connection with no data for this long is closed first. */
const DRAIN_IDLE_MS = 300;
/** A half-closed connection that sends nothing for this long is closed (its sender ignores the
 * half-close; whatever it sent before is read). */
const HALF_CLOSED_GRACE_MS = 1_000;
/** Share of the drain deadline spent closing connections; the rest is for the sink's flush. */
const DRAIN_CONNECTIONS_SHARE = 0.6;

export async function startReceiver(config: ReceiverConfig, options: ReceiverOptions = {}): Promise<ReceiverHandle> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: "receiver" } });
  const metrics = options.metrics ?? new Registry();
  const events = new ReceiverEvents(logger, metrics);
  const sink = options.sink ?? (await createSink(config, events));
  const flow = new FlowControl(sink, events);
  const tlsContext = config.tlsPort !== null || config.relpTlsPort !== null ? new TlsContext(config, logger) : null;
  const listeners = new Listeners(
    config,
    events,
    {
      sink,
      events,
      flow,
      parseOptions: { defaultTimeZone: config.defaultTimeZone },
      maxFrameBytes: config.maxFrameBytes,
      oversizePolicy: config.oversizePolicy,
      idleTimeoutMs: config.idleTimeoutMs,
    },
    tlsContext,
    { ackMode: config.relpAck, maxWindow: config.relpMaxWindow, events: new RelpEvents(events) },
  );
  const state: HealthState = { draining: false };
  const addresses = await listeners.start();
  let health: { server: Server; address: AddressInfo } | null = null;
  if (config.healthPort !== null) health = await startHealthServer(config.host, config.healthPort, state, metrics);
  tlsContext?.watchFiles();
  if (tlsContext) {
    const tickets = sessionTicketsOff();
    if (!tickets.off) {
      logger.warn(
        { event: "tls_session_tickets_on", code: EVENT_CODES.tlsSessionTicketsOn, reason: tickets.reason },
        `TLS 1.3 session tickets are on: ${tickets.reason}. Start node with --openssl-config=<receiver package>/openssl.cnf (a write-only sender then closes with a FIN, not a RST that discards unread data)`,
      );
    }
  }
  logger.info(
    { event: "started", tls: addresses.tls?.port ?? null, tcp: addresses.tcp?.port ?? null, relp: addresses.relp?.port ?? null, relpTls: addresses.relpTls?.port ?? null, health: health?.address.port ?? null, sink: sink.name, authMode: config.tlsAuthMode },
    "receiver listening",
  );

  let stopping: Promise<boolean> | null = null;
  const stop = (): Promise<boolean> => {
    stopping ??= drain();
    return stopping;
  };

  async function drain(): Promise<boolean> {
    const started = Date.now();
    const deadline = started + config.drainTimeoutMs;
    const connectionsDeadline = started + config.drainTimeoutMs * DRAIN_CONNECTIONS_SHARE;
    state.draining = true;
    logger.info({ event: "draining", connections: listeners.connections.size, deadlineMs: config.drainTimeoutMs }, "stop requested: draining");
    listeners.stopAccepting();
    // Close idle connections first; keep reading the busy ones until they pause or the
    // connection share of the deadline is spent, then half-close them all and read what the
    // senders still had in flight until they close or the deadline passes.
    // A sender that ignores our half-close and sends nothing more is cut after a grace period,
    // so one quiet rsyslog does not hold the stop until the deadline.
    const endedAt = new Map<Connection | RelpConnection, number>();
    const end = (c: Connection | RelpConnection, now: number) => {
      if (endedAt.has(c)) return;
      endedAt.set(c, now);
      c.endGracefully();
    };
    // Silence we caused by pausing a socket (sink over budget) is not the sender's.
    const activeAt = (c: Connection | RelpConnection, now: number) => flow.activeAtMs(c.socket, c.lastActivityMs, now);
    const cutQuiet = (now: number) => {
      for (const [c, at] of endedAt) if (now - Math.max(at, activeAt(c, now)) >= HALF_CLOSED_GRACE_MS) c.socket.destroy();
    };
    while (listeners.connections.size > 0 && Date.now() < connectionsDeadline) {
      const now = Date.now();
      // RELP sessions stop at once: they answer what the sink took, send serverclose, and the
      // sender resends the rest, so waiting for them to go quiet would only delay the stop.
      for (const c of listeners.connections) if (c instanceof RelpConnection || now - c.lastActivityMs >= DRAIN_IDLE_MS) end(c, now);
      cutQuiet(now);
      await sleep(50);
    }
    for (const c of listeners.connections) end(c, Date.now());
    while (listeners.connections.size > 0 && Date.now() < connectionsDeadline + 1_000) {
      cutQuiet(Date.now());
      await sleep(25);
    }
    const cut = listeners.connections.size;
    if (cut > 0) logger.warn({ event: "drain_cut", connections: cut }, "connections still open at the drain deadline: closing them");
    listeners.destroyAll();
    tlsContext?.close();
    flow.dispose();
    let deadlineTimer: NodeJS.Timeout | undefined;
    const flushed = await Promise.race([
      sink.close(Math.max(0, deadline - Date.now() - 100)).then(() => sink.pendingBytes === 0),
      new Promise<boolean>((resolve) => (deadlineTimer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
    ]);
    clearTimeout(deadlineTimer);
    if (!flushed) {
      events.drops.inc({ reason: EVENT_CODES.drainIncomplete });
      logger.error({ event: "drain_incomplete", code: EVENT_CODES.drainIncomplete, pendingBytes: sink.pendingBytes }, "sink did not finish within the drain deadline: pending records lost");
    }
    if (health) {
      const closing = new Promise<void>((resolve) => health!.server.close(() => resolve()));
      health.server.closeAllConnections(); // keep-alive clients would hold close() open
      await closing;
    }
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    logger.info({ event: "stopped", ms: Date.now() - started, complete: flushed, memory: { rss, heapTotal, heapUsed, external, arrayBuffers } }, "receiver stopped");
    return flushed;
  }

  return {
    addresses: { ...addresses, health: health?.address ?? null },
    events,
    metrics,
    sink,
    reloadTls: () => tlsContext?.reload("SIGHUP") ?? false,
    stop,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
