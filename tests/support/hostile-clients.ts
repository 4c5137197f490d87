import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from "node:tls";

/**
 * Misbehaving clients for the reliability tests, all on loopback: connections that sit idle or
 * half-open, write a byte at a time, flood handshakes, or send bytes that are not what the port
 * expects. Each held connection records whether the server (not the test) closed it.
 */

/** Attackers do not verify the server: the point is its cost to the receiver, not trust. */
const ATTACKER_TLS: ConnectionOptions = { host: "127.0.0.1", rejectUnauthorized: false };

export interface Held {
  socket: Socket;
  /** Set when the socket closed before the test closed it. */
  closedByServer: boolean;
  /** ms since the connection was opened, when it closed. */
  closedAfterMs: number | null;
  /** Set by the test before it closes the socket itself. */
  closing: boolean;
}

function hold(socket: Socket): Held {
  const opened = Date.now();
  const h: Held = { socket, closedByServer: false, closedAfterMs: null, closing: false };
  socket.on("error", () => undefined);
  socket.on("data", () => undefined);
  socket.once("close", () => {
    h.closedAfterMs = Date.now() - opened;
    if (!h.closing) h.closedByServer = true;
  });
  return h;
}

export function closeAll(held: readonly Held[]): void {
  for (const h of held) {
    h.closing = true;
    h.socket.destroy();
  }
}

/** `count` TLS connections that finish the handshake and then send nothing, opened
 * `concurrency` at a time. Resolves once every handshake finished (or failed). */
export async function openIdleTls(port: number, count: number, concurrency = 64): Promise<Held[]> {
  const held: Held[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await new Promise<void>((resolve) => {
        const socket = tlsConnect({ ...ATTACKER_TLS, port });
        held.push(hold(socket));
        socket.once("secureConnect", () => resolve());
        socket.once("close", () => resolve());
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return held;
}

/** Plain TCP connections that write `first` (maybe nothing) and then stay silent: half-open
 * handshakes, or a ClientHello cut short. */
export function openSilent(port: number, count: number, first: Buffer = Buffer.alloc(0)): Held[] {
  return Array.from({ length: count }, () => {
    const socket = netConnect({ port, host: "127.0.0.1" });
    if (first.length > 0) socket.once("connect", () => socket.write(first));
    return hold(socket);
  });
}

/** Writers that send `bytes` one byte per `intervalMs`, over TLS (after the handshake) or
 * plain TCP (so the TLS handshake itself is what trickles). Stop with `closeAll`. */
export function slowloris(port: number, count: number, bytes: Buffer, intervalMs: number, overTls: boolean): Held[] {
  return Array.from({ length: count }, () => {
    const socket: Socket = overTls ? tlsConnect({ ...ATTACKER_TLS, port }) : netConnect({ port, host: "127.0.0.1" });
    const h = hold(socket);
    let i = 0;
    const timer = setInterval(() => {
      if (h.closedAfterMs !== null) return clearInterval(timer);
      socket.write(bytes.subarray(i % bytes.length, (i % bytes.length) + 1));
      i++;
    }, intervalMs);
    socket.once("close", () => clearInterval(timer));
    return h;
  });
}

export interface Flood {
  /** Handshakes that completed, and connections that failed or were refused. */
  readonly completed: number;
  readonly failed: number;
  stop(): Promise<void>;
}

/** `workers` loops, each doing full TLS handshakes and closing right away, until stopped. */
export function handshakeFlood(port: number, workers: number): Flood {
  let running = true;
  const stats = { completed: 0, failed: 0 };
  const loop = async () => {
    while (running) {
      await new Promise<void>((resolve) => {
        const socket = tlsConnect({ ...ATTACKER_TLS, port });
        socket.on("error", () => undefined);
        socket.once("secureConnect", () => {
          stats.completed++;
          socket.destroy();
        });
        socket.once("close", (hadError) => {
          if (hadError) stats.failed++;
          resolve();
        });
      });
    }
  };
  const done = Promise.all(Array.from({ length: workers }, loop));
  return {
    get completed() {
      return stats.completed;
    },
    get failed() {
      return stats.failed;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

/** One connection (TLS or plain) that writes `bytes`, half-closes and waits for the server's
 * close; resolves with whether the server closed it before reading to the end. */
export function sendOnce(port: number, bytes: Buffer, overTls: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = overTls ? tlsConnect({ ...ATTACKER_TLS, port }) : netConnect({ port, host: "127.0.0.1" });
    socket.on("error", () => undefined);
    socket.on("data", () => undefined);
    socket.once(overTls ? "secureConnect" : "connect", () => socket.end(bytes));
    socket.once("close", () => resolve());
  });
}

/** The legitimate sender: one TLS connection kept for the whole test, writing with backpressure. */
export class SteadySender {
  private constructor(private readonly socket: TLSSocket) {}

  static connect(port: number, ca: Buffer): Promise<SteadySender> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: "127.0.0.1", port, ca, servername: "localhost" });
      socket.once("secureConnect", () => resolve(new SteadySender(socket)));
      socket.once("error", reject);
    });
  }

  get open(): boolean {
    return !this.socket.destroyed;
  }

  /** Writes every frame, waiting for 'drain' whenever the socket's buffer is full. */
  async write(frames: readonly string[]): Promise<void> {
    for (const frame of frames) {
      if (!this.socket.write(frame)) await new Promise((r) => this.socket.once("drain", r));
    }
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
    });
  }
}
