import type { Socket } from "node:net";
import type { ProxyPolicy } from "../config.js";
import { parseProxyHeader } from "./proxy-protocol.js";

/**
 * Reads the PROXY protocol header (v1 or v2) at the start of a connection, before TLS or
 * syslog bytes, and hands the socket back with the rest of the bytes unshifted.
 *
 * - `required`: no header (or a malformed one) refuses the connection.
 * - `optional`: a connection that does not start with a header is used as is.
 * - A PROXY v2 LOCAL command (a load balancer's own health check) carries no client address:
 *   the connection is counted as a health check and used with the socket's own address.
 * - A connection closed before any byte is a connect-and-close probe: counted, not logged.
 */
export type ProxyOutcome =
  | { kind: "ok"; sourceIp: string | null; sourcePort: number | null }
  | { kind: "local" }
  | { kind: "refused"; reason: string }
  | { kind: "closed-empty" };

/** v1 headers are at most 107 bytes; v2 headers carry their own length (bounded by the parser). */
const MAX_HEADER_BYTES = 4096;

export function readProxyHeader(socket: Socket, policy: Exclude<ProxyPolicy, "off">, timeoutMs: number, done: (outcome: ProxyOutcome) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  let settled = false;
  const finish = (outcome: ProxyOutcome, rest: Buffer | null) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("close", onClose);
    if (outcome.kind === "ok" || outcome.kind === "local") {
      socket.pause();
      if (rest && rest.length > 0) socket.unshift(rest);
    }
    done(outcome);
    if (outcome.kind === "ok" || outcome.kind === "local") socket.resume();
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const result = parseProxyHeader(buffered);
    switch (result.status) {
      case "incomplete":
        if (buffered.length > MAX_HEADER_BYTES) finish({ kind: "refused", reason: `PROXY header longer than ${MAX_HEADER_BYTES} bytes` }, null);
        return;
      case "absent":
        if (policy === "required") finish({ kind: "refused", reason: "PROXY protocol header required but the connection did not start with one" }, null);
        else finish({ kind: "ok", sourceIp: null, sourcePort: null }, buffered);
        return;
      case "invalid":
        finish({ kind: "refused", reason: `invalid PROXY header: ${result.reason}` }, null);
        return;
      case "ok": {
        const rest = buffered.subarray(result.consumed);
        const h = result.header;
        if (h.command === "LOCAL" || h.sourceIp === null) finish({ kind: "local" }, rest);
        else finish({ kind: "ok", sourceIp: h.sourceIp, sourcePort: h.sourcePort }, rest);
      }
    }
  };
  const onClose = () => {
    if (buffered.length === 0) finish({ kind: "closed-empty" }, null);
    else finish({ kind: "refused", reason: "connection closed inside the PROXY header" }, null);
  };
  const timer = setTimeout(() => finish({ kind: "refused", reason: `no complete PROXY header within ${timeoutMs} ms` }, null), timeoutMs);
  timer.unref();
  socket.on("data", onData);
  socket.on("close", onClose);
}
