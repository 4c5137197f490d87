/**
 * The receiver's error catalogue. Every code is documented in docs/errors.md with what it
 * means and what to do. Expected bad input (garbage frames, refused clients) is not thrown:
 * it is counted and logged as an event (see events.ts) with one of these codes as its reason.
 */
export class ReceiverError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** RCV_CONFIG_INVALID: the environment does not describe a valid receiver; fix and restart. */
export class ConfigError extends ReceiverError {
  constructor(readonly problems: string[]) {
    super("RCV_CONFIG_INVALID", `invalid receiver configuration:\n  - ${problems.join("\n  - ")}`, false);
  }
}

/** RCV_TLS_MATERIAL_INVALID: certificate, key or CA cannot be used (bad PEM, key mismatch). */
export class TlsMaterialError extends ReceiverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("RCV_TLS_MATERIAL_INVALID", message, false, options);
  }
}

/** RCV_LISTEN_FAILED: a listener could not bind (port in use, permission). */
export class ListenError extends ReceiverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("RCV_LISTEN_FAILED", message, false, options);
  }
}

/** Codes that connections report as events (counted, logged), never thrown. */
export const EVENT_CODES = {
  /** A TLS client failed the handshake (protocol, cipher, bad or missing certificate). */
  tlsHandshakeFailed: "RCV_TLS_HANDSHAKE_FAILED",
  /** A verified client certificate matched no permitted peer / fingerprint. */
  tlsPeerRefused: "RCV_TLS_PEER_REFUSED",
  /** The process did not load an OpenSSL configuration with NumTickets = 0 (see openssl.cnf). */
  tlsSessionTicketsOn: "RCV_TLS_SESSION_TICKETS_ON",
  /** The handshake did not finish within RECEIVER_HANDSHAKE_TIMEOUT_MS. */
  handshakeTimeout: "RCV_HANDSHAKE_TIMEOUT",
  /** No byte for RECEIVER_IDLE_TIMEOUT_MS. */
  idleTimeout: "RCV_IDLE_TIMEOUT",
  /** RECEIVER_MAX_CONNECTIONS reached; the new connection was closed at once. */
  tooManyConnections: "RCV_TOO_MANY_CONNECTIONS",
  /** PROXY header missing where required, or malformed. */
  proxyHeaderInvalid: "RCV_PROXY_HEADER_INVALID",
  /** Plain bytes on the TLS port or a TLS ClientHello on the plain TCP port. */
  wrongProtocol: "RCV_WRONG_PROTOCOL",
  /** A socket error (reset by peer, …) other than the above. */
  socketError: "RCV_SOCKET_ERROR",
  /** The sink gave up on a record after its retries (data loss: see the sink's log line). */
  sinkFailed: "RCV_SINK_FAILED",
  /** Records still unstored when the drain deadline passed (data loss). */
  drainIncomplete: "RCV_DRAIN_INCOMPLETE",
} as const;
