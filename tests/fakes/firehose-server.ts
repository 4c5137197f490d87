import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * A small Amazon Data Firehose on 127.0.0.1:0 speaking the JSON 1.1 protocol the SDK uses
 * (POST /, X-Amz-Target: Firehose_20150804.PutRecordBatch, base64 `Data`), reached by the real
 * SDK client with AWS_ENDPOINT_URL_FIREHOSE=<url>. It does not check signatures.
 *
 * Faults are seeded, so a failing run can be replayed, and can be changed while it runs
 * (`fake.options.throttleRate = 0`). Every accepted record is kept for the test to gunzip.
 * Requests over a PutRecordBatch limit are refused (InvalidArgumentException) and counted in
 * `limitViolations`, which a test of a correct client expects to stay 0.
 */
export interface FakeFirehoseOptions {
  /** Seed of the fault generator. */
  seed: number;
  /** Share of entries answered with a per-entry ErrorCode (ServiceUnavailableException or InternalFailure). */
  failEntryRate: number;
  /** Share of calls refused whole: ThrottlingException (400) or ServiceUnavailableException (503). */
  throttleRate: number;
  /** The next N calls fail with a 500 InternalFailure. */
  failCalls: number;
  /** Milliseconds before each answer. */
  delayMs: number;
  /** Store the records, then never answer (the client's timeout fires: an ambiguous outcome), for this share of calls. */
  loseAnswerRate: number;
  /** Known streams; a call to another one gets ResourceNotFoundException. Empty: every name exists. */
  streams: string[];
  /** An outage by the clock: every call before this epoch millisecond fails whole
   * (ServiceUnavailableException 503 or ThrottlingException 400), counted in `outageCalls`. */
  outageUntilMs: number;
}

export interface StoredRecord {
  stream: string;
  data: Buffer;
}

export interface FakeFirehose {
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL_FIREHOSE. */
  readonly url: string;
  readonly options: FakeFirehoseOptions;
  /** Accepted records, in acceptance order. */
  readonly records: StoredRecord[];
  readonly stats: { calls: number; entries: number; failedEntries: number; failedCalls: number; lostAnswers: number; limitViolations: number; outageCalls: number };
  /** Every accepted record gunzipped and split into lines (without LF), in acceptance order. */
  lines(stream?: string): string[];
  close(): Promise<void>;
}

const TARGET_PREFIX = "Firehose_20150804.";
const MAX_RECORDS = 500;
const MAX_RECORD_BYTES = 1_024_000;
const MAX_CALL_BYTES = 4 * 1024 * 1024;

/** mulberry32: small, fast, seedable (shared with the other fakes). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFakeFirehose(options: Partial<FakeFirehoseOptions> = {}): Promise<FakeFirehose> {
  const opts: FakeFirehoseOptions = { seed: 1, failEntryRate: 0, throttleRate: 0, failCalls: 0, delayMs: 0, loseAnswerRate: 0, streams: [], outageUntilMs: 0, ...options };
  const random = prng(opts.seed);
  const records: StoredRecord[] = [];
  const stats = { calls: 0, entries: 0, failedEntries: 0, failedCalls: 0, lostAnswers: 0, limitViolations: 0, outageCalls: 0 };
  const hung = new Set<ServerResponse>();

  const send = (res: ServerResponse, status: number, body: unknown, errorType?: string): void => {
    const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `req-${stats.calls}` };
    if (errorType) headers["x-amzn-errortype"] = errorType;
    const write = () => res.writeHead(status, headers).end(JSON.stringify(body));
    if (opts.delayMs > 0) setTimeout(write, opts.delayMs);
    else write();
  };
  const fail = (res: ServerResponse, status: number, type: string, message: string): void => {
    stats.failedCalls += 1;
    send(res, status, { __type: type, message }, type);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const target = String(req.headers["x-amz-target"] ?? "");
    if (req.method !== "POST" || !target.startsWith(TARGET_PREFIX)) return fail(res, 400, "UnknownOperationException", `unexpected ${req.method} ${target}`);
    if (target !== `${TARGET_PREFIX}PutRecordBatch`) return fail(res, 400, "UnknownOperationException", `${target} is not faked`);
    stats.calls += 1;
    const input = JSON.parse(body) as { DeliveryStreamName?: string; Records?: { Data?: string }[] };
    const stream = input.DeliveryStreamName ?? "";
    const data = (input.Records ?? []).map((r) => Buffer.from(r.Data ?? "", "base64"));
    const total = data.reduce((n, d) => n + d.byteLength, 0);
    if (data.length === 0 || data.length > MAX_RECORDS || total > MAX_CALL_BYTES || data.some((d) => d.byteLength > MAX_RECORD_BYTES)) {
      stats.limitViolations += 1;
      return fail(res, 400, "InvalidArgumentException", `${data.length} records, ${total} bytes: over a PutRecordBatch limit`);
    }
    if (opts.streams.length > 0 && !opts.streams.includes(stream)) {
      return fail(res, 400, "ResourceNotFoundException", `Firehose ${stream} under account 123456789012 not found.`);
    }
    if (Date.now() < opts.outageUntilMs) {
      stats.outageCalls += 1;
      return random() < 0.5 ? fail(res, 503, "ServiceUnavailableException", "Slow down.") : fail(res, 400, "ThrottlingException", "Rate exceeded");
    }
    if (opts.failCalls > 0) {
      opts.failCalls -= 1;
      return fail(res, 500, "InternalFailure", "We encountered an internal error. Please try again.");
    }
    if (random() < opts.throttleRate) {
      return random() < 0.5 ? fail(res, 503, "ServiceUnavailableException", "Slow down.") : fail(res, 400, "ThrottlingException", "Rate exceeded");
    }
    stats.entries += data.length;
    if (random() < opts.loseAnswerRate) {
      stats.lostAnswers += 1;
      for (const d of data) records.push({ stream, data: d });
      hung.add(res);
      res.on("close", () => hung.delete(res));
      return;
    }
    const responses = data.map((d, i) => {
      if (random() < opts.failEntryRate) {
        stats.failedEntries += 1;
        return random() < 0.5 ? { ErrorCode: "ServiceUnavailableException", ErrorMessage: "Slow down." } : { ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." };
      }
      records.push({ stream, data: d });
      return { RecordId: `${stats.calls}-${i}` };
    });
    send(res, 200, { FailedPutCount: responses.filter((r) => "ErrorCode" in r).length, Encrypted: false, RequestResponses: responses });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    options: opts,
    records,
    stats,
    lines(stream?: string) {
      const out: string[] = [];
      for (const r of records) {
        if (stream !== undefined && r.stream !== stream) continue;
        out.push(...gunzipSync(r.data).toString("utf8").split("\n").slice(0, -1));
      }
      return out;
    },
    close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
