import { connect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { readFile } from "node:fs/promises";
import { octetCounted, rfc5424 } from "./messages.js";

/**
 * A syslog sender over TLS that numbers every message per connection, for tests that must
 * tell, connection by connection, which messages arrived: "<tag> c=<conn> seq=<n> <filler>",
 * RFC 5424 in RFC 5425 octet-counted frames, written in batches with backpressure like
 * rsyslog's omfwd. `sent` counts frames handed to the socket; whether the receiver read them is
 * what the test finds out.
 */
export interface NumberedSenderOptions {
  port: number;
  /** CA file the sender trusts for the receiver's certificate. */
  caFile: string;
  tag: string;
  conn: number;
  /** Messages to send; Infinity sends until stop() or until the receiver closes. */
  count: number;
  /** Bytes of MSG (ASCII), filler included: 300-byte syslog lines by default. */
  messageBytes?: number;
  /** Frames per socket.write(). */
  batch?: number;
  /** Keep writing after the receiver half-closes (as a sender that never reads does), until
   * the connection is reset; by default the sender stops and closes on the receiver's end. */
  ignoreHalfClose?: boolean;
}

export interface NumberedSenderResult {
  /** Frames handed to the socket (written whole). */
  sent: number;
  /** Why sending stopped early: the receiver closed or reset the connection. */
  endedBy: string | undefined;
}

/** MSG text → (tag, conn, seq), or undefined for anything else. */
export function parseNumbered(message: string | null): { tag: string; conn: number; seq: number } | undefined {
  const m = /^(\S+) c=(\d+) seq=(\d+)(?: |$)/.exec(message ?? "");
  return m ? { tag: m[1]!, conn: Number(m[2]), seq: Number(m[3]) } : undefined;
}

export class NumberedTlsSender {
  private stopped = false;
  readonly done: Promise<NumberedSenderResult>;
  private socket: TLSSocket | undefined;

  private constructor(private readonly opts: NumberedSenderOptions, ca: Buffer) {
    this.done = this.run(ca);
  }

  static async start(opts: NumberedSenderOptions): Promise<NumberedTlsSender> {
    return new NumberedTlsSender(opts, await readFile(opts.caFile));
  }

  /** Stop after the batch being written; `done` resolves once the connection is closed. */
  stop(): Promise<NumberedSenderResult> {
    this.stopped = true;
    return this.done;
  }

  private frame(seq: number): string {
    const { tag, conn, messageBytes = 300 } = this.opts;
    const head = `${tag} c=${conn} seq=${seq}`;
    const fill = Math.max(0, messageBytes - head.length - 1);
    const text = fill > 0 ? `${head} ${"x".repeat(fill)}` : head;
    const header = { facility: 16, severity: 6, hostname: "e2e-sender", appName: "numbered", procId: String(conn), msgId: "SEQ" };
    return octetCounted(rfc5424(header, "2026-11-23T12:00:00.000Z", text));
  }

  private async run(ca: Buffer): Promise<NumberedSenderResult> {
    const { port, count, batch = 50 } = this.opts;
    // tls.connect hands allowHalfOpen to its TLSSocket (lib/_tls_wrap.js); @types/node omits it.
    const options: ConnectionOptions & { allowHalfOpen: boolean } = { host: "127.0.0.1", port, ca, servername: "localhost", allowHalfOpen: this.opts.ignoreHalfClose === true };
    const socket = connect(options);
    this.socket = socket;
    let endedBy: string | undefined;
    let wake: (() => void) | undefined;
    const end = (why: string) => {
      endedBy ??= why;
      wake?.();
    };
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", (err) => end(`error: ${err.message}`));
    socket.on("end", () => (this.opts.ignoreHalfClose ? undefined : end("receiver ended the connection")));
    socket.on("close", () => end("closed"));
    socket.on("data", () => {}); // nothing comes back on syslog; keep the stream flowing
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", () => resolve());
      socket.once("error", reject);
    });
    let sent = 0;
    while (!this.stopped && endedBy === undefined && sent < count) {
      const n = Math.min(batch, count - sent);
      let chunk = "";
      for (let i = 1; i <= n; i += 1) chunk += this.frame(sent + i);
      const flushed = socket.write(chunk);
      sent += n;
      if (!flushed && endedBy === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          socket.once("drain", resolve);
        });
      } else if (sent % (batch * 20) === 0) {
        await new Promise((r) => setImmediate(r)); // let other senders in this process write
      }
    }
    const early = endedBy; // what follows our own end() is not early
    socket.end();
    await closed;
    return { sent, endedBy: early };
  }

  /** Ends the connection abruptly (for cleanup after a failed test). */
  destroy(): void {
    this.socket?.destroy();
  }
}
