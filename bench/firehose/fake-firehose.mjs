// A fake Amazon Data Firehose for benchmarks, as a process (plain JS: tsx is not installed).
// Speaks the JSON 1.1 protocol the SDK uses (POST /, X-Amz-Target: Firehose_20150804.PutRecordBatch,
// base64 Data), reached with AWS_ENDPOINT_URL_FIREHOSE=http://127.0.0.1:<port>; no signature check.
// It is tests/fakes/firehose-server.ts cut down to what a benchmark needs, plus counting:
// every accepted record is gunzipped to count its lines (for run.sh) and bytes, and a sample
// of lines gives the latency from the receiver's read (received_at) to acceptance here.
//
// It shares a CPU with the load generator, so what it costs per message is taken from the
// generator, and how long it takes to answer is time the receiver may wait with its byte budget
// full. So a call is answered from a scan of the request bytes (the Data spans: no JSON.parse,
// no base64 decode: sizes follow from the base64 lengths), and the expensive part (base64,
// gunzip, line count, latency samples: fake-firehose-count.mjs) runs afterwards on a worker
// thread. The count file lags the answers by that work (milliseconds) and is exact once the
// worker has caught up; the time it reports is when the counted calls were accepted.
//
// Usage: node fake-firehose.mjs [--port 0] [--port-file F] [--count-file F] [--stats-file F]
//   [--watch-pid PID] [--metrics-url URL] [--fail-entry-rate 0] [--throttle-rate 0] [--seed 1]
//   [--sample 16] [--count-nice 0]
// --count-file: "<lines accepted> <epoch seconds of the last accept>", as run.sh reads
//   $OUT_FILE.count (written at most every 100 ms, and once more when counting catches up).
// --stats-file: JSON written every second and at exit (fields below).
// --watch-pid: exit when that process is gone (the receiver; this fake runs outside its
//   process group so that run.sh counts only the receiver's CPU). At exit the worker finishes
//   what it holds first (at most 30 s).
// --metrics-url: the receiver's /metrics.json, scraped every second; its receiver_firehose_*
//   counters are copied into the stats as `sink`.
// --sample N: latency of every Nth line (received_at has millisecond resolution).
// --count-nice N: nice value of the counting thread only (Linux: per thread), 0-19.
import { createServer } from 'node:http';
import { renameSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const a = process.argv.slice(2);
const opt = (k, d) => { const i = a.indexOf('--' + k); return i < 0 ? d : a[i + 1]; };
const portFile = opt('port-file'), countFile = opt('count-file'), statsFile = opt('stats-file');
const watchPid = Number(opt('watch-pid', 0)), metricsUrl = opt('metrics-url');
const failEntryRate = Number(opt('fail-entry-rate', 0)), throttleRate = Number(opt('throttle-rate', 0));
const sampleEvery = Math.max(1, Number(opt('sample', 16)));
const countNice = Math.min(19, Math.max(0, Number(opt('count-nice', 0)) || 0));

// PutRecordBatch limits: https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
const MAX_RECORDS = 500, MAX_RECORD_BYTES = 1_024_000, MAX_CALL_BYTES = 4 * 1024 * 1024;
// Billing: each record rounded up to the next 5 KB. https://aws.amazon.com/firehose/pricing/
const BILLING_INCREMENT_BYTES = 5 * 1024;
const TARGET = 'Firehose_20150804.PutRecordBatch';
// A request body this large cannot be a valid call (4 MiB of data is ~5.6 MB of base64).
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const DATA_KEY = Buffer.from('"Data":"'), RECORDS_KEY = Buffer.from('"Records":[');
const COUNT_FILE_EVERY_MS = 100;
const EXIT_DRAIN_MS = 30_000;

let seed = Number(opt('seed', 1)) >>> 0;
const random = () => { // mulberry32, as in tests/fakes/firehose-server.ts
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const stats = { calls: 0, failedCalls: 0, entries: 0, failedEntries: 0, limitViolations: 0, badRequests: 0, records: 0,
  badRecords: 0, lines: 0, payloadBytes: 0, dataBytes: 0, billedBytes: 0, lastAcceptS: 0, countLagMsMax: 0,
  latencyMs: null, answerMs: null, sink: null, cpuS: 0 };
/** Samples as counts per bin (no array to sort every second); exact when samples are whole bins. */
class Histogram {
  constructor(binMs, bins = 65_536) {
    this.binMs = binMs;
    this.bins = new Uint32Array(bins);
    this.over = [];
    this.samples = 0;
  }
  add(ms) {
    const bin = Math.max(0, Math.round(ms / this.binMs));
    if (bin < this.bins.length) this.bins[bin] += 1;
    else this.over.push(bin);
    this.samples += 1;
  }
  percentile(p) {
    if (this.samples === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.samples));
    let seen = 0;
    for (let bin = 0; bin < this.bins.length; bin++) if ((seen += this.bins[bin]) >= rank) return +(bin * this.binMs).toFixed(3);
    return +(this.over.slice().sort((x, y) => x - y)[rank - seen - 1] * this.binMs).toFixed(3);
  }
  summary() {
    return { samples: this.samples, p50: this.percentile(50), p90: this.percentile(90), p99: this.percentile(99), max: this.percentile(100) };
  }
}
// received_at and Date.now are both whole milliseconds.
const latency = new Histogram(1);
// From a request's arrival to its answer, in 0.1 ms: how long the receiver's call waits on us.
const answer = new Histogram(0.1);
let countedAcceptS = 0;

/** Bytes that base64 text of `length` characters ending in `pads` '=' decodes to. */
const base64Bytes = (length, pads) => Math.floor((length * 3) / 4) - pads;

/**
 * The [start, end) of each record's base64 Data in a PutRecordBatch body, from the bytes: the
 * SDK writes compact JSON, and base64 needs no escapes, so every `"Data":"` starts one and the
 * next quote ends it. Returns null when the body has an escape or is not compact JSON: then
 * the caller takes the JSON.parse path.
 */
function scanRecords(body) {
  if (body[0] !== 0x7b || body.indexOf(RECORDS_KEY) < 0 || body.indexOf(92) >= 0) return null;
  const spans = [];
  for (let at = body.indexOf(DATA_KEY); at >= 0;) {
    const start = at + DATA_KEY.length, end = body.indexOf(34, start);
    if (end < 0) return null;
    spans.push(start, end);
    at = body.indexOf(DATA_KEY, end + 1);
  }
  return spans;
}

/** The JSON.parse path: the same spans over a new body holding only the Data strings. */
function parseRecords(body) {
  const input = JSON.parse(body.toString('utf8'));
  const data = (Array.isArray(input?.Records) ? input.Records : []).map((r) => (typeof r?.Data === 'string' ? r.Data : ''));
  const spans = [];
  let at = 0;
  for (const d of data) spans.push(at, (at += d.length));
  return { body: Buffer.from(data.join(''), 'latin1'), spans };
}

function reply(res, status, body, errorType) {
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${stats.calls}` };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers).end(JSON.stringify(body));
  answer.add(Number(process.hrtime.bigint() - res.arrivedAt) / 1e6);
}
function fail(res, status, type, message) {
  stats.failedCalls += 1;
  reply(res, status, { __type: type, message }, type);
}

// ---------------------------------------------------------------- counting (worker thread)
const worker = new Worker(new URL('./fake-firehose-count.mjs', import.meta.url), { workerData: { sampleEvery, nice: countNice } });
let sentSeq = 0, countedSeq = 0;
worker.on('message', (m) => {
  countedSeq = m.seq;
  stats.lines += m.lines;
  stats.payloadBytes += m.payloadBytes;
  stats.badRecords += m.badRecords;
  for (const ms of m.latencies) latency.add(ms);
  countedAcceptS = m.acceptedAt / 1000;
  stats.countLagMsMax = Math.max(stats.countLagMsMax, Date.now() - m.acceptedAt);
  scheduleCount();
  if (countedSeq === sentSeq) drained?.();
});
worker.on('error', (err) => {
  console.error('fake-firehose: counting worker failed:', err);
  process.exit(1);
});

function handle(req, res, raw) {
  if (req.method !== 'POST' || req.headers['x-amz-target'] !== TARGET) return fail(res, 400, 'UnknownOperationException', 'only PutRecordBatch is faked');
  stats.calls += 1;
  let body = raw, spans = scanRecords(raw);
  if (!spans) {
    try {
      ({ body, spans } = parseRecords(raw));
    } catch (err) {
      stats.badRequests += 1;
      return fail(res, 400, 'SerializationException', `request body is not JSON: ${err.message}`);
    }
  }
  const count = spans.length / 2;
  const sizes = new Array(count);
  let total = 0, oversize = false;
  for (let i = 0; i < count; i++) {
    const start = spans[2 * i], end = spans[2 * i + 1];
    const pads = (end > start && body[end - 1] === 61 ? 1 : 0) + (end - 1 > start && body[end - 2] === 61 ? 1 : 0);
    sizes[i] = base64Bytes(end - start, pads);
    total += sizes[i];
    if (sizes[i] > MAX_RECORD_BYTES) oversize = true;
  }
  if (count === 0 || count > MAX_RECORDS || total > MAX_CALL_BYTES || oversize) {
    stats.limitViolations += 1;
    return fail(res, 400, 'InvalidArgumentException', `${count} records, ${total} bytes: over a PutRecordBatch limit`);
  }
  if (throttleRate > 0 && random() < throttleRate) return fail(res, 400, 'ThrottlingException', 'Rate exceeded');
  const now = Date.now();
  stats.entries += count;
  const accepted = [];
  const responses = sizes.map((size, i) => {
    if (failEntryRate > 0 && random() < failEntryRate) {
      stats.failedEntries += 1;
      return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
    }
    stats.records += 1;
    stats.dataBytes += size;
    stats.billedBytes += Math.max(1, Math.ceil(size / BILLING_INCREMENT_BYTES)) * BILLING_INCREMENT_BYTES;
    accepted.push(spans[2 * i], spans[2 * i + 1]);
    return { RecordId: `${stats.calls}-${i}` };
  });
  stats.lastAcceptS = now / 1000;
  reply(res, 200, { FailedPutCount: count - accepted.length / 2, Encrypted: false, RequestResponses: responses });
  if (accepted.length === 0) return;
  // The body is its own ArrayBuffer (see the server below): moved to the worker, not copied.
  const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
  const payload = own ? body : Buffer.from(body);
  worker.postMessage({ seq: ++sentSeq, body: payload, spans: accepted, acceptedAt: now }, [payload.buffer]);
}

// ---------------------------------------------------------------- files
/** Written whole (rename), so run.sh never reads half a line. */
function writeAtomically(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
let countTimer, countWrittenAt = 0;
/** At most one count file per COUNT_FILE_EVERY_MS (each is a write and a rename); the last
 * change is always written. */
function scheduleCount() {
  if (!countFile || countTimer) return;
  const wait = countWrittenAt + COUNT_FILE_EVERY_MS - Date.now();
  if (wait <= 0) return writeCount();
  countTimer = setTimeout(writeCount, wait);
}
function writeCount() {
  countTimer = undefined;
  countWrittenAt = Date.now();
  if (countFile) writeAtomically(countFile, `${stats.lines} ${countedAcceptS.toFixed(3)}\n`);
}
function writeStats() {
  if (!statsFile) return;
  stats.latencyMs = latency.summary();
  stats.answerMs = answer.summary();
  const cpu = process.cpuUsage(); // the whole process: both threads
  stats.cpuS = (cpu.user + cpu.system) / 1e6;
  writeAtomically(statsFile, JSON.stringify(stats, null, 1) + '\n');
}

async function scrape() {
  if (!metricsUrl) return;
  try {
    const m = await (await fetch(metricsUrl)).json();
    const sum = (name) => Object.values(m[name] ?? {}).reduce((x, y) => x + y, 0);
    stats.sink = {
      payloadBytes: sum('receiver_firehose_payload_bytes_total'), compressedBytes: sum('receiver_firehose_compressed_bytes_total'),
      billedBytes: sum('receiver_firehose_billed_bytes_total'), linesAccepted: sum('receiver_firehose_lines_accepted_total'),
      recordsAccepted: sum('receiver_firehose_records_accepted_total'), retries: sum('receiver_firehose_retries_total'),
      calls: sum('receiver_firehose_batches_total'), backpressurePauses: sum('receiver_backpressure_pauses_total'),
      sealed: m.receiver_firehose_records_sealed_total ?? null,
    };
  } catch {
    // The receiver is starting or stopping: keep the last scrape.
  }
}

// ---------------------------------------------------------------- server
const server = createServer((req, res) => {
  res.arrivedAt = process.hrtime.bigint();
  // One allocation of the announced size (the SDK always sends Content-Length), which the
  // worker then owns; otherwise chunks are gathered and copied once.
  const length = Number(req.headers['content-length']);
  const sized = Number.isSafeInteger(length) && length > 0 && length <= MAX_BODY_BYTES;
  const body = sized ? Buffer.allocUnsafeSlow(length) : null;
  const chunks = [];
  let got = 0;
  req.on('data', (c) => {
    if (got + c.length > MAX_BODY_BYTES || (sized && got + c.length > length)) {
      got = Infinity;
      return;
    }
    if (sized) c.copy(body, got);
    else chunks.push(c);
    got += c.length;
  });
  req.on('end', () => {
    if (got === Infinity || (sized && got !== length)) {
      stats.badRequests += 1;
      return fail(res, 400, 'SerializationException', 'request body larger than announced or than any valid call');
    }
    let whole = body;
    if (!sized) {
      whole = Buffer.allocUnsafeSlow(got);
      let at = 0;
      for (const c of chunks) at += c.copy(whole, at);
    }
    handle(req, res, whole);
  });
});
server.listen(Number(opt('port', 0)), '127.0.0.1', () => {
  const { port } = server.address();
  if (portFile) writeAtomically(portFile, `${port}\n`);
  console.error(`fake-firehose: listening on http://127.0.0.1:${port}`);
});

// ---------------------------------------------------------------- exit
let drained, exiting = false;
async function exit() {
  if (exiting) return;
  exiting = true;
  server.close();
  if (countedSeq !== sentSeq) {
    await new Promise((resolve) => {
      drained = resolve;
      setTimeout(resolve, EXIT_DRAIN_MS).unref();
    });
  }
  if (countedSeq !== sentSeq) console.error(`fake-firehose: exiting with ${sentSeq - countedSeq} calls not counted`);
  clearTimeout(countTimer);
  writeCount();
  writeStats();
  process.exit(countedSeq === sentSeq ? 0 : 1);
}
setInterval(async () => {
  await scrape();
  if (exiting) return;
  writeStats();
  if (watchPid > 0) {
    try { process.kill(watchPid, 0); } catch { void exit(); }
  }
}, 1000);
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
