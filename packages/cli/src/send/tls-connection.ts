import { isIP } from "node:net";
import { checkServerIdentity, connect, type PeerCertificate, type TLSSocket } from "node:tls";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";

/**
 * A TLS connection to a receiver, with every way it can fail turned into a CliError that says
 * what to check: CLI_CONNECT_FAILED when the host cannot be reached, CLI_TLS_FAILED when the
 * handshake fails or the receiver refuses the client certificate.
 */
export interface TlsTarget {
  host: string;
  port: number;
  /** PEM of the CA(s) to trust; undefined = Node's bundled public CAs (ACM certificates). */
  ca?: string;
  cert?: string;
  key?: string;
  /** Name the receiver's certificate must carry, and SNI; default: host when it is a name. */
  servername?: string;
  /** Encrypt without checking the receiver (rsyslog's "anon"). */
  insecure: boolean;
  connectTimeoutMs: number;
}

/** What the receiver's alert or Node's verifier says, as an operator would want it said. */
const TLS_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: "the receiver's certificate has expired",
  CERT_NOT_YET_VALID: "the receiver's certificate is not valid yet (check the clocks)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the receiver's certificate is self-signed and not in --ca",
  SELF_SIGNED_CERT_IN_CHAIN: "the receiver's certificate chains to a CA that is not in --ca",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the receiver's certificate is not signed by a CA in --ca",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the receiver's certificate is not signed by a CA in --ca",
  ERR_TLS_CERT_ALTNAME_INVALID: "the receiver's certificate is for another name (see --servername)",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "the receiver requires a client certificate (--cert, --key)",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "the receiver refused the client certificate (unknown CA?)",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: "the receiver refused the client certificate as expired",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "the receiver does not trust the CA of the client certificate",
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: "the receiver refused the handshake (no common TLS version or cipher)",
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: "the receiver refused the TLS version",
  ERR_SSL_WRONG_VERSION_NUMBER: "the other end does not speak TLS (a plain TCP port?)",
};

const CONNECT_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused (is the receiver running and listening on that port?)",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the host name could not be resolved now (DNS)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "timed out",
};

/** A socket error during or after the handshake, as a CliError. */
export function connectionError(err: unknown, where: string, afterHandshake: boolean): CliError {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = e?.code ?? "";
  const message = e?.message ?? String(err);
  const fail = (c: typeof CLI_ERROR_CODES.tlsFailed | typeof CLI_ERROR_CODES.connectFailed | typeof CLI_ERROR_CODES.sendInterrupted, text: string) =>
    new CliError(c, text, EXIT.failure, { cause: err });
  const tls = TLS_REASONS[code];
  if (tls) return fail(CLI_ERROR_CODES.tlsFailed, `TLS with ${where} failed: ${tls} [${code}]`);
  // Under TLS 1.3 the client's handshake ends before the receiver has checked the client
  // certificate, so its refusal arrives as an alert after "secureConnect".
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return fail(CLI_ERROR_CODES.tlsFailed, `TLS with ${where} failed: ${message}`);
  if (!afterHandshake) return fail(CLI_ERROR_CODES.connectFailed, `cannot connect to ${where}: ${CONNECT_REASONS[code] ?? message}`);
  if (code === "ECONNRESET" || code === "EPIPE") {
    return fail(CLI_ERROR_CODES.sendInterrupted, `${where} closed the connection (${code}); a receiver that checks client names closes it when it refuses the certificate (RCV_TLS_PEER_REFUSED in its log)`);
  }
  return fail(CLI_ERROR_CODES.sendInterrupted, `the connection to ${where} broke: ${message}`);
}

/** Resolves once the handshake is complete and the receiver's certificate checked. */
export function openTlsConnection(t: TlsTarget): Promise<TLSSocket> {
  const where = `${t.host}:${t.port}`;
  const servername = t.servername ?? (isIP(t.host) === 0 ? t.host : undefined);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: t.host,
      port: t.port,
      ...(t.ca !== undefined ? { ca: t.ca } : {}),
      ...(t.cert !== undefined && t.key !== undefined ? { cert: t.cert, key: t.key } : {}),
      ...(servername !== undefined ? { servername } : {}),
      // With --servername the certificate is checked against that name, whatever address we dialled.
      ...(t.servername !== undefined ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(t.servername!, cert) } : {}),
      rejectUnauthorized: !t.insecure,
      minVersion: "TLSv1.2",
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new CliError(CLI_ERROR_CODES.connectFailed, `cannot connect to ${where}: no TLS handshake within ${t.connectTimeoutMs / 1000} s`, EXIT.failure));
    }, t.connectTimeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(connectionError(err, where, false));
    };
    socket.once("error", onError);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      resolve(socket);
    });
  });
}
