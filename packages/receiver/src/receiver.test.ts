import { copyFileSync, writeFileSync } from "node:fs";
import { EventEmitter } from "node:events";
import { connect as tlsConnect } from "node:tls";
import { describe, expect, it } from "vitest";
import { closed, octet, startTestReceiver, tcpClient, tlsClient, until } from "../test/harness.js";
import { receiverPerTest } from "../test/receiver-per-test.js";
import type { Sink } from "./sinks/sink.js";

const t = receiverPerTest();

/** A sink that holds what it gets (over budget from `budgetBytes`) until released. */
class HeldSink extends EventEmitter implements Sink {
  readonly name = "held";
  readonly stored: string[] = [];
  private held: string[] = [];
  pendingBytes = 0;
  constructor(private readonly budgetBytes: number) {
    super();
  }
  private releasedAll = false;
  write(line: string): boolean {
    if (this.releasedAll) return this.stored.push(line) > 0;
    this.held.push(line);
    this.pendingBytes += line.length;
    return this.pendingBytes < this.budgetBytes;
  }
  release(): void {
    this.releasedAll = true;
    this.stored.push(...this.held.splice(0));
    this.pendingBytes = 0;
    this.emit("drain");
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {
    this.release();
  }
}

const line5424 = (n: number) => `<134>1 2026-11-23T10:00:00.123+09:00 web01 app 42 ID7 - message ${n}`;

describe("TLS listener, anon", () => {
  it("receives octet-counted and LF-framed records with the connection's fields", async () => {
    t.rx = await startTestReceiver(t.pki);
    const socket = await tlsClient(t.rx.tlsPort, t.pki);
    socket.write(octet(line5424(1)) + octet(line5424(2)));
    socket.write(`${line5424(3)}\n<13>Nov 23 10:00:00 host1 sshd[99]: three-one-sixty-four\n`);
    await until(() => t.rx!.records().length === 4, 5_000, "4 records");
    socket.end();
    const records = t.rx.records();
    expect(records.map((r) => r.message)).toEqual(["message 1", "message 2", "message 3", "three-one-sixty-four"]);
    expect(records[0]).toMatchObject({ format: "rfc5424", hostname: "web01", app_name: "app", proc_id: "42", msg_id: "ID7", facility: 16, severity: 6, listener: "tls", tls_peer: null, source_ip: "127.0.0.1", timestamp: "2026-11-23T10:00:00.123+09:00" });
    expect(records[0]!.source_port).toBe(socket.localPort);
    expect(records[3]).toMatchObject({ format: "rfc3164", hostname: "host1", app_name: "sshd", proc_id: "99" });
  });

  it("counts a connect-and-close probe as a health check and logs nothing above debug", async () => {
    t.rx = await startTestReceiver(t.pki);
    const before = t.rx.logs.length; // start-up lines (this process has no openssl.cnf: a WARN) are not the probe's
    const probe = await tcpClient(t.rx.tlsPort);
    probe.end();
    await closed(probe);
    await until(() => t.rx!.handle.metrics.counter("receiver_health_checks_total", "").total() === 1, 5_000, "health check counted");
    expect(t.rx.logs.slice(before).filter((l) => (l.level as number) >= 40)).toEqual([]);
  });

  it("refuses plain syslog on the TLS port with a reason, and keeps serving others", async () => {
    t.rx = await startTestReceiver(t.pki);
    const plain = await tcpClient(t.rx.tlsPort);
    plain.write(`${line5424(1)}\n`);
    await closed(plain);
    await until(() => t.rx!.logs.some((l) => l.code === "RCV_WRONG_PROTOCOL" || l.event === "tls_handshake_failed"), 5_000, "refusal logged");
    const good = await tlsClient(t.rx.tlsPort, t.pki);
    good.end(`${line5424(2)}\n`);
    await until(() => t.rx!.records().length === 1);
    expect(t.rx.records()[0]!.message).toBe("message 2");
  });

  it("rejects TLS 1.1 clients", async () => {
    t.rx = await startTestReceiver(t.pki);
    await expect(tlsClient(t.rx.tlsPort, t.pki, { maxVersion: "TLSv1.1", minVersion: "TLSv1" })).rejects.toThrow();
    await until(() => t.rx!.handle.metrics.counter("receiver_tls_handshake_failures_total", "").total() >= 1, 5_000, "failure counted");
  });
});

describe("TLS listener, x509/name", () => {
  const env = { RECEIVER_TLS_AUTH_MODE: "x509/name", RECEIVER_TLS_PERMITTED_PEERS: "aws-syslog,*.example.com" };

  it("accepts permitted peers, names them in tls_peer, refuses others while a good sender keeps working", async () => {
    t.rx = await startTestReceiver(t.pki, env);
    const good = await tlsClient(t.rx.tlsPort, t.pki, t.pki.clients.awsSyslog);
    good.write(`${line5424(1)}\n`);
    await until(() => t.rx!.records().length === 1);

    const wrongCn = await tlsClient(t.rx.tlsPort, t.pki, t.pki.clients.other);
    await closed(wrongCn);
    // Without a certificate, and with one from another CA: refused during or right after the
    // handshake (with TLS 1.3 the client may see the handshake finish, then the close).
    await tlsClient(t.rx.tlsPort, t.pki).then((s) => closed(s)).catch(() => undefined);
    await tlsClient(t.rx.tlsPort, t.pki, t.pki.clients.rogue).then((s) => closed(s)).catch(() => undefined);

    const wild = await tlsClient(t.rx.tlsPort, t.pki, t.pki.clients.wildcard);
    wild.end(`${line5424(2)}\n`);
    good.end(`${line5424(3)}\n`);
    await until(() => t.rx!.records().length === 3);
    const byMessage = Object.fromEntries(t.rx.records().map((r) => [r.message, r.tls_peer]));
    expect(byMessage).toEqual({ "message 1": "aws-syslog", "message 2": "host1.example.com", "message 3": "aws-syslog" });
    await until(() => t.rx!.logs.filter((l) => l.event === "connection_refused" || l.event === "tls_handshake_failed").length >= 3, 5_000, "3 refusals logged");
    const refusedPeer = t.rx.logs.find((l) => l.code === "RCV_TLS_PEER_REFUSED");
    expect(String(refusedPeer?.detail)).toContain("not-aws-syslog");
    const foreignCa = t.rx.logs.find((l) => l.reason === "bad_client_certificate");
    expect(foreignCa).toMatchObject({ remoteAddress: "127.0.0.1" });
    expect(String(foreignCa?.detail)).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|unable to/i);
  });
});

describe("plain TCP listener with PROXY protocol", () => {
  const proxyV2 = (src: string, srcPort: number) => {
    const sig = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
    const body = Buffer.alloc(12);
    src.split(".").forEach((o, i) => body.writeUInt8(Number(o), i));
    [10, 0, 0, 1].forEach((o, i) => body.writeUInt8(o, 4 + i));
    body.writeUInt16BE(srcPort, 8);
    body.writeUInt16BE(6601, 10);
    return Buffer.concat([sig, Buffer.from([0x21, 0x11, 0x00, 12]), body]);
  };
  const env = { RECEIVER_TLS_PORT: "off", RECEIVER_TCP_PORT: "0", RECEIVER_TCP_PROXY_PROTOCOL: "required" };

  it("takes source_ip and source_port from a v2 header", async () => {
    t.rx = await startTestReceiver(t.pki, env);
    const s = await tcpClient(t.rx.tcpPort);
    s.end(Buffer.concat([proxyV2("198.51.100.7", 40123), Buffer.from(`${line5424(1)}\n`)]));
    await until(() => t.rx!.records().length === 1);
    expect(t.rx.records()[0]).toMatchObject({ source_ip: "198.51.100.7", source_port: 40123, listener: "tcp", message: "message 1" });
  });

  it("takes the address from a v1 header split across writes", async () => {
    t.rx = await startTestReceiver(t.pki, env);
    const s = await tcpClient(t.rx.tcpPort);
    s.write("PROXY TCP4 203.0.113.9 10.0.0.1 5");
    await new Promise((r) => setTimeout(r, 20));
    s.end(`1234 6601\r\n${line5424(1)}\n`);
    await until(() => t.rx!.records().length === 1);
    expect(t.rx.records()[0]).toMatchObject({ source_ip: "203.0.113.9", source_port: 51234 });
  });

  it("refuses a connection without a header when required, and TLS on the plain port", async () => {
    t.rx = await startTestReceiver(t.pki, env);
    const s = await tcpClient(t.rx.tcpPort);
    s.write(`${line5424(1)}\n`);
    await closed(s);
    await until(() => t.rx!.logs.some((l) => l.code === "RCV_PROXY_HEADER_INVALID"), 5_000, "refusal logged");
    expect(t.rx.records()).toEqual([]);
  });

  it("refuses a TLS ClientHello on the plain port", async () => {
    t.rx = await startTestReceiver(t.pki, { ...env, RECEIVER_TCP_PROXY_PROTOCOL: "off" });
    await tlsClient(t.rx.tcpPort, t.pki).catch(() => undefined);
    await until(() => t.rx!.logs.some((l) => l.code === "RCV_WRONG_PROTOCOL"), 5_000, "wrong protocol logged");
    expect(t.rx.records()).toEqual([]);
  });
});

describe("limits and lifecycle", () => {
  it("closes connections above RECEIVER_MAX_CONNECTIONS and counts them", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_MAX_CONNECTIONS: "2" });
    const a = await tlsClient(t.rx.tlsPort, t.pki);
    const b = await tlsClient(t.rx.tlsPort, t.pki);
    const c = await tcpClient(t.rx.tlsPort);
    await closed(c);
    expect(t.rx.logs.some((l) => l.code === "RCV_TOO_MANY_CONNECTIONS")).toBe(true);
    a.end(`${line5424(1)}\n`);
    b.end(`${line5424(2)}\n`);
    await until(() => t.rx!.records().length === 2);
  });

  it("closes a silent socket and a half-sent ClientHello at RECEIVER_HANDSHAKE_TIMEOUT_MS", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_HANDSHAKE_TIMEOUT_MS: "300" });
    const silent = await tcpClient(t.rx.tlsPort);
    const partial = await tcpClient(t.rx.tlsPort);
    partial.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    await Promise.all([closed(silent, 3_000), closed(partial, 3_000)]);
    await until(() => t.rx!.logs.filter((l) => l.code === "RCV_HANDSHAKE_TIMEOUT").length === 2, 3_000, "two timeouts logged");
    await new Promise((r) => setTimeout(r, 200));
    expect(t.rx.logs.filter((l) => l.code === "RCV_HANDSHAKE_TIMEOUT")).toHaveLength(2);
  });

  it("closes idle connections after RECEIVER_IDLE_TIMEOUT_MS", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_IDLE_TIMEOUT_MS: "200" });
    const s = await tlsClient(t.rx.tlsPort, t.pki);
    await closed(s, 3_000);
    await until(() => t.rx!.logs.some((l) => l.code === "RCV_IDLE_TIMEOUT"), 3_000, "idle logged");
  });

  it("on stop, stores every record already read and reports the health endpoint as draining", async () => {
    t.rx = await startTestReceiver(t.pki);
    const s = await tlsClient(t.rx.tlsPort, t.pki);
    const n = 5_000;
    let payload = "";
    for (let i = 0; i < n; i++) payload += octet(line5424(i));
    s.write(payload);
    await until(() => t.rx!.handle.events.frames.total() === n, 10_000, "all frames read");
    const healthPort = t.rx.handle.addresses.health!.port;
    const stopping = t.rx.handle.stop();
    const res = await fetch(`http://127.0.0.1:${healthPort}/health`).catch(() => null);
    if (res) expect(res.status).toBe(503);
    await expect(stopping).resolves.toBe(true);
    expect(t.rx.records()).toHaveLength(n);
  });

  it("on stop, does not take a sender it holds paused (sink over budget) for a quiet one: nothing in flight is cut", async () => {
    const sink = new HeldSink(64 * 1024);
    t.rx = await startTestReceiver(t.pki, { RECEIVER_DRAIN_TIMEOUT_MS: "10000" }, { sink });
    const s = await tlsClient(t.rx.tlsPort, t.pki); // ends its side when ours ends, after its writes
    const n = 20_000;
    let payload = "";
    for (let i = 0; i < n; i++) payload += octet(line5424(i));
    s.write(payload);
    await until(() => sink.pendingBytes > 0 && t.rx!.handle.events.frames.total() > 0, 5_000, "the sink to hold lines");
    const stopping = t.rx.handle.stop();
    // Longer than the half-closed grace: the paused connection shows no data all along.
    await new Promise((r) => setTimeout(r, 2_500));
    sink.release();
    await expect(stopping).resolves.toBe(true);
    expect(sink.stored).toHaveLength(n);
  });

  it("issues no resumable session tickets, before and after a reload (every handshake is full)", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_TLS_WATCH_FILES: "false" });
    const handshake = (session?: Buffer) =>
      new Promise<{ reused: boolean; ticket: Buffer | undefined }>((resolve, reject) => {
        let ticket: Buffer | undefined;
        let reused = false;
        const s = tlsConnect({ host: "127.0.0.1", port: t.rx!.tlsPort, ca: t.pki.ca, servername: "localhost", ...(session ? { session } : {}) });
        s.on("session", (t: Buffer) => (ticket = t));
        s.on("secureConnect", () => {
          reused = s.isSessionReused();
          setTimeout(() => s.end(), 100); // the tickets follow the handshake
        });
        s.on("error", reject);
        s.on("close", () => resolve({ reused, ticket }));
      });
    for (const round of ["at start", "after reload"]) {
      if (round === "after reload") expect(t.rx.handle.reloadTls()).toBe(true);
      const first = await handshake();
      expect({ round, ticket: first.ticket !== undefined }).toEqual({ round, ticket: true });
      expect({ round, reused: (await handshake(first.ticket)).reused }).toEqual({ round, reused: false });
    }
  });

  it("reloads the certificate without dropping established connections", async () => {
    const certFile = `${t.pki.dir}/reload.pem`;
    const keyFile = `${t.pki.dir}/reload.key`;
    copyFileSync(t.pki.server.certFile, certFile);
    copyFileSync(t.pki.server.keyFile, keyFile);
    t.rx = await startTestReceiver(t.pki, { RECEIVER_TLS_CERT_FILE: certFile, RECEIVER_TLS_KEY_FILE: keyFile, RECEIVER_TLS_WATCH_FILES: "false" });
    const before = await tlsClient(t.rx.tlsPort, t.pki);
    // A broken certificate is refused on reload; the old one stays in use.
    writeFileSync(certFile, "not a certificate");
    expect(t.rx.handle.reloadTls()).toBe(false);
    copyFileSync(t.pki.server2.certFile, certFile);
    copyFileSync(t.pki.server2.keyFile, keyFile);
    expect(t.rx.handle.reloadTls()).toBe(true);
    const after = await tlsClient(t.rx.tlsPort, t.pki);
    expect(after.getPeerCertificate().subject.CN).toBe("reloaded.localhost");
    before.end(`${line5424(1)}\n`);
    after.end(`${line5424(2)}\n`);
    await until(() => t.rx!.records().length === 2);
  });
});
