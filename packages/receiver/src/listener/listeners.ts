import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from "node:tls";
import type { ProxyPolicy, ReceiverConfig } from "../config.js";
import { EVENT_CODES, ListenError } from "../errors.js";
import type { PeerInfo, ReceiverEvents } from "../events.js";
import { RelpConnection, type RelpSettings } from "../relp/relp-connection.js";
import { Connection, type ConnectionDeps, type ConnectionIdentity } from "./connection.js";
import { authorizePeer } from "./peer-auth.js";
import { readProxyHeader, type ProxyOutcome } from "./proxy-stage.js";
import type { TlsContext } from "./tls-context.js";

/**
 * The syslog listeners: TLS (RFC 5425) and plain TCP (behind a load balancer that terminated
 * TLS). Each accepts on a plain net.Server that enforces the connection limit, the idle timeout
 * and the PROXY protocol policy before anything else; TLS connections are then handed to a
 * tls.Server that never listens itself (`emit("connection")`, exactly what tls.Server does
 * internally), so PROXY headers can precede the ClientHello as an NLB in TCP mode sends them.
 */
type Kind = "tls" | "tcp" | "relp" | "relp-tls";
/** Listeners whose connections speak RELP (relp/relp-connection.ts) instead of syslog. */
const RELP_KINDS: ReadonlySet<string> = new Set<Kind>(["relp", "relp-tls"]);
const PLAIN_KINDS: ReadonlySet<Kind> = new Set<Kind>(["tcp", "relp"]);

/** Raw socket → who it is (from PROXY header or the socket), for the TLS stage to pick up. */
interface Pending {
  identity: ConnectionIdentity;
  peer: PeerInfo;
}

export interface ListenerAddresses {
  tls: AddressInfo | null;
  tcp: AddressInfo | null;
  relp: AddressInfo | null;
  relpTls: AddressInfo | null;
}

export class Listeners {
  private readonly servers = new Map<Kind, Server>();
  private readonly tlsServer: TlsServer | null = null;
  /** Raw TLS socket → identity, kept (weakly) until the socket is gone: error paths need the
   * peer's address after node has destroyed the TLS socket. */
  private readonly pending = new WeakMap<Socket, Pending>();
  /** Connect-and-close probes already counted (node reports them twice). */
  private readonly probes = new WeakSet<Socket>();
  /** Raw sockets a Connection owns: the handshake deadline no longer applies. */
  private readonly owned = new WeakSet<Socket>();
  /** Raw sockets we closed at the handshake deadline (their TLS error is not a second event). */
  private readonly closedByUs = new WeakSet<Socket>();
  readonly connections = new Set<Connection | RelpConnection>();
  private rawSockets = 0;

  constructor(
    private readonly config: ReceiverConfig,
    private readonly events: ReceiverEvents,
    private readonly deps: ConnectionDeps,
    private readonly tlsContext: TlsContext | null,
    /** RELP acknowledgement settings; required when a RELP port is on. */
    private readonly relp: RelpSettings | null = null,
  ) {
    if ((config.tlsPort !== null || config.relpTlsPort !== null) && tlsContext) {
      const server = createTlsServer(tlsContext.serverOptions());
      tlsContext.attach(server);
      server.on("secureConnection", (socket: TLSSocket) => this.onSecure(socket));
      server.on("tlsClientError", (err: NodeJS.ErrnoException, socket: TLSSocket) => this.onTlsError(err, socket));
      this.tlsServer = server;
    }
  }

  async start(): Promise<ListenerAddresses> {
    const { host, tlsPort, tcpPort } = this.config;
    const tls = tlsPort !== null && this.tlsServer ? await this.listen("tls", host, tlsPort, this.config.tlsProxyProtocol) : null;
    const tcp = tcpPort !== null ? await this.listen("tcp", host, tcpPort, this.config.tcpProxyProtocol) : null;
    const { relpPort, relpTlsPort } = this.config;
    const relp = relpPort !== null ? await this.listen("relp", host, relpPort, this.config.relpProxyProtocol) : null;
    const relpTls = relpTlsPort !== null && this.tlsServer ? await this.listen("relp-tls", host, relpTlsPort, this.config.relpTlsProxyProtocol) : null;
    return { tls, tcp, relp, relpTls };
  }

  /** Stops accepting; open connections stay. (server.close's callback waits for every
   * connection to end, so it is not awaited here.) */
  stopAccepting(): void {
    for (const server of this.servers.values()) server.close();
  }

  /** Raw sockets open, including those still in the PROXY or TLS handshake stage. */
  get openSockets(): number {
    return this.rawSockets;
  }

  destroyAll(): void {
    for (const c of this.connections) c.socket.destroy();
  }

  private listen(kind: Kind, host: string, port: number, proxy: ProxyPolicy): Promise<AddressInfo> {
    const server = createNetServer({ pauseOnConnect: false, highWaterMark: this.config.socketReadBytes } as object, (socket) => this.onRaw(kind, proxy, socket));
    this.servers.set(kind, server);
    return new Promise((resolve, reject) => {
      server.once("error", (err) => reject(new ListenError(`cannot listen on ${host}:${port} (${kind}): ${err.message}`, { cause: err })));
      server.listen({ host, port, backlog: 4096 }, () => resolve(server.address() as AddressInfo));
    });
  }

  private onRaw(kind: Kind, proxy: ProxyPolicy, socket: Socket): void {
    const peer: PeerInfo = { listener: kind, remoteAddress: plainIp(socket.remoteAddress), remotePort: socket.remotePort };
    if (this.rawSockets >= this.config.maxConnections) {
      this.events.refused(peer, EVENT_CODES.tooManyConnections, `RECEIVER_MAX_CONNECTIONS=${this.config.maxConnections} reached`);
      socket.destroy();
      return;
    }
    this.rawSockets++;
    socket.once("close", () => this.rawSockets--);
    // Until a Connection owns the socket (after the PROXY header and the TLS handshake) the
    // handshake deadline holds; the Connection then sets the idle timeout on its data socket.
    // Node's own TLS handshakeTimeout only reports, and nothing times out a silent socket.
    const deadline = setTimeout(() => {
      if (socket.destroyed || this.owned.has(socket)) return;
      this.closedByUs.add(socket);
      this.events.refused(this.pending.get(socket)?.peer ?? peer, EVENT_CODES.handshakeTimeout, `no complete handshake within RECEIVER_HANDSHAKE_TIMEOUT_MS=${this.config.handshakeTimeoutMs}`);
      socket.destroy();
    }, this.config.handshakeTimeoutMs);
    socket.once("close", () => clearTimeout(deadline));
    // Errors before a Connection owns the socket (reset during handshake, …) must not crash.
    socket.on("error", () => undefined);
    if (proxy === "off") {
      this.afterProxy(kind, socket, peer, null);
      return;
    }
    readProxyHeader(socket, proxy, this.config.handshakeTimeoutMs, (outcome: ProxyOutcome) => {
      switch (outcome.kind) {
        case "closed-empty":
          this.events.healthCheck(kind);
          return;
        case "local":
          this.events.healthCheck(kind);
          this.afterProxy(kind, socket, peer, null);
          return;
        case "refused":
          this.events.refused(peer, EVENT_CODES.proxyHeaderInvalid, outcome.reason);
          socket.destroy();
          return;
        case "ok":
          this.afterProxy(kind, socket, { ...peer, remoteAddress: outcome.sourceIp ?? peer.remoteAddress, remotePort: outcome.sourcePort ?? peer.remotePort }, outcome);
      }
    });
  }

  private afterProxy(kind: Kind, socket: Socket, peer: PeerInfo, proxied: { sourceIp: string | null; sourcePort: number | null } | null): void {
    const identity: ConnectionIdentity = {
      listener: kind,
      sourceIp: proxied?.sourceIp ?? peer.remoteAddress ?? null,
      sourcePort: proxied?.sourcePort ?? peer.remotePort ?? null,
      tlsPeer: null,
    };
    if (PLAIN_KINDS.has(kind)) {
      this.open(socket, identity, peer, true);
      return;
    }
    this.pending.set(socket, { identity, peer });
    // A connect-and-close probe: node reports it both as a close and as a tlsClientError
    // (ECONNRESET); whichever comes first counts it once.
    socket.once("close", () => {
      if (socket.bytesRead === 0 && !this.probes.has(socket)) {
        this.probes.add(socket);
        this.events.healthCheck(kind);
      }
    });
    this.tlsServer!.emit("connection", socket);
  }

  private onSecure(tlsSocket: TLSSocket): void {
    const raw = rawOf(tlsSocket);
    const pending = raw ? this.pending.get(raw) : undefined;
    const peer = pending?.peer ?? { listener: "tls", remoteAddress: plainIp(tlsSocket.remoteAddress), remotePort: tlsSocket.remotePort };
    // Read per handshake: a reload (SIGHUP, file change) may have replaced the fingerprint list.
    const decision = authorizePeer(this.tlsContext!.peerPolicy, tlsSocket.getPeerCertificate());
    if (!decision.ok) {
      this.events.refused(peer, EVENT_CODES.tlsPeerRefused, decision.reason);
      tlsSocket.destroy();
      return;
    }
    const identity = { ...(pending?.identity ?? { listener: "tls", sourceIp: peer.remoteAddress ?? null, sourcePort: peer.remotePort ?? null }), tlsPeer: decision.peer };
    this.open(tlsSocket, identity, peer, false);
  }

  /** The one place a listener kind picks its protocol: syslog framing or a RELP session. */
  private open(socket: Socket, identity: ConnectionIdentity, peer: PeerInfo, plain: boolean): void {
    this.owned.add(plain ? socket : (rawOf(socket as TLSSocket) ?? socket));
    const onClose = (c: Connection | RelpConnection) => this.connections.delete(c);
    const deps = plain ? { ...this.deps, rejectTlsHello: true } : this.deps;
    if (RELP_KINDS.has(identity.listener)) {
      if (!this.relp) throw new Error("RELP listener without RELP settings");
      this.track(new RelpConnection(socket, identity, peer, { ...deps, relp: this.relp }, onClose));
    } else this.track(new Connection(socket, identity, peer, deps, onClose));
    this.events.connectionOpened(peer);
  }

  private onTlsError(err: NodeJS.ErrnoException, tlsSocket: TLSSocket): void {
    const raw = rawOf(tlsSocket);
    const pending = raw ? this.pending.get(raw) : undefined;
    const peer = pending?.peer ?? { listener: "tls", remoteAddress: plainIp(tlsSocket.remoteAddress), remotePort: tlsSocket.remotePort };
    if (raw && this.closedByUs.has(raw)) return;
    // A probe that connects and closes (NLB TCP health check) surfaces here as a reset before
    // the handshake: count it (unless its close did already), log nothing.
    if (raw && raw.bytesRead === 0) {
      if (!this.probes.has(raw)) {
        this.probes.add(raw);
        this.events.healthCheck(peer.listener);
      }
      return;
    }
    // A client certificate that fails verification (unknown CA, expired) makes node destroy the
    // socket after the handshake and report the reset; the verification error is the cause.
    const authError = (tlsSocket as TLSSocket & { authorizationError?: string }).authorizationError;
    if (authError) {
      this.events.handshakeFailed(peer, "bad_client_certificate", `client certificate rejected: ${authError}`);
      return;
    }
    const reason = classifyTlsError(err);
    if (reason === "timeout") {
      // Node reports its handshakeTimeout but leaves the socket open: close it.
      if (raw) this.closedByUs.add(raw);
      tlsSocket.destroy();
      this.events.refused(peer, EVENT_CODES.handshakeTimeout, `TLS handshake not finished within ${this.config.handshakeTimeoutMs} ms`);
    }
    else if (reason === "not_tls") this.events.refused(peer, EVENT_CODES.wrongProtocol, "plain bytes on the TLS port (is the sender configured without TLS?)");
    else this.events.handshakeFailed(peer, reason, err.message);
  }

  private track(c: Connection | RelpConnection): void {
    this.connections.add(c);
  }
}

/** The net.Socket a server-side TLSSocket wraps (node keeps it as `_parent`). */
function rawOf(tlsSocket: TLSSocket): Socket | undefined {
  return (tlsSocket as unknown as { _parent?: Socket })._parent;
}

/** "::ffff:192.0.2.1" → "192.0.2.1": IPv4 senders on a dual-stack socket. */
export function plainIp(address: string | undefined): string | undefined {
  return address?.startsWith("::ffff:") ? address.slice(7) : address;
}

/** A small closed set of reasons for the handshake-failure counter's label. */
export function classifyTlsError(err: NodeJS.ErrnoException): string {
  const code = err.code ?? "";
  const msg = err.message.toLowerCase();
  if (code === "ERR_TLS_HANDSHAKE_TIMEOUT") return "timeout";
  if (msg.includes("wrong version number") || msg.includes("http request") || msg.includes("unknown protocol") || msg.includes("packet length too long")) return "not_tls";
  if (msg.includes("unsupported protocol") || msg.includes("version too low")) return "protocol_version";
  if (msg.includes("no shared cipher") || msg.includes("no suitable")) return "no_shared_cipher";
  if (msg.includes("peer did not return a certificate") || msg.includes("certificate required")) return "no_client_certificate";
  if (msg.includes("certificate") || msg.includes("unable to get") || msg.includes("self signed") || msg.includes("self-signed") || code.startsWith("CERT_") || code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE") return "bad_client_certificate";
  if (code === "ECONNRESET" || code === "EPIPE") return "reset";
  return "other";
}
