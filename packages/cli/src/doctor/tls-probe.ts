import { isIP } from "node:net";
import tls, { type DetailedPeerCertificate } from "node:tls";

/**
 * One TLS connection to the receiver that sends no data: connect, handshake, then listen a
 * moment for the server's verdict on the client. The server's certificate is verified, but
 * with rejectUnauthorized off so a failure can be described (expired, wrong CA, wrong name)
 * instead of reported as one opaque error.
 *
 * Why wait after the handshake: under TLS 1.3 the client's handshake completes before the
 * server has checked the client certificate (RFC 8446 §4.4.2: the client's Certificate and
 * Finished are its last flight), so a refusal arrives afterwards as an alert on the first read
 * ("certificate required", "unknown ca"), or, when the receiver refuses the certificate's name,
 * as a close. Under TLS 1.2 the same refusal fails the handshake itself.
 */
export const CONNECT_TIMEOUT_MS = 10_000;
/** How long after the handshake a refusal may take to arrive. The receiver answers within
 * milliseconds (peer-auth runs on the secure event); a second leaves room for a slow path. */
export const SETTLE_MS = 1_000;

export interface ProbeOptions {
  host: string;
  port: number;
  servername: string | undefined;
  /** PEM bundle; undefined: Node's root store. */
  ca: string | undefined;
  client: { certPem: string; keyPem: string } | undefined;
  connectTimeoutMs?: number;
  settleMs?: number;
  /** Tests pin TLS 1.2 with it; doctor offers what the server wants. */
  maxVersion?: tls.SecureVersion;
}

export interface PresentedCertificate {
  subject: string;
  issuer: string;
  /** ISO time. */
  validTo: string;
  subjectAltName: string | undefined;
}

export type ProbeResult =
  /** No TCP connection (refused, unreachable, timed out) or no handshake within the timeout. */
  | { kind: "unreachable"; error: string }
  /** TCP connected, TLS failed before the client's side finished. */
  | { kind: "handshake-failed"; error: string }
  | {
      kind: "handshake-done";
      protocol: string;
      /** null: the chain verified and the name matched. Else Node's code (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, …). */
      authorizationError: string | null;
      /** Leaf first. */
      chain: PresentedCertificate[];
      /** What the server did in the settle time after the handshake: nothing ("open"), or closed with this reason. */
      afterHandshake: { open: true } | { open: false; reason: string };
    };

function describeError(err: Error & { code?: string }): string {
  const code = err.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ETIMEDOUT") return "timed out";
  if (code === "ENOTFOUND") return "no such host";
  return code !== undefined && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}

function presentedChain(leaf: DetailedPeerCertificate): PresentedCertificate[] {
  const chain: PresentedCertificate[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = leaf; c !== undefined && c.fingerprint256 !== undefined && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    const name = (n: tls.Certificate | undefined) => (n?.CN !== undefined ? `CN=${String(n.CN)}` : Object.entries(n ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(", "));
    chain.push({ subject: name(c.subject), issuer: name(c.issuer), validTo: new Date(c.valid_to).toISOString(), subjectAltName: c.subjectaltname });
  }
  return chain;
}

export function probeTls(o: ProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let handshake: Extract<ProbeResult, { kind: "handshake-done" }> | undefined;
    let settleTimer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (result: ProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(settleTimer);
      socket.destroy();
      resolve(result);
    };
    const socket = tls.connect({
      host: o.host,
      port: o.port,
      // SNI must be a DNS name (RFC 6066 §3); for an address, the certificate's IP SAN is checked.
      ...(o.servername !== undefined && isIP(o.servername) === 0 ? { servername: o.servername } : {}),
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(o.servername ?? o.host, cert),
      ...(o.ca !== undefined ? { ca: o.ca } : {}),
      ...(o.client !== undefined ? { cert: o.client.certPem, key: o.client.keyPem } : {}),
      rejectUnauthorized: false,
      minVersion: "TLSv1.2",
      ...(o.maxVersion !== undefined ? { maxVersion: o.maxVersion } : {}),
    });
    let tcpConnected = false;
    socket.once("connect", () => (tcpConnected = true));
    socket.setTimeout(o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, () => {
      if (handshake === undefined) finish({ kind: "unreachable", error: `no TLS handshake within ${(o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS) / 1000} s` });
    });
    socket.once("secureConnect", () => {
      socket.setTimeout(0);
      handshake = {
        kind: "handshake-done",
        protocol: socket.getProtocol() ?? "unknown",
        authorizationError: socket.authorized ? null : String(socket.authorizationError ?? "unknown"),
        chain: presentedChain(socket.getPeerCertificate(true)),
        afterHandshake: { open: true },
      };
      settleTimer = setTimeout(() => finish(handshake!), o.settleMs ?? SETTLE_MS);
    });
    // Reading is what surfaces a TLS 1.3 alert; the receiver sends no data of its own.
    socket.on("data", () => undefined);
    socket.on("end", () => {
      if (handshake !== undefined) finish({ ...handshake, afterHandshake: { open: false, reason: "the server closed the connection" } });
    });
    socket.on("close", () => {
      if (handshake !== undefined) finish({ ...handshake, afterHandshake: { open: false, reason: "the server closed the connection" } });
      else finish(tcpConnected ? { kind: "handshake-failed", error: "the server closed the connection during the handshake" } : { kind: "unreachable", error: "connection closed" });
    });
    socket.on("error", (err: Error & { code?: string }) => {
      if (handshake !== undefined) finish({ ...handshake, afterHandshake: { open: false, reason: describeError(err) } });
      else finish({ kind: tcpConnected ? "handshake-failed" : "unreachable", error: describeError(err) });
    });
  });
}
