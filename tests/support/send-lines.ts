import { connect } from "node:net";

/** How long one injection connection may take before the test fails instead of hanging. */
const SEND_TIMEOUT_MS = 30_000;

/** A TCP port on 127.0.0.1, or the path of a Unix stream socket. */
export type StreamTarget = number | string;

/**
 * Writes `lines`, each followed by LF, over one plain stream connection, then half-closes and
 * waits for the peer to close too (so the daemon has read everything).
 */
export function sendLines(target: StreamTarget, lines: readonly string[]): Promise<void> {
  return sendBytes(target, Buffer.from(lines.map((l) => `${l}\n`).join(""), "utf8"));
}

/** Writes raw bytes over one plain stream connection, half-closes, waits for the peer's close. */
export function sendBytes(target: StreamTarget, bytes: Buffer): Promise<void> {
  const where = typeof target === "number" ? `127.0.0.1:${target}` : target;
  return new Promise((resolve, reject) => {
    const socket = typeof target === "number" ? connect({ port: target, host: "127.0.0.1" }) : connect({ path: target });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`sending ${bytes.length} bytes to ${where} took over ${SEND_TIMEOUT_MS} ms`));
    }, SEND_TIMEOUT_MS);
    socket.once("connect", () => socket.end(bytes));
    socket.on("data", () => {}); // nothing is expected back; keep the stream flowing
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once("close", (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve();
    });
  });
}
