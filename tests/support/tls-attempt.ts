import { readFileSync } from "node:fs";
import { connect, type SecureVersion } from "node:tls";
import type { CertFiles } from "./pki.js";

/**
 * One TLS client connection driven from the test process (node's TLS stack, so protocol
 * versions and ciphers can be forced), reporting how the server treated it.
 */
export interface TlsAttemptOptions {
  port: number;
  /** CA that signed the server certificate (the client verifies the server as "localhost"). */
  ca: string;
  cert?: CertFiles;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** OpenSSL cipher string; "DEFAULT:@SECLEVEL=0" lets the client offer TLS 1.0/1.1. */
  ciphers?: string;
  /** Written once the handshake is done (the caller frames it). */
  payload?: string;
  /** How long an established connection is kept before the client ends it: long enough for a
   * server that checks the certificate after the handshake (TLS 1.3) to close it. */
  holdMs: number;
}

export interface TlsAttemptResult {
  /** The client finished its side of the handshake. */
  handshake: boolean;
  protocol: string | null;
  cipher: string | null;
  /** The server ended the connection before the client did: refused. */
  closedByServer: boolean;
  /** The client's error, if any (an alert from the server shows up here). */
  error: string | null;
}

export function tlsAttempt(opts: TlsAttemptOptions): Promise<TlsAttemptResult> {
  return new Promise((resolve) => {
    const result: TlsAttemptResult = { handshake: false, protocol: null, cipher: null, closedByServer: false, error: null };
    let clientEnded = false;
    const socket = connect({
      host: "127.0.0.1",
      port: opts.port,
      servername: "localhost",
      ca: readFileSync(opts.ca),
      ...(opts.cert ? { cert: readFileSync(opts.cert.cert), key: readFileSync(opts.cert.key) } : {}),
      ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
      ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
      ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
    });
    const timer = setTimeout(() => {
      clientEnded = true;
      socket.end();
    }, opts.holdMs);
    socket.once("secureConnect", () => {
      result.handshake = true;
      result.protocol = socket.getProtocol();
      result.cipher = socket.getCipher()?.standardName ?? null;
      if (opts.payload) socket.write(opts.payload);
    });
    socket.on("data", () => undefined);
    socket.on("error", (err) => {
      result.error ??= err.message;
    });
    socket.once("close", () => {
      clearTimeout(timer);
      result.closedByServer = !clientEnded;
      resolve(result);
    });
  });
}
