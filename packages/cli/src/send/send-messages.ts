import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Duplex } from "node:stream";
import type { CliError } from "../errors.js";
import { connectionError } from "./tls-connection.js";
import { dueAtMs, dueCount, type Pace } from "./pacer.js";

/**
 * Writes `pace.total` framed messages to a connected socket on the pacer's schedule, honouring
 * backpressure (a write that returns false waits for "drain"), then half-closes and waits for
 * the receiver to close its side: a receiver closes only after reading our FIN, so by then it
 * has read every byte. Failures are a value (the count written so far is what the operator
 * needs), not an exception.
 */
export interface SendOutcome {
  /** Messages handed to the socket. */
  written: number;
  bytes: number;
  elapsedMs: number;
  /** Set when the connection failed; `written` messages may or may not have arrived. */
  error: CliError | null;
  /** True when the receiver closed its side after our FIN (everything was read). */
  closedByReceiver: boolean;
}

export interface SendOptions {
  socket: Duplex;
  /** Where, for messages ("host:port"). */
  where: string;
  pace: Pace;
  /** The framed bytes of message `seq` (1-based). */
  message(seq: number): string;
  onProgress?(written: number, elapsedMs: number): void;
  /** How long to wait for the receiver's close after our FIN. */
  closeTimeoutMs: number;
}

/** One socket write carries up to this many characters, so a fast run makes few syscalls. */
const WRITE_CHUNK_CHARS = 64 * 1024;

export async function sendMessages(o: SendOptions): Promise<SendOutcome> {
  const { socket, pace } = o;
  let error: CliError | null = null;
  let closed = false;
  socket.on("error", (err: Error) => {
    error ??= connectionError(err, o.where, true);
  });
  socket.once("close", () => {
    closed = true;
  });
  const start = performance.now();
  const elapsed = () => performance.now() - start;
  let written = 0;
  let bytes = 0;
  while (written < pace.total && error === null && !closed) {
    const due = dueCount(pace, elapsed());
    if (due <= written) {
      await sleep(Math.max(1, dueAtMs(pace, written) - elapsed()));
      continue;
    }
    let chunk = "";
    while (written < due && chunk.length < WRITE_CHUNK_CHARS) chunk += o.message(++written);
    bytes += Buffer.byteLength(chunk, "utf8");
    const ok = socket.write(chunk);
    o.onProgress?.(written, elapsed());
    if (!ok) await drainOrClose(socket);
    // Let an error or close that arrived meanwhile be seen before the next write.
    else await new Promise((r) => setImmediate(r));
  }
  let closedByReceiver = false;
  if (error === null && !closed) {
    socket.end();
    const result = await new Promise<"closed" | "timeout">((resolve) => {
      const timer = setTimeout(() => resolve("timeout"), o.closeTimeoutMs);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve("closed");
      });
    });
    closedByReceiver = result === "closed" && error === null;
    if (result === "timeout") socket.destroy();
  } else if (error === null && closed && written < pace.total) {
    error = connectionError(Object.assign(new Error("closed by the receiver"), { code: "ECONNRESET" }), o.where, true);
  }
  return { written, bytes, elapsedMs: elapsed(), error, closedByReceiver };
}

/** Resolves on "drain", or on "close"/"error" (the loop then sees the failure). */
function drainOrClose(socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("drain", done);
      socket.off("close", done);
      socket.off("error", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
    socket.on("error", done);
  });
}
