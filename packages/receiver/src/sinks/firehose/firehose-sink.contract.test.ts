import { gunzipSync, gzipSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import {
  FirehoseClient,
  InvalidArgumentException,
  PutRecordBatchCommand,
  ResourceNotFoundException,
  ServiceUnavailableException,
  type PutRecordBatchCommandInput,
  type PutRecordBatchCommandOutput,
} from "@aws-sdk/client-firehose";
import { mockClient } from "aws-sdk-client-mock";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Registry } from "../../metrics.js";
import { MAX_BATCH_DATA_BYTES, MAX_RECORD_DATA_BYTES, MAX_RECORD_PAYLOAD_BYTES, MAX_RECORDS_PER_BATCH } from "../../batch/firehose-limits.js";
import { firehoseSinkConfigSchema } from "./config.js";
import { FirehoseSink } from "./firehose-sink.js";

type Reply = Partial<PutRecordBatchCommandOutput> | Error | "hang";
interface Call {
  stream: string;
  /** Per record: its NDJSON lines. */
  records: string[][];
  dataBytes: number[];
}

/** A sink over a mocked client. `answer` decides each call's reply (default: all accepted). */
function setup(
  config: Record<string, unknown> = {},
  answer: (call: Call, n: number) => Reply | Promise<Reply> = () => ({}),
  random: () => number = () => 0,
) {
  const client = new FirehoseClient({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const mock = mockClient(client);
  const calls: Call[] = [];
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
  mock.on(PutRecordBatchCommand).callsFake(async (input: PutRecordBatchCommandInput) => {
    const call: Call = {
      stream: input.DeliveryStreamName!,
      records: input.Records!.map((r) => gunzipSync(r.Data!).toString().split("\n").slice(0, -1)),
      dataBytes: input.Records!.map((r) => r.Data!.byteLength),
    };
    calls.push(call);
    const reply = await answer(call, calls.length);
    if (reply === "hang") return new Promise(() => {});
    if (reply instanceof Error) throw reply;
    return { FailedPutCount: 0, RequestResponses: call.records.map(() => ({ RecordId: "id" })), ...reply };
  });
  const metrics = new Registry();
  const sink = new FirehoseSink(firehoseSinkConfigSchema.parse({ streams: "s1", lingerMs: 60_000, retryBaseMs: 10, retryMaxMs: 100, ...config }), {
    client,
    logger,
    metrics,
    random,
    // Synchronous gzip behind a promise: deterministic, still one member per record.
    compress: async (payload, level) => gzipSync(payload, { level }),
  });
  const acks: (Error | null)[] = [];
  const write = (line: string) => sink.write(line, (err) => acks.push(err));
  return { sink, calls, logs, metrics, acks, write };
}

const line = (n: number, pad = 0) => JSON.stringify({ n, message: "x".repeat(pad) }) + "\n";
const ids = (c: Call) => c.records.map((r) => r.map((l) => (JSON.parse(l) as { n: number }).n));
const settle = () => new Promise((r) => setImmediate(r));
const partial = (codes: (string | undefined)[]): Partial<PutRecordBatchCommandOutput> => ({
  FailedPutCount: codes.filter(Boolean).length,
  RequestResponses: codes.map((c) => (c ? { ErrorCode: c, ErrorMessage: "failed" } : { RecordId: "id" })),
});

afterEach(() => vi.useRealTimers());

describe("FirehoseSink against PutRecordBatch", () => {
  it("packs many lines into one gzip member per record and acks them once accepted", async () => {
    const { sink, calls, acks, write, metrics } = setup();
    for (let i = 0; i < 1000; i += 1) write(line(i, 280));
    expect(acks).toHaveLength(0);
    await sink.flush();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.records).toHaveLength(1);
    expect(ids(calls[0]!)[0]).toEqual([...Array(1000).keys()]);
    expect(acks).toEqual(new Array(1000).fill(null));
    let payload = 0;
    for (let i = 0; i < 1000; i += 1) payload += Buffer.byteLength(line(i, 280));
    expect(metrics.toJSON().receiver_firehose_payload_bytes_total![""]).toBe(payload);
    const billed = metrics.toJSON().receiver_firehose_billed_bytes_total![""]!;
    expect(billed % 5120).toBe(0);
    expect(billed / payload).toBeLessThan(0.25);
    expect(sink.pendingBytes).toBe(0);
  });

  it("never splits a line and keeps members concatenable into one gzip file", async () => {
    const { sink, calls, write } = setup({ recordMaxBytes: 4096 });
    const lines = Array.from({ length: 300 }, (_, i) => line(i, i % 97));
    for (const l of lines) write(l);
    await sink.flush();
    const all = calls.flatMap((c) => c.records.flat().map((l) => l + "\n"));
    expect(all).toEqual(lines);
    const members: Buffer[] = [];
    for (const c of calls) for (const r of c.records) members.push(gzipSync(r.map((l) => l + "\n").join("")));
    expect(gunzipSync(Buffer.concat(members)).toString()).toBe(lines.join(""));
    for (const c of calls) for (const r of c.records) expect(Buffer.byteLength(r.join("\n") + "\n")).toBeLessThanOrEqual(4096);
  });

  it("resends only the failed entries, in order, before any newer record", async () => {
    let open!: (r: Reply) => void;
    const gate = new Promise<Reply>((r) => (open = r));
    const { sink, calls, acks, write, metrics } = setup({ recordMaxBytes: 1024, maxInFlight: 1 }, (_c, n) => (n === 1 ? gate : {}));
    for (let i = 1; i <= 5; i += 1) write(line(i, 600)); // one line per record
    void sink.flush();
    await settle();
    expect(ids(calls[0]!)).toEqual([[1], [2], [3], [4], [5]]);
    for (let i = 6; i <= 8; i += 1) write(line(i, 600));
    const flushed = sink.flush();
    await settle();
    expect(calls).toHaveLength(1); // maxInFlight 1: the newer records wait
    open(partial([undefined, "InternalFailure", undefined, "ServiceUnavailableException", undefined]));
    await flushed;
    expect(ids(calls[1]!)).toEqual([[2], [4], [6], [7], [8]]);
    expect(acks.filter((a) => a === null)).toHaveLength(8);
    const m = metrics.toJSON();
    expect(m.receiver_firehose_retries_total).toEqual({ 'reason="internal"': 1, 'reason="throttled"': 1 });
    expect(m.receiver_firehose_failed_entries_total).toEqual({ 'error_code="InternalFailure"': 1, 'error_code="ServiceUnavailableException"': 1 });
    expect(m.receiver_firehose_lines_accepted_total![""]).toBe(8);
  });

  it("retries whole-call throttling and 500s with back-off, without loss or reordering", async () => {
    const failures = [
      new ServiceUnavailableException({ message: "Slow down.", $metadata: { httpStatusCode: 503 } }),
      Object.assign(new Error("We encountered an internal error"), { name: "InternalFailure", $metadata: { httpStatusCode: 500 } }),
      Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }),
    ];
    const { sink, calls, acks, write, metrics } = setup({ recordMaxBytes: 2048 }, (_c, n) => failures[n - 1] ?? {});
    for (let i = 0; i < 50; i += 1) write(line(i, 100));
    await sink.flush();
    expect(calls).toHaveLength(4);
    for (const c of calls) expect(ids(c)).toEqual(ids(calls[0]!)); // the same records, same order
    expect(ids(calls[3]!).flat()).toEqual([...Array(50).keys()]);
    expect(acks).toEqual(new Array(50).fill(null));
    expect(metrics.toJSON().receiver_firehose_call_errors_total).toEqual({ 'reason="throttled"': 2, 'reason="server_error"': 1 });
    expect(metrics.toJSON().receiver_firehose_duplicate_lines_possible_total ?? {}).toEqual({});
  });

  it("times out a call that never answers, resends it and counts possible duplicates", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { sink, calls, acks, write, metrics } = setup({ requestTimeoutMs: 5000 }, (_c, n) => (n === 1 ? "hang" : {}));
    for (let i = 0; i < 10; i += 1) write(line(i));
    const flushed = sink.flush();
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toHaveLength(1);
    expect(acks).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1); // the call times out: back-off (≥ 1 ms), then resent
    await vi.advanceTimersByTimeAsync(10);
    await flushed;
    expect(calls).toHaveLength(2);
    expect(ids(calls[1]!)).toEqual(ids(calls[0]!));
    expect(acks).toEqual(new Array(10).fill(null));
    expect(metrics.toJSON().receiver_firehose_duplicate_lines_possible_total![""]).toBe(10);
    expect(metrics.toJSON().receiver_firehose_retries_total).toEqual({ 'reason="timeout"': 1 });
  });

  it("keeps data, pushes back and logs one ERROR while a stream is missing; resumes when fixed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let broken = true;
    const missing = () => new ResourceNotFoundException({ message: "Firehose s1 not found under account 123456789012.", $metadata: {} });
    const { sink, calls, acks, write, logs, metrics } = setup({ retryMaxMs: 1000 }, () => (broken ? missing() : {}));
    const drained = vi.fn();
    sink.on("drain", drained);
    expect(write(line(1))).toBe(true);
    const flushed = sink.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    expect(write(line(2))).toBe(false); // stalled: backpressure although far below the budget
    void sink.flush();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls.length).toBeGreaterThan(3); // probed about once per retryMaxMs
    expect(calls.length).toBeLessThan(15);
    expect(acks).toHaveLength(0); // nothing dropped, nothing acked
    const errors = logs.filter((l) => l.level === 50);
    expect(errors.map((l) => l.code)).toEqual(["RCV_FIREHOSE_STREAM_UNUSABLE", "RCV_FIREHOSE_DELIVERY_STALLED"]);
    expect(String(errors[0]!.cause)).toBe("ResourceNotFoundException");
    expect(metrics.toJSON().receiver_firehose_stalled![""]).toBe(1);
    broken = false;
    await vi.advanceTimersByTimeAsync(1000);
    await flushed;
    expect(acks).toEqual([null, null]);
    expect(drained).toHaveBeenCalledTimes(1);
    expect(metrics.toJSON().receiver_firehose_stalled![""]).toBe(0);
  });

  it("reports a record over its retry budget at ERROR, pushes back, and resumes once it is accepted", async () => {
    let whileStalled: boolean | undefined;
    const throttled = partial(["ServiceUnavailableException"]);
    const ctx = setup({ maxRetries: 1 }, (_c, n) => {
      if (n === 3) whileStalled = ctx.write(line(99));
      return n <= 2 ? throttled : {};
    });
    const drained = vi.fn();
    ctx.sink.on("drain", drained);
    ctx.write(line(1));
    await ctx.sink.flush();
    await ctx.sink.flush();
    expect(whileStalled).toBe(false);
    expect(ctx.logs.filter((l) => l.level === 50).map((l) => l.code)).toEqual(["RCV_FIREHOSE_DELIVERY_STALLED"]);
    expect(ctx.acks).toEqual([null, null]);
    expect(drained).toHaveBeenCalledTimes(1);
    expect(ctx.metrics.toJSON().receiver_firehose_stalled![""]).toBe(0);
  });

  it("sends to the other streams while one is unusable (round-robin with per-stream back-off)", async () => {
    const { sink, calls, acks, write } = setup({ streams: "a,b", recordMaxBytes: 1024, maxInFlight: 1, retryMaxMs: 60_000 }, (c) =>
      c.stream === "a" ? Object.assign(new Error("denied"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }) : {},
    );
    for (let i = 0; i < 6; i += 1) {
      write(line(i, 600));
      await sink.flush();
    }
    expect(acks).toEqual(new Array(6).fill(null));
    expect(calls.filter((c) => c.stream === "a")).toHaveLength(1); // probed again only after ~retryMaxMs
    expect(calls.filter((c) => c.stream === "b").length).toBe(6);
  });

  it("at the close deadline acks what is left with an error and logs the count at ERROR", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const slowDown = () => new ServiceUnavailableException({ message: "Slow down.", $metadata: {} });
    const { sink, acks, write, logs, metrics } = setup({ closeTimeoutMs: 3000 }, slowDown, () => 0.5);
    for (let i = 0; i < 7; i += 1) write(line(i));
    const closed = sink.close(); // closeTimeoutMs 3000
    await vi.advanceTimersByTimeAsync(2999);
    expect(acks).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await closed;
    expect(acks).toHaveLength(7);
    expect(acks.every((a) => a instanceof Error && (a as Error & { code: string }).code === "RCV_FIREHOSE_UNDELIVERED")).toBe(true);
    const gaveUp = logs.find((l) => l.code === "RCV_FIREHOSE_UNDELIVERED");
    expect(gaveUp).toMatchObject({ level: 50, lines: 7, records: 1 });
    expect(metrics.toJSON().receiver_firehose_give_up_lines_total).toEqual({ 'reason="shutdown"': 7 });
    expect(sink.pendingBytes).toBe(0);
    expect(write(line(8))).toBe(false); // closed: refused, with an error ack
    expect(acks).toHaveLength(8);
  });

  it("applies the byte budget: write() turns false, drain follows acceptance", async () => {
    let open!: (r: Reply) => void;
    const gate = new Promise<Reply>((r) => (open = r));
    const { sink, write } = setup({ bufferBytes: 1_048_576 }, (_c, n) => (n === 1 ? gate : {}));
    const drained = vi.fn();
    sink.on("drain", drained);
    let n = 0;
    while (write(line(n++, 1000))) expect(n).toBeLessThan(2000);
    expect(sink.pendingBytes).toBeGreaterThanOrEqual(1_048_576);
    expect(drained).not.toHaveBeenCalled();
    open({});
    await sink.flush();
    expect(drained).toHaveBeenCalledTimes(1);
    expect(sink.pendingBytes).toBe(0);
  });
  it("ships the open record once when the budget is reached, not one record per line written over it", async () => {
    let open!: (r: Reply) => void;
    const gate = new Promise<Reply>((r) => (open = r));
    const { sink, calls, write, metrics } = setup({ bufferBytes: 1_048_576 }, (_c, n) => (n === 1 ? gate : {}));
    let n = 0;
    while (write(line(n++, 1000))) expect(n).toBeLessThan(2000);
    // The rest of a socket chunk still arrives after write() turned false.
    for (let i = 0; i < 50; i += 1) expect(write(line(n++, 1000))).toBe(false);
    const sealed = () => metrics.toJSON().receiver_firehose_records_sealed_total ?? {};
    expect(sealed()['reason="budget"']).toBe(1);
    open({});
    await sink.flush();
    expect(sealed()['reason="budget"']).toBe(1);
    expect(sealed()['reason="flush"']).toBe(1);
    // The 50 lines written over the budget went out together, in one record.
    expect(calls.flatMap((c) => c.records).at(-1)).toHaveLength(50);
  });
});

describe("FirehoseSink gathering records between calls", () => {
  /** Each ~930-byte line fills a 1,024-byte record: one record per line. */
  function started(gates: Promise<Reply>[]) {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    return setup({ recordMaxBytes: 1024 }, (_c, n) => gates[n - 1] ?? {});
  }

  it("sends the records that gathered while a call was out in one call once it is answered", async () => {
    let answer!: (r: Reply) => void;
    const { sink, calls, write, acks } = started([new Promise<Reply>((r) => (answer = r))]);
    write(line(0, 900));
    void sink.flush();
    await settle();
    expect(calls).toHaveLength(1);
    for (let i = 1; i <= 3; i += 1) write(line(i, 900));
    const flushed = sink.flush();
    await settle();
    expect(calls).toHaveLength(1); // gathering: the first call is young and 3 records fill no call
    answer({});
    await flushed;
    expect(calls.map(ids)).toEqual([[[0]], [[1], [2], [3]]]);
    expect(acks).toEqual([null, null, null, null]);
  });

  it("does not let a slow call hold the others back for more than the gathering time", async () => {
    const { sink, calls, write } = started([new Promise<Reply>(() => {})]);
    write(line(0, 900));
    void sink.flush();
    await settle();
    for (let i = 1; i <= 3; i += 1) write(line(i, 900));
    void sink.flush();
    await settle();
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(99);
    await settle();
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await settle();
    expect(calls.map(ids)).toEqual([[[0]], [[1], [2], [3]]]); // the second call went while the first hangs
    vi.useRealTimers();
    await sink.close(0);
  });

  it("sends a full call at once even while another is out", async () => {
    const { sink, calls, write } = started([new Promise<Reply>(() => {})]);
    write(line(0, 900));
    void sink.flush();
    await settle();
    for (let i = 1; i <= MAX_RECORDS_PER_BATCH; i += 1) write(line(i, 900));
    void sink.flush();
    await settle();
    expect(calls.map((c) => c.records.length)).toEqual([1, MAX_RECORDS_PER_BATCH]);
    vi.useRealTimers();
    await sink.close(0);
  });
});

describe("FirehoseSink at the PutRecordBatch limits", () => {
  it("sends 500 records in one call and the 501st in the next", async () => {
    const { sink, calls, acks, write } = setup({ recordMaxBytes: 1024 });
    for (let i = 0; i < 501; i += 1) write(line(i, 600));
    await sink.flush();
    expect(calls.map((c) => c.records.length)).toEqual([MAX_RECORDS_PER_BATCH, 1]);
    expect(calls.flatMap(ids).flat()).toEqual([...Array(501).keys()]);
    expect(acks).toHaveLength(501);
  });

  it("keeps each call within 4 MiB and each record within 1,000 KiB for incompressible data", async () => {
    const { sink, calls, acks, write } = setup();
    // Random latin1 text hardly compresses: records near the payload limit stay near
    // 1,000 KiB after gzip, so calls fill up to the 4 MiB limit.
    const big = (n: number) => JSON.stringify({ n, message: randomBytes(200_000).toString("latin1") }) + "\n";
    for (let i = 0; i < 30; i += 1) write(big(i));
    await sink.flush();
    expect(acks).toEqual(new Array(30).fill(null));
    expect(Math.max(...calls.map((c) => c.records.length))).toBeGreaterThan(1);
    for (const c of calls) {
      expect(c.dataBytes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_BATCH_DATA_BYTES);
      for (const d of c.dataBytes) expect(d).toBeLessThanOrEqual(MAX_RECORD_DATA_BYTES);
    }
    expect(calls.flatMap(ids).flat()).toEqual([...Array(30).keys()]);
  });

  it("takes a line of exactly the record payload size and truncates one byte over, flagged", async () => {
    const { sink, calls, write, metrics, logs } = setup();
    const exact = (n: number, size: number) => {
      const base = JSON.stringify({ n, message: "" }) + "\n";
      return JSON.stringify({ n, message: "y".repeat(size - Buffer.byteLength(base)) }) + "\n";
    };
    write(exact(1, MAX_RECORD_PAYLOAD_BYTES));
    write(exact(2, MAX_RECORD_PAYLOAD_BYTES + 1));
    await sink.flush();
    const records = calls.flatMap((c) => c.records);
    expect(records).toHaveLength(2);
    expect(Buffer.byteLength(records[0]![0]! + "\n")).toBe(MAX_RECORD_PAYLOAD_BYTES);
    const cut = JSON.parse(records[1]![0]!) as { n: number; truncated: boolean };
    expect(cut).toMatchObject({ n: 2, truncated: true });
    expect(Buffer.byteLength(records[1]![0]! + "\n")).toBeLessThanOrEqual(MAX_RECORD_PAYLOAD_BYTES);
    expect(metrics.toJSON().receiver_firehose_oversize_lines_total).toEqual({ 'action="truncated"': 1 });
    expect(logs.some((l) => l.code === "RCV_FIREHOSE_LINE_OVERSIZE")).toBe(true);
  });

  it("halves a batch the service refuses as invalid and gives up only the lone offending record", async () => {
    const { sink, calls, acks, write, logs } = setup({ recordMaxBytes: 1024 }, (c) =>
      c.records.some((r) => r.some((l) => l.includes('"n":2,'))) ? new InvalidArgumentException({ message: "bad record", $metadata: {} }) : {},
    );
    for (let i = 0; i < 4; i += 1) write(line(i, 600));
    await sink.flush();
    expect(calls.map((c) => ids(c).flat())).toEqual([[0, 1, 2, 3], [0, 1], [2, 3], [2], [3]]);
    expect(acks.filter((a) => a === null)).toHaveLength(3);
    expect(acks.filter((a) => a !== null).map((a) => (a as Error & { code: string }).code)).toEqual(["RCV_FIREHOSE_RECORD_REJECTED"]);
    expect(logs.filter((l) => l.level === 50).map((l) => l.code)).toEqual(["RCV_FIREHOSE_RECORD_REJECTED"]);
  });
});
