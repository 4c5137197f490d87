import { EventEmitter } from "node:events";
import { connect, Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { closed, startTestReceiver, tcpClient, tlsClient, until } from "../../test/harness.js";
import type { Ack, Sink } from "../sinks/sink.js";
import { nextTxnr, RELP_MAX_TXNR } from "./relp-connection.js";
import { encodeRelpFrame } from "./relp-parser.js";
import { receiverPerTest } from "../../test/receiver-per-test.js";
import { Client, OFFERS } from "./testing/relp-client.js";

const t = receiverPerTest();

const msg = (n: number) => `<134>1 2026-11-23T10:00:00.123Z web01 app 42 ID7 - relp ${n}`;

/** A sink whose acks the test releases by hand: the point where "stored" happens. */
class HeldSink extends EventEmitter implements Sink {
  readonly name = "held";
  readonly lines: string[] = [];
  readonly acks: Ack[] = [];
  pendingBytes = 0;
  /** write() returns false from this many held lines on (over the byte budget). */
  budgetLines = Infinity;
  write(line: string, ack?: Ack): boolean {
    this.lines.push(line);
    if (ack) this.acks.push(ack);
    return this.acks.length < this.budgetLines;
  }
  /** Acks the oldest held lines; "drain" once under budget again. */
  release(n: number): void {
    for (const a of this.acks.splice(0, n)) a(null);
    if (this.acks.length < this.budgetLines) this.emit("drain");
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {
    for (const a of this.acks.splice(0)) a(null);
  }
}

const relpPort = () => t.rx!.handle.addresses.relp!.port;
const counter = (name: string) => t.rx!.handle.metrics.counter(name, "");

/**
 * Records the sockets Nagle's algorithm is switched off on, by the peer port they serve. rsp
 * frames are small writes that the sender's window waits on: with Nagle one sits until the
 * sender's delayed ACK (~40 ms) whenever an earlier one is unacknowledged, which capped a
 * windowSize-128 sender at ~2,800 msgs/s (docs/PERFORMANCE.md). A timing test would be flaky;
 * this checks the cause.
 */
function watchNoDelay(): { peers: number[]; restore: () => void } {
  const peers: number[] = [];
  const original = Socket.prototype.setNoDelay;
  const spy = vi.spyOn(Socket.prototype, "setNoDelay").mockImplementation(function (this: Socket, noDelay?: boolean) {
    if (noDelay !== false && this.remotePort !== undefined) peers.push(this.remotePort);
    return original.call(this, noDelay);
  });
  return { peers, restore: () => spy.mockRestore() };
}

describe("RELP session, plain listener", () => {
  it("answers open with its offers and acks each syslog command only once the sink stored it, in order", async () => {
    const sink = new HeldSink();
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" }, { sink });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    expect(c.rsp(1)).toBe("200 OK\nrelp_version=0\nrelp_software=aws-syslog-receiver\ncommands=syslog");
    for (const n of [2, 3, 4]) c.send("syslog", msg(n));
    await until(() => sink.acks.length === 3, 5_000, "3 records in the sink");
    expect(c.frames).toHaveLength(1); // received, not yet stored: no ack
    sink.acks[1]!(null); // txnr 3 stored before txnr 2: still held back (order)
    sink.acks[2]!(new Error("stream\nrefused it"));
    await new Promise((r) => setTimeout(r, 50));
    expect(c.frames).toHaveLength(1);
    sink.acks[0]!(null);
    await c.waitFor(4);
    expect(c.summary()).toEqual(["1 rsp 200 OK", "2 rsp 200 OK", "3 rsp 200 OK", "4 rsp 500 stream refused it"]);
    const records = sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.message)).toEqual(["relp 2", "relp 3", "relp 4"]);
    expect(records[0]).toMatchObject({ listener: "relp", hostname: "web01", source_ip: "127.0.0.1", source_port: c.socket.localPort });
    expect(counter("receiver_relp_responses_total").get({ listener: "relp", status: "500" })).toBe(1);
    expect(t.rx.logs.some((l) => l.code === "RCV_RELP_RECORD_REJECTED" && l.level === 50)).toBe(true);
    c.send("close");
    await c.waitFor(5);
    expect(c.summary()[4]).toBe("5 rsp");
    await closed(c.socket);
  });

  it("switches Nagle's algorithm off on each RELP connection, plain and TLS", async () => {
    const noDelay = watchNoDelay();
    try {
      t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0", RECEIVER_RELP_TLS_PORT: "0" });
      const plain = await Client.connect(tcpClient(relpPort()));
      await plain.open();
      const tls = await Client.connect(tlsClient(t.rx.handle.addresses.relpTls!.port, t.pki, t.pki.clients.awsSyslog));
      await tls.open();
      expect(noDelay.peers).toEqual(expect.arrayContaining([plain.socket.localPort, tls.socket.localPort]));
    } finally {
      noDelay.restore();
    }
  });

  it("acks on receipt with RECEIVER_RELP_ACK=received", async () => {
    const sink = new HeldSink();
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0", RECEIVER_RELP_ACK: "received" }, { sink });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    c.send("syslog", msg(1));
    await c.waitFor(2);
    expect(c.rsp(2)).toBe("200 OK");
    expect(sink.acks).toHaveLength(0);
  });

  it("writes to the file sink and acks after the write", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    for (let n = 2; n <= 101; n++) c.send("syslog", msg(n));
    await c.waitFor(101);
    expect(t.rx.records().map((r) => r.message)).toEqual(Array.from({ length: 100 }, (_, i) => `relp ${i + 2}`));
    expect(c.frames.slice(1).every((f, i) => f.txnr === i + 2 && f.data.toString() === "200 OK")).toBe(true);
  });

  it("stops reading at RECEIVER_RELP_MAX_WINDOW unanswered commands and resumes as acks go out", async () => {
    const sink = new HeldSink();
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0", RECEIVER_RELP_MAX_WINDOW: "2" }, { sink });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    c.send("syslog", msg(2));
    await until(() => sink.lines.length === 1);
    c.send("syslog", msg(3));
    await until(() => counter("receiver_relp_window_full_total").get({ listener: "relp" }) === 1, 5_000, "window full");
    c.send("syslog", msg(4));
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.lines).toHaveLength(2); // paused: the third is still in the socket
    sink.acks[0]!(null);
    await until(() => sink.lines.length === 3, 5_000, "reading resumed");
    for (const a of sink.acks.slice(1)) a(null);
    await c.waitFor(4);
    expect(c.summary().slice(1)).toEqual(["2 rsp 200 OK", "3 rsp 200 OK", "4 rsp 200 OK"]);
  });

  it("sink over its budget: stops reading, so acks slow down and the sender's window fills", async () => {
    const sink = new HeldSink();
    sink.budgetLines = 2;
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" }, { sink });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    c.send("syslog", msg(2));
    c.send("syslog", msg(3));
    await until(() => sink.lines.length === 2, 5_000, "2 records");
    await until(() => counter("receiver_backpressure_pauses_total").total() === 1, 5_000, "pause counted");
    c.send("syslog", msg(4));
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.lines).toHaveLength(2); // paused while over budget
    expect(c.frames).toHaveLength(1); // and nothing acknowledged that is not stored
    sink.release(2);
    await until(() => sink.lines.length === 3, 5_000, "reading resumed on drain");
    sink.release(1);
    await c.waitFor(4);
    expect(c.summary().slice(1)).toEqual(["2 rsp 200 OK", "3 rsp 200 OK", "4 rsp 200 OK"]);
  });

  it("takes the sender's address from a PROXY header with RECEIVER_RELP_PROXY_PROTOCOL=required", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0", RECEIVER_RELP_PROXY_PROTOCOL: "required" });
    const c = await Client.connect(tcpClient(relpPort()));
    c.socket.write("PROXY TCP4 192.0.2.7 10.0.0.1 40001 2514\r\n");
    await c.open();
    c.send("syslog", msg(2));
    await c.waitFor(2);
    expect(t.rx.records()[0]).toMatchObject({ listener: "relp", source_ip: "192.0.2.7", source_port: 40001 });
  });

  it("drain: answers what the sink stored, then serverclose, then closes", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    for (let n = 2; n <= 11; n++) c.send("syslog", msg(n));
    await until(() => t.rx!.records().length === 10, 5_000, "10 records");
    const stopped = t.rx.handle.stop();
    await closed(c.socket);
    expect(await stopped).toBe(true);
    t.rx = undefined;
    const summary = c.summary();
    expect(summary.at(-1)).toBe("0 serverclose");
    expect(summary.filter((s) => s.endsWith("rsp 200 OK"))).toHaveLength(11);
  });
});

describe("RELP drain with a sender that keeps its side open after serverclose", () => {
  it("cuts the connection after a grace period, and the stop completes", async () => {
    // A long drain deadline: without the grace period the stop would wait for it.
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0", RECEIVER_DRAIN_TIMEOUT_MS: "120000" });
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port: relpPort(), allowHalfOpen: true }, () => resolve(s));
      s.once("error", reject);
    });
    const c = await Client.connect(Promise.resolve(socket));
    await c.open();
    const ended = new Promise<void>((resolve) => socket.once("end", () => resolve()));
    const stopped = t.rx.handle.stop();
    await ended; // serverclose arrived, and we do not close our side
    expect(c.summary().at(-1)).toBe("0 serverclose");
    await until(() => t.rx!.logs.some((l) => l.event === "connection_closed" && l.listener === "relp"), 10_000, "the receiver to close the connection");
    expect(await stopped).toBe(true);
    t.rx = undefined;
    socket.destroy();
  });
});

describe("RELP bad input: a reply or a close, a log line with the reason, a counter, never a crash", () => {
  const errors = (code: string) => counter("receiver_relp_protocol_errors_total").get({ listener: "relp", code });

  it.each([
    ["syslog before open", (c: Client) => c.send("syslog", msg(1)), "RCV_RELP_NOT_OPEN", ["1 rsp 500 session not open", "0 serverclose"]],
    ["open without commands=syslog", (c: Client) => c.send("open", "relp_version=0\ncommands=foo"), "RCV_RELP_OFFER_INVALID", ["1 rsp 500 required command not supported by client", "0 serverclose"]],
    ["out-of-order TXNR", (c: Client) => { c.send("open", OFFERS); c.send("syslog", msg(1), 5); }, "RCV_RELP_TXNR_INVALID", ["1 rsp 200 OK", "0 serverclose"]],
    ["repeated TXNR", (c: Client) => { c.send("open", OFFERS); c.send("syslog", msg(1), 1); }, "RCV_RELP_TXNR_INVALID", ["1 rsp 200 OK", "0 serverclose"]],
    ["malformed frame", (c: Client) => c.socket.write("1 open x\n"), "RCV_RELP_FRAME_INVALID", ["0 serverclose"]],
    ["syslog frame without trailing LF", (c: Client) => { c.send("open", OFFERS); c.socket.write("2 syslog 3 abcX"); }, "RCV_RELP_FRAME_INVALID", ["1 rsp 200 OK", "0 serverclose"]],
    ["over-size DATALEN whose data is not followed by LF", (c: Client) => { c.send("open", OFFERS); c.socket.write(`2 syslog 70000 ${"x".repeat(70_000)}X`); }, "RCV_RELP_FRAME_INVALID", ["1 rsp 200 OK", "0 serverclose"]],
  ])("%s", async (_name, act, code, expected) => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" });
    const c = await Client.connect(tcpClient(relpPort()));
    act(c);
    await closed(c.socket);
    expect(c.summary()).toEqual(expected);
    expect(errors(code)).toBe(1);
    expect(t.rx.logs.some((l) => l.code === code && l.event === "relp_protocol_error")).toBe(true);
    // The receiver keeps serving.
    const good = await Client.connect(tcpClient(relpPort()));
    await good.open();
    expect(good.rsp(1)).toMatch(/^200 OK/);
    good.socket.destroy();
  });

  it("answers an unknown command with 500 and keeps the session", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    c.send("starttls");
    c.send("syslog", msg(3));
    await c.waitFor(3);
    expect(c.summary()).toEqual(["1 rsp 200 OK", "2 rsp 500 command not supported", "3 rsp 200 OK"]);
    expect(errors("RCV_RELP_COMMAND_UNKNOWN")).toBe(1);
  });

  it("counts a connection closed inside a frame", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    c.socket.end("2 syslog 100 <13>cut");
    await closed(c.socket);
    await until(() => errors("RCV_RELP_FRAME_INCOMPLETE") === 1, 5_000, "incomplete frame counted");
    expect(t.rx.records()).toEqual([]);
  });

  it("refuses TLS on the plain RELP port", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" });
    await tlsClient(relpPort(), t.pki).then((s) => closed(s)).catch(() => undefined);
    await until(() => counter("receiver_connections_refused_total").get({ listener: "relp", reason: "RCV_WRONG_PROTOCOL" }) === 1, 5_000, "refusal counted");
  });
});

describe("RELP over-size syslog commands (DATALEN over RECEIVER_MAX_FRAME_BYTES)", () => {
  const big = (n: number) => `${msg(n)} ${"x".repeat(3_000)}`;
  const tooLarge = (policy: string) => counter("receiver_framing_events_total").get({ code: "RCV_RELP_FRAME_TOO_LARGE", policy });

  it("truncate (default): stores the first RECEIVER_MAX_FRAME_BYTES bytes flagged truncated, answers 200, the session goes on", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0", RECEIVER_MAX_FRAME_BYTES: "1024" });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    c.send("syslog", msg(2));
    // Sent in pieces: the skipped tail spans reads.
    const frame = encodeRelpFrame(3, "syslog", big(3));
    c.socket.write(frame.subarray(0, 500));
    await new Promise((r) => setTimeout(r, 20));
    c.socket.write(frame.subarray(500));
    c.send("syslog", msg(4), 4);
    await c.waitFor(4);
    expect(c.summary()).toEqual(["1 rsp 200 OK", "2 rsp 200 OK", "3 rsp 200 OK", "4 rsp 200 OK"]);
    const records = t.rx.records();
    expect(records.map((r) => r.truncated)).toEqual([undefined, true, undefined]);
    expect(String(records[1]!.message)).toMatch(/^relp 3 x+$/);
    expect(Buffer.byteLength(String(records[1]!.raw ?? records[1]!.message))).toBeLessThanOrEqual(1024);
    expect(records[2]!.message).toBe("relp 4");
    expect(tooLarge("truncate")).toBe(1);
    expect(t.rx.logs.some((l) => l.code === "RCV_RELP_FRAME_TOO_LARGE" && l.frameBytes === Buffer.byteLength(big(3)) && l.level === 40)).toBe(true);
  });

  it("drop: stores nothing for it, answers 200 with a note so the sender moves on, counts and logs it", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0", RECEIVER_MAX_FRAME_BYTES: "1024", RECEIVER_OVERSIZE_POLICY: "drop" });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    c.send("syslog", big(2));
    c.send("syslog", msg(3));
    await c.waitFor(3);
    expect(c.summary()).toEqual(["1 rsp 200 OK", "2 rsp 200 OK - dropped: over RECEIVER_MAX_FRAME_BYTES", "3 rsp 200 OK"]);
    expect(t.rx.records().map((r) => r.message)).toEqual(["relp 3"]);
    expect(tooLarge("drop")).toBe(1);
    expect(t.rx.logs.some((l) => l.code === "RCV_RELP_FRAME_TOO_LARGE" && l.policy === "drop")).toBe(true);
  });

  it("a huge DATALEN is skipped without buffering it", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0", RECEIVER_MAX_FRAME_BYTES: "1024" });
    const c = await Client.connect(tcpClient(relpPort()));
    await c.open();
    const size = 8 * 1024 * 1024;
    c.socket.write(`2 syslog ${size} ${msg(2)} `);
    const block = Buffer.alloc(64 * 1024, 0x79);
    let left = size - Buffer.byteLength(`${msg(2)} `);
    while (left > 0) {
      const n = Math.min(left, block.length);
      if (!c.socket.write(block.subarray(0, n))) await new Promise((r) => c.socket.once("drain", r));
      left -= n;
    }
    c.socket.write("\n");
    c.send("syslog", msg(3), 3);
    await c.waitFor(3);
    expect(c.summary()).toEqual(["1 rsp 200 OK", "2 rsp 200 OK", "3 rsp 200 OK"]);
    expect(t.rx.records().map((r) => r.truncated === true)).toEqual([true, false]);
  });
});

describe("TXNR", () => {
  it("wraps from 999,999,999 to 1 as librelp does", () => {
    expect(nextTxnr(1)).toBe(2);
    expect(nextTxnr(RELP_MAX_TXNR)).toBe(1);
  });
});

describe("RELP over TLS", () => {
  it("runs the same session after the handshake, with tls_peer from the client certificate", async () => {
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_TLS_PORT: "0", RECEIVER_TLS_AUTH_MODE: "x509/name", RECEIVER_TLS_PERMITTED_PEERS: "aws-syslog" });
    const port = t.rx.handle.addresses.relpTls!.port;
    const c = await Client.connect(tlsClient(port, t.pki, t.pki.clients.awsSyslog));
    await c.open();
    c.send("syslog", msg(2));
    await c.waitFor(2);
    expect(c.rsp(2)).toBe("200 OK");
    expect(t.rx.records()[0]).toMatchObject({ listener: "relp-tls", tls_peer: "aws-syslog", message: "relp 2" });
    // Plain RELP on the TLS port is refused.
    const plain = await tcpClient(port);
    plain.write(encodeRelpFrame(1, "open", OFFERS));
    await closed(plain);
    await until(() => t.rx!.logs.some((l) => l.code === "RCV_WRONG_PROTOCOL" || l.event === "tls_handshake_failed"), 5_000, "refusal logged");
  });
});
