import type { Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import type { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { pino } from "pino";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestReceiver, tcpClient, until, type TestReceiver } from "../../test/harness.js";
import { makePki, type Pki } from "../../test/pki.js";
import { Registry } from "../metrics.js";
import { firehoseSinkConfigSchema } from "../sinks/firehose/config.js";
import { FirehoseSink } from "../sinks/firehose/firehose-sink.js";
import { encodeRelpFrame, RelpParser } from "./relp-parser.js";

/**
 * RELP with the Firehose sink: an omrelp sender with window W stops at W unanswered messages,
 * and answers come only once the Firehose record holding them is accepted. With a linger of a
 * minute, a sender of N messages would need N/W minutes; the flush hint (Sink.flushSoon) lets it
 * finish in none. Asserted on what happened (records sealed and why, calls), not on time: the
 * test's own timeout is far below a single linger.
 */
let pki: Pki;
let rx: TestReceiver | undefined;
beforeAll(() => {
  pki = makePki();
});
afterEach(async () => {
  await rx?.handle.stop();
  rx = undefined;
});

const OFFERS = "relp_version=0\nrelp_software=librelp,1.11.0\ncommands=syslog";
const LINGER_MS = 60_000;

function firehoseSink(ackLingerMs: number) {
  const calls: string[][][] = [];
  const client = {
    send: async (cmd: PutRecordBatchCommand) => {
      calls.push(cmd.input.Records!.map((r) => gunzipSync(r.Data!).toString("utf8").split("\n").slice(0, -1)));
      return { FailedPutCount: 0, RequestResponses: cmd.input.Records!.map(() => ({ RecordId: "r" })), $metadata: {} };
    },
    destroy: () => {},
  } as unknown as FirehoseClient;
  const metrics = new Registry();
  const config = firehoseSinkConfigSchema.parse({ streams: "s", lingerMs: LINGER_MS, ackLingerMs });
  const sink = new FirehoseSink(config, { client, logger: pino({ level: "silent" }), metrics });
  const sealed = (reason: string) => metrics.toJSON().receiver_firehose_records_sealed_total?.[`reason="${reason}"`] ?? 0;
  return { sink, calls, sealed };
}

/** An omrelp-like sender: at most `window` syslog commands unanswered; returns the 200s seen. */
async function sendWindowed(socket: Socket, messages: number, window: number): Promise<number> {
  let txnr = 0;
  let answered = 0;
  let ok = 0;
  const parser = new RelpParser(1 << 20, {
    frame: (f) => {
      if (f.command !== "rsp") return;
      answered += 1;
      if (f.txnr > 1 && f.data.toString().startsWith("200")) ok += 1;
    },
    error: () => undefined,
  });
  socket.on("data", (c: Buffer) => parser.push(c));
  socket.write(encodeRelpFrame(++txnr, "open", OFFERS));
  await until(() => answered === 1, 5_000, "the answer to open");
  let sent = 0;
  while (sent < messages) {
    const burst = Math.min(window - (sent - (answered - 1)), messages - sent);
    const frames: Buffer[] = [];
    for (let i = 0; i < burst; i += 1) frames.push(encodeRelpFrame(++txnr, "syslog", `<134>1 2026-11-23T10:00:00.123Z web01 app 42 - - relp ${sent++}`));
    if (frames.length > 0) socket.write(Buffer.concat(frames));
    // The window is full (or everything is sent): wait for an answer, as omrelp does.
    const before = answered;
    await until(() => answered > before || answered - 1 === messages, 10_000, "an answer while the window is full");
  }
  await until(() => answered - 1 === messages, 10_000, "every answer");
  socket.destroy();
  return ok;
}

describe("RELP with the Firehose sink", () => {
  it("a sender with a small window finishes in far fewer lingers than N/W: records are hurried while it waits on answers", async () => {
    const fh = firehoseSink(1);
    rx = await startTestReceiver(pki, { RECEIVER_RELP_PORT: "0" }, { sink: fh.sink });
    const N = 60;
    const W = 4;
    const ok = await sendWindowed(await tcpClient(rx.handle.addresses.relp!.port), N, W);
    expect(ok).toBe(N);
    // No record waited for the one-minute linger; each window went out hurried.
    expect(fh.sealed("linger")).toBe(0);
    expect(fh.sealed("ack_wait")).toBeGreaterThanOrEqual(N / W);
    const lines = fh.calls.flat(2);
    expect(lines).toHaveLength(N);
    // Whole windows share records: never more records than messages, and a record never holds
    // more than one window (the sender had no more unanswered).
    const records = fh.calls.flat(1);
    expect(records.length).toBeLessThanOrEqual(N);
    expect(Math.max(...records.map((r) => r.length))).toBeLessThanOrEqual(W);
  }, 30_000);

  it("does not hurry records when RELP answers on receipt (nothing waits on the sink)", async () => {
    const fh = firehoseSink(1);
    rx = await startTestReceiver(pki, { RECEIVER_RELP_PORT: "0", RECEIVER_RELP_ACK: "received" }, { sink: fh.sink });
    const ok = await sendWindowed(await tcpClient(rx.handle.addresses.relp!.port), 20, 4);
    expect(ok).toBe(20);
    expect(fh.sealed("ack_wait")).toBe(0);
    await fh.sink.flush();
    expect(fh.sealed("flush")).toBe(1);
    expect(fh.calls.flat(2)).toHaveLength(20);
  }, 30_000);

  it("keeps the linger when the ack linger is not shorter (hint off)", async () => {
    const fh = firehoseSink(LINGER_MS);
    rx = await startTestReceiver(pki, { RECEIVER_RELP_PORT: "0" }, { sink: fh.sink });
    const socket = await tcpClient(rx.handle.addresses.relp!.port);
    let answers = 0;
    const parser = new RelpParser(1 << 20, { frame: () => void (answers += 1), error: () => undefined });
    socket.on("data", (c: Buffer) => parser.push(c));
    socket.write(Buffer.concat([encodeRelpFrame(1, "open", OFFERS), encodeRelpFrame(2, "syslog", "<134>1 - h a p - - one")]));
    await until(() => answers === 1 && fh.sink.pendingBytes > 0, 5_000, "the open answer and the line in the sink");
    expect(fh.sealed("ack_wait")).toBe(0);
    expect(fh.calls).toHaveLength(0);
    socket.destroy();
  }, 30_000);
});
