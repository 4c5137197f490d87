// The counting half of fake-firehose.mjs, run as its worker thread (or called directly).
// For each accepted record: base64 → gunzip → count its lines (LF) and payload bytes, and the
// latency of every Nth line from its received_at to the acceptance of its call. This is most of
// the fake's CPU (a 4 MiB call holds ~100 MB of text for gunzip to produce): here it runs after
// the call was answered and off the thread that answers, so the receiver never waits for it.
import { parentPort, workerData } from 'node:worker_threads';
import { setPriority } from 'node:os';
import { gunzipSync } from 'node:zlib';

const RECEIVED_AT = Buffer.from('"received_at":"');
// Larger than any record's payload (the sink seals at 1 MB by default), so gunzip produces one
// buffer instead of 64 KiB chunks that it then copies into one.
const OUT_CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * Counts one call's accepted records. `body` holds the request; `spans` the [start, end) of each
 * accepted record's base64 Data in it; `acceptedAt` (ms) is when the call was answered.
 * Every `sampleEvery`-th line (over all calls: `state.line` carries on) adds a latency sample.
 * Returns { lines, payloadBytes, latencies: number[], badRecords }: a bad record is one whose
 * Data is not a gzip member (Firehose would store it, but no reader could use it).
 */
export function countCall(body, spans, acceptedAt, sampleEvery, state) {
  const out = { lines: 0, payloadBytes: 0, latencies: [], badRecords: 0 };
  for (let i = 0; i < spans.length; i += 2) {
    const data = Buffer.from(body.latin1Slice(spans[i], spans[i + 1]), 'base64');
    let plain;
    try {
      plain = gunzipSync(data, { chunkSize: OUT_CHUNK_BYTES });
    } catch {
      out.badRecords += 1;
      continue;
    }
    out.payloadBytes += plain.length;
    let start = 0;
    for (let nl = plain.indexOf(10); nl >= 0; start = nl + 1, nl = plain.indexOf(10, start)) {
      out.lines += 1;
      if (++state.line % sampleEvery !== 0) continue;
      const at = plain.indexOf(RECEIVED_AT, start);
      if (at < 0 || at > nl) continue;
      const from = at + RECEIVED_AT.length;
      const received = Date.parse(plain.latin1Slice(from, plain.indexOf(34, from)));
      if (Number.isFinite(received)) out.latencies.push(acceptedAt - received);
    }
  }
  return out;
}

if (parentPort) {
  const { sampleEvery, nice } = workerData;
  // Linux nice values are per thread: this lowers the counting thread only, never the thread
  // that answers calls.
  if (nice) setPriority(0, nice);
  const state = { line: 0 };
  parentPort.on('message', ({ seq, body, spans, acceptedAt }) => {
    const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    parentPort.postMessage({ seq, acceptedAt, ...countCall(buf, spans, acceptedAt, sampleEvery, state) });
  });
}
