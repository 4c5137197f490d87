// A fake Amazon Data Firehose for benchmarks, as a process (plain JS: tsx is not installed).
// Speaks the JSON 1.1 protocol the SDK uses (POST /, X-Amz-Target: Firehose_20150804.PutRecordBatch,
// base64 Data), reached with AWS_ENDPOINT_URL_FIREHOSE=http://127.0.0.1:<port>; no signature check.
// It is tests/fakes/firehose-server.ts cut down to what a benchmark needs, plus counting:
// every accepted record is gunzipped to count its lines (for run.sh) and bytes, and a sample
// of lines gives the latency from the receiver's read (received_at) to acceptance here.
//
// Usage: node fake-firehose.mjs [--port 0] [--port-file F] [--count-file F] [--stats-file F]
//   [--watch-pid PID] [--metrics-url URL] [--fail-entry-rate 0] [--throttle-rate 0] [--seed 1]
//   [--sample 16]
// --count-file: "<lines accepted> <epoch seconds of the last accept>", as run.sh reads
//   $OUT_FILE.count.  --stats-file: JSON written every second and at exit (fields below).
// --watch-pid: exit when that process is gone (the receiver; this fake runs outside its
//   process group so that run.sh counts only the receiver's CPU).
// --metrics-url: the receiver's /metrics.json, scraped every second; its receiver_firehose_*
//   counters are copied into the stats as `sink`.
// --sample N: latency of every Nth line (received_at has millisecond resolution).
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { renameSync, writeFileSync } from 'node:fs';

const a = process.argv.slice(2);
const opt = (k, d) => { const i = a.indexOf('--' + k); return i < 0 ? d : a[i + 1]; };
const portFile = opt('port-file'), countFile = opt('count-file'), statsFile = opt('stats-file');
const watchPid = Number(opt('watch-pid', 0)), metricsUrl = opt('metrics-url');
const failEntryRate = Number(opt('fail-entry-rate', 0)), throttleRate = Number(opt('throttle-rate', 0));
const sampleEvery = Math.max(1, Number(opt('sample', 16)));

// PutRecordBatch limits: https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
const MAX_RECORDS = 500, MAX_RECORD_BYTES = 1_024_000, MAX_CALL_BYTES = 4 * 1024 * 1024;
// Billing: each record rounded up to the next 5 KB. https://aws.amazon.com/firehose/pricing/
const BILLING_INCREMENT_BYTES = 5 * 1024;
const TARGET = 'Firehose_20150804.PutRecordBatch';
const RECEIVED_AT = Buffer.from('"received_at":"');

let seed = Number(opt('seed', 1)) >>> 0;
const random = () => { // mulberry32, as in tests/fakes/firehose-server.ts
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const stats = { calls: 0, failedCalls: 0, entries: 0, failedEntries: 0, limitViolations: 0, records: 0, lines: 0,
  payloadBytes: 0, dataBytes: 0, billedBytes: 0, lastAcceptS: 0, latencyMs: null, sink: null, cpuS: 0 };
const latencies = [];
let lineCounter = 0;

/** Counts the lines of one gunzipped record and samples their latency. */
function account(plain, now) {
  let start = 0;
  for (let nl = plain.indexOf(10); nl >= 0; start = nl + 1, nl = plain.indexOf(10, start)) {
    stats.lines += 1;
    if (++lineCounter % sampleEvery !== 0) continue;
    const at = plain.indexOf(RECEIVED_AT, start);
    if (at < 0 || at > nl) continue;
    const from = at + RECEIVED_AT.length;
    const received = Date.parse(plain.toString('latin1', from, plain.indexOf(34, from)));
    if (Number.isFinite(received)) latencies.push(now - received);
  }
}

function reply(res, status, body, errorType) {
  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${stats.calls}` };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers).end(JSON.stringify(body));
}
function fail(res, status, type, message) {
  stats.failedCalls += 1;
  reply(res, status, { __type: type, message }, type);
}

function handle(req, res, body) {
  if (req.method !== 'POST' || req.headers['x-amz-target'] !== TARGET) return fail(res, 400, 'UnknownOperationException', 'only PutRecordBatch is faked');
  stats.calls += 1;
  const input = JSON.parse(body);
  const data = (input.Records ?? []).map((r) => Buffer.from(r.Data ?? '', 'base64'));
  const total = data.reduce((n, d) => n + d.length, 0);
  if (data.length === 0 || data.length > MAX_RECORDS || total > MAX_CALL_BYTES || data.some((d) => d.length > MAX_RECORD_BYTES)) {
    stats.limitViolations += 1;
    return fail(res, 400, 'InvalidArgumentException', `${data.length} records, ${total} bytes: over a PutRecordBatch limit`);
  }
  if (throttleRate > 0 && random() < throttleRate) return fail(res, 400, 'ThrottlingException', 'Rate exceeded');
  const now = Date.now();
  stats.entries += data.length;
  const responses = data.map((d, i) => {
    if (failEntryRate > 0 && random() < failEntryRate) {
      stats.failedEntries += 1;
      return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
    }
    const plain = gunzipSync(d);
    stats.records += 1;
    stats.dataBytes += d.length;
    stats.payloadBytes += plain.length;
    stats.billedBytes += Math.max(1, Math.ceil(d.length / BILLING_INCREMENT_BYTES)) * BILLING_INCREMENT_BYTES;
    account(plain, now);
    return { RecordId: `${stats.calls}-${i}` };
  });
  stats.lastAcceptS = now / 1000;
  reply(res, 200, { FailedPutCount: responses.filter((r) => r.ErrorCode).length, Encrypted: false, RequestResponses: responses });
  writeCount();
}

/** Written whole (rename), so run.sh never reads half a line. */
function writeAtomically(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
function writeCount() {
  if (countFile) writeAtomically(countFile, `${stats.lines} ${stats.lastAcceptS.toFixed(3)}\n`);
}
function percentile(sorted, p) {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
function writeStats() {
  if (!statsFile) return;
  const sorted = Float64Array.from(latencies).sort();
  stats.latencyMs = { samples: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: percentile(sorted, 100) };
  const cpu = process.cpuUsage();
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
    };
  } catch {
    // The receiver is starting or stopping: keep the last scrape.
  }
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.listen(Number(opt('port', 0)), '127.0.0.1', () => {
  const { port } = server.address();
  if (portFile) writeAtomically(portFile, `${port}\n`);
  console.error(`fake-firehose: listening on http://127.0.0.1:${port}`);
});

const exit = () => { writeStats(); process.exit(0); };
setInterval(async () => {
  await scrape();
  writeStats();
  if (watchPid > 0) {
    try { process.kill(watchPid, 0); } catch { exit(); }
  }
}, 1000);
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
