import { gunzipSync } from "node:zlib";
import type { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { startTestReceiver, tcpClient, until } from "../../test/harness.js";
import { Registry } from "../metrics.js";
import { firehoseSinkConfigSchema } from "../sinks/firehose/config.js";
import { FirehoseSink } from "../sinks/firehose/firehose-sink.js";
import { encodeRelpFrame } from "./relp-parser.js";
import { receiverPerTest } from "../../test/receiver-per-test.js";
import { Client, OFFERS } from "./testing/relp-client.js";

/**
 * RELP with the Firehose sink: an omrelp sender with window W stops at W unanswered messages,
 * and answers come only once the Firehose record holding them is accepted. With a linger of a
 * minute, a sender of N messages would need N/W minutes; the flush hint (Sink.flushSoon) lets it
 * finish in none. Asserted on what happened (records sealed and why, calls), not on time: the
 * test's own timeout is far below a single linger.
 */
const t = receiverPerTest();
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
async function sendWindowed(c: Client, messages: number, window: number): Promise<number> {
  const answers = () => c.frames.filter((f) => f.command === "rsp");
  let answered = 0;
  c.send("open", OFFERS);
  await until(() => (answered = answers().length) === 1, 5_000, "the answer to open");
  let txnr = 1;
  let sent = 0;
  while (sent < messages) {
    const burst = Math.min(window - (sent - (answered - 1)), messages - sent);
    const frames: Buffer[] = [];
    for (let i = 0; i < burst; i += 1) frames.push(encodeRelpFrame(++txnr, "syslog", `<134>1 2026-11-23T10:00:00.123Z web01 app 42 - - relp ${sent++}`));
    if (frames.length > 0) c.socket.write(Buffer.concat(frames));
    // The window is full (or everything is sent): wait for an answer, as omrelp does.
    const before = answered;
    await until(() => (answered = answers().length) > before || answered - 1 === messages, 10_000, "an answer while the window is full");
  }
  await until(() => (answered = answers().length) - 1 === messages, 10_000, "every answer");
  c.socket.destroy();
  return answers().filter((f) => f.txnr > 1 && f.data.toString().startsWith("200")).length;
}

describe("RELP with the Firehose sink", () => {
  it("a sender with a small window finishes in far fewer lingers than N/W: records are hurried while it waits on answers", async () => {
    const fh = firehoseSink(1);
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" }, { sink: fh.sink });
    const N = 60;
    const W = 4;
    const ok = await sendWindowed(await Client.connect(tcpClient(t.rx.handle.addresses.relp!.port)), N, W);
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
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0", RECEIVER_RELP_ACK: "received" }, { sink: fh.sink });
    const ok = await sendWindowed(await Client.connect(tcpClient(t.rx.handle.addresses.relp!.port)), 20, 4);
    expect(ok).toBe(20);
    expect(fh.sealed("ack_wait")).toBe(0);
    await fh.sink.flush();
    expect(fh.sealed("flush")).toBe(1);
    expect(fh.calls.flat(2)).toHaveLength(20);
  }, 30_000);

  it("keeps the linger when the ack linger is not shorter (hint off)", async () => {
    const fh = firehoseSink(LINGER_MS);
    t.rx = await startTestReceiver(t.pki, { RECEIVER_RELP_PORT: "0" }, { sink: fh.sink });
    const c = await Client.connect(tcpClient(t.rx.handle.addresses.relp!.port));
    c.socket.write(Buffer.concat([encodeRelpFrame(1, "open", OFFERS), encodeRelpFrame(2, "syslog", "<134>1 - h a p - - one")]));
    await until(() => c.frames.length === 1 && fh.sink.pendingBytes > 0, 5_000, "the open answer and the line in the sink");
    expect(fh.sealed("ack_wait")).toBe(0);
    expect(fh.calls).toHaveLength(0);
    c.socket.destroy();
  }, 30_000);
});
