// Self-check of fake-firehose.mjs (the benchmark's yardstick: if it miscounts, every Firehose
// figure is wrong). Starts the fake on 127.0.0.1 and checks, with the real SDK and with raw
// requests: exact line, record and byte counts in the count and stats files, latency samples,
// the PutRecordBatch limits at and over their edges, bad input, failure injection, and that
// calls still being counted at SIGTERM are counted before it exits.
//
//   node bench/firehose/fake-firehose.check.mjs      (prints "ok N checks", exits 1 on a failure)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';

const here = new URL('.', import.meta.url).pathname;
// The SDK the receiver uses (pnpm keeps it in the receiver package's node_modules).
const { FirehoseClient, PutRecordBatchCommand } = createRequire(join(here, '../../packages/receiver/package.json'))('@aws-sdk/client-firehose');
const TARGET = 'Firehose_20150804.PutRecordBatch';
setTimeout(() => { console.error('fake-firehose.check: timed out'); process.exit(1); }, 60_000).unref();

const fakes = new Set();
process.on('exit', () => { for (const p of fakes) p.kill('SIGKILL'); });
let checks = 0;
const check = (what, fn) => { fn(); checks += 1; void what; };

/** Starts the fake; returns { url, dir, proc, count(), stats(), stop() }. */
async function start(args = []) {
  const dir = mkdtempSync(join(tmpdir(), 'fake-firehose-check-'));
  const f = (name) => join(dir, name);
  const proc = spawn(process.execPath, [join(here, 'fake-firehose.mjs'), '--port-file', f('port'), '--count-file', f('count'),
    '--stats-file', f('stats.json'), ...args], { stdio: ['ignore', 'inherit', 'pipe'] });
  fakes.add(proc);
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => proc.on('exit', (code) => { fakes.delete(proc); resolve(code); }));
  for (let i = 0; i < 200 && !existsSync(f('port')); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(existsSync(f('port')), `the fake did not start: ${err}`);
  const url = `http://127.0.0.1:${readFileSync(f('port'), 'utf8').trim()}`;
  const count = () => (existsSync(f('count')) ? readFileSync(f('count'), 'utf8').trim().split(' ').map(Number) : [0, 0]);
  const stats = () => JSON.parse(readFileSync(f('stats.json'), 'utf8'));
  const stop = async () => {
    proc.kill('SIGTERM');
    const code = await exited;
    return { code, err };
  };
  return { url, dir, proc, count, stats, stop, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Waits until the count file says `lines` (the worker counts after answering). */
async function countReaches(fake, lines) {
  for (let i = 0; i < 200 && fake.count()[0] < lines; i++) await new Promise((r) => setTimeout(r, 25));
  return fake.count();
}

const post = (url, body, target = TARGET) =>
  fetch(url, { method: 'POST', headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' }, body });
const b64 = (buf) => buf.toString('base64');
/** A record of n schema-like lines read `ageMs` ago. */
function record(n, ageMs = 5, pad = 0) {
  const at = new Date(Date.now() - ageMs).toISOString();
  let s = '';
  for (let i = 0; i < n; i++) s += `{"v":1,"received_at":"${at}","message":"line ${i}${'x'.repeat(pad)}"}\n`;
  return Buffer.from(s);
}

// ---------------------------------------------------------------- counting through the SDK
{
  const fake = await start(['--sample', '1']);
  const client = new FirehoseClient({ region: 'us-east-1', endpoint: fake.url, maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const plain = [record(1000, 50), record(1), record(2345, 50)];
  let lines = 0, payload = 0, data = 0, billed = 0;
  for (let call = 0; call < 3; call++) {
    const records = plain.map((p) => gzipSync(p));
    const out = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'check', Records: records.map((Data) => ({ Data })) }));
    check('all accepted', () => assert.equal(out.FailedPutCount, 0));
    check('one response per record', () => assert.equal(out.RequestResponses.length, 3));
    for (const [i, p] of plain.entries()) {
      lines += p.toString().split('\n').length - 1;
      payload += p.length;
      data += records[i].length;
      billed += Math.max(1, Math.ceil(records[i].length / 5120)) * 5120;
    }
  }
  const [counted, lastAcceptS] = await countReaches(fake, lines);
  check('count file: every line', () => assert.equal(counted, lines));
  check('count file: last accept time', () => assert.ok(Math.abs(lastAcceptS - Date.now() / 1000) < 10, String(lastAcceptS)));
  const { code } = await fake.stop();
  check('exit 0', () => assert.equal(code, 0));
  const s = fake.stats();
  check('stats', () => assert.deepEqual([s.calls, s.records, s.lines, s.payloadBytes, s.dataBytes, s.billedBytes, s.badRecords],
    [3, 9, lines, payload, data, billed, 0]));
  check('a latency sample per line (--sample 1), about the record age', () => {
    assert.equal(s.latencyMs.samples, lines);
    assert.ok(s.latencyMs.p50 >= 50 && s.latencyMs.max < 10_000, JSON.stringify(s.latencyMs));
  });
  client.destroy();
  fake.cleanup();
}

// ---------------------------------------------------------------- limits and bad input
{
  const fake = await start();
  const batch = (datas) => JSON.stringify({ DeliveryStreamName: 'check', Records: datas.map((d) => ({ Data: b64(d) })) });
  const ok = async (body, records) => {
    const r = await post(fake.url, body);
    const j = await r.json();
    check(`accepted (${records} records)`, () => assert.deepEqual([r.status, j.FailedPutCount, j.RequestResponses?.length], [200, 0, records], JSON.stringify(j)));
  };
  const refused = async (body, type, target) => {
    const r = await post(fake.url, body, target);
    check(`refused with ${type}`, () => assert.deepEqual([r.status, r.headers.get('x-amzn-errortype')], [400, type]));
  };
  const small = gzipSync(record(3));
  // Not gzip: accepted (Firehose stores any bytes) but counted as a bad record, not as lines.
  const notGzip = Buffer.from('\xff\xff\xff is not a gzip member\n', 'latin1');
  await ok(batch(Array(500).fill(small)), 500);
  await refused(batch(Array(501).fill(small)), 'InvalidArgumentException');
  await ok(batch([Buffer.alloc(1_024_000, 1)]), 1); // at the record limit: 1,000 KiB
  await refused(batch([Buffer.alloc(1_024_001, 1)]), 'InvalidArgumentException');
  await ok(batch([...Array(4).fill(Buffer.alloc(1_024_000, 1)), Buffer.alloc(4 * 1024 * 1024 - 4_096_000, 1)]), 5); // 4 MiB exactly
  await refused(batch([...Array(4).fill(Buffer.alloc(1_024_000, 1)), Buffer.alloc(4 * 1024 * 1024 - 4_096_000 + 1, 1)]), 'InvalidArgumentException');
  await refused(batch([]), 'InvalidArgumentException');
  await refused('{"DeliveryStreamName":"check","Records":[{"Data":"', 'SerializationException');
  await refused('not json at all', 'SerializationException');
  await refused(batch([small]), 'UnknownOperationException', 'Firehose_20150804.PutRecord');
  // Escapes and whitespace (the SDK writes neither): the JSON.parse path, the same counts.
  const spaced = JSON.stringify({ DeliveryStreamName: 'check', Records: [{ Data: b64(small) }, { Data: b64(notGzip) }] }, null, 2);
  await ok(spaced, 2);
  const escaped = batch([small, notGzip]);
  check('the escaped body has an escape', () => assert.ok(b64(notGzip).includes('/')));
  await ok(escaped.replaceAll('/', '\\/'), 2);
  // Lines counted: 500 × 3 (the 500-record call) + 3 + 3 (the spaced and escaped calls); the
  // 1,024,000-byte records of 0x01 are not gzip members: bad records, as notGzip.
  const [counted] = await countReaches(fake, 1506);
  check('limits: lines of accepted calls only', () => assert.equal(counted, 1506));
  await fake.stop();
  const s = fake.stats();
  check('limit violations, bad requests, bad records', () => assert.deepEqual([s.limitViolations, s.badRequests, s.failedCalls, s.badRecords, s.records],
    [4, 2, 7, 8, 510]));
  fake.cleanup();
}

// ---------------------------------------------------------------- failure injection
{
  const fake = await start(['--fail-entry-rate', '1']);
  const r = await (await post(fake.url, JSON.stringify({ DeliveryStreamName: 'c', Records: [{ Data: b64(gzipSync(record(4))) }, { Data: b64(gzipSync(record(4))) }] }))).json();
  check('--fail-entry-rate 1: every entry failed', () => {
    assert.equal(r.FailedPutCount, 2);
    assert.ok(r.RequestResponses.every((e) => e.ErrorCode === 'ServiceUnavailableException'));
  });
  await fake.stop();
  check('failed entries are not counted', () => assert.deepEqual([fake.stats().lines, fake.stats().failedEntries], [0, 2]));
  fake.cleanup();
}
{
  const fake = await start(['--throttle-rate', '1']);
  const r = await post(fake.url, JSON.stringify({ DeliveryStreamName: 'c', Records: [{ Data: b64(gzipSync(record(4))) }] }));
  check('--throttle-rate 1: ThrottlingException', () => assert.equal(r.headers.get('x-amzn-errortype'), 'ThrottlingException'));
  await fake.stop();
  check('throttled calls are not counted', () => assert.equal(fake.stats().lines, 0));
  fake.cleanup();
}
{
  // Half the entries fail (seeded): exactly the lines of the accepted ones are counted.
  const fake = await start(['--fail-entry-rate', '0.5', '--seed', '7']);
  const plain = Array.from({ length: 40 }, (_, i) => record(i + 1));
  const j = await (await post(fake.url, JSON.stringify({ DeliveryStreamName: 'c', Records: plain.map((p) => ({ Data: b64(gzipSync(p)) })) }))).json();
  const expected = j.RequestResponses.reduce((n, e, i) => n + (e.ErrorCode ? 0 : i + 1), 0);
  check('some entries failed, some not', () => assert.ok(j.FailedPutCount > 0 && j.FailedPutCount < 40, String(j.FailedPutCount)));
  await fake.stop();
  check('lines of the accepted entries only', () => assert.equal(fake.stats().lines, expected));
  fake.cleanup();
}

// ---------------------------------------------------------------- SIGTERM while counting
{
  // ~60 MB of text to gunzip: still being counted when SIGTERM arrives right after the answers.
  const fake = await start();
  const big = gzipSync(record(150_000, 5, 300));
  const calls = [];
  for (let i = 0; i < 4; i++) calls.push(post(fake.url, JSON.stringify({ DeliveryStreamName: 'c', Records: [{ Data: b64(big) }] })).then((r) => r.json()));
  await Promise.all(calls);
  const { code } = await fake.stop();
  check('SIGTERM: exits 0 after counting what it accepted', () => assert.equal(code, 0));
  check('SIGTERM: count file and stats complete', () => {
    assert.equal(fake.count()[0], 600_000);
    assert.equal(fake.stats().lines, 600_000);
  });
  fake.cleanup();
}

console.log(`ok ${checks} checks`);
