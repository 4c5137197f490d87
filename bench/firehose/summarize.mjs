// Summary of bench/firehose/compare.sh: node summarize.mjs OUT_DIR
// results.tsv: run.sh lines (header first); firehose-<rep>.json and firehose-latency.json:
// fake-firehose.mjs stats of the matching runs. "rx CPU s" is the receiver's CPU time (msgs /
// msgs_per_cpu_s): close to DURATION means its core was saturated during the load (run.sh's
// rx_cpu_pct also counts the Firehose run's last linger, ~1 s of near idle, in its wall time);
// "fake answer" is how long the fake took to answer a call.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const [header, ...rows] = readFileSync(join(dir, 'results.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
const col = (r, name) => r[header.indexOf(name)];
const num = (r, name) => Number(col(r, name));
const of = (name) => rows.filter((r) => col(r, 'receiver') === name);
const file = of('product-file'), fh = of('product-firehose'), paced = of('product-firehose-paced');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (x, d = 0) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const stats = (name) => (existsSync(join(dir, name)) ? JSON.parse(readFileSync(join(dir, name), 'utf8')) : undefined);
const size = Number(process.env.SIZE ?? 300);
const cpuS = (r) => fmt(num(r, 'msgs') / num(r, 'msgs_per_cpu_s'), 1);

console.log('rep\tfile msgs/cpu-s\tfirehose msgs/cpu-s\tratio\tfile msgs/s\tfirehose msgs/s\trx CPU s file/firehose\tfirehose lost\tbilled/payload\tbilled/syslog byte\tp50 ms\tp99 ms\tfake answer p99 ms\tfake CPU s');
const ratios = [];
for (let i = 0; i < Math.min(file.length, fh.length); i++) {
  const f = num(file[i], 'msgs_per_cpu_s'), h = num(fh[i], 'msgs_per_cpu_s');
  ratios.push(h / f);
  const s = stats(`firehose-${i + 1}.json`);
  const billed = s?.sink?.billedBytes ?? s?.billedBytes, payload = s?.sink?.payloadBytes ?? s?.payloadBytes;
  console.log([i + 1, fmt(f), fmt(h), fmt(h / f, 3), fmt(num(file[i], 'msgs_per_s')), fmt(num(fh[i], 'msgs_per_s')),
    `${cpuS(file[i])}/${cpuS(fh[i])}`, col(fh[i], 'lost'),
    fmt(billed / payload, 4), fmt(billed / (num(fh[i], 'msgs') * size), 4), s?.latencyMs?.p50 ?? 'n/a', s?.latencyMs?.p99 ?? 'n/a',
    s?.answerMs?.p99 ?? 'n/a', fmt(s?.cpuS, 2)].join('\t'));
}
console.log(`mean ratio firehose/file msgs per CPU-second: ${fmt(mean(ratios), 3)} (min ${fmt(Math.min(...ratios), 3)})`);
const fileL = of('product-file-loggen'), fhL = of('product-firehose-loggen');
const ratiosL = [];
for (let i = 0; i < Math.min(fileL.length, fhL.length); i++) {
  const f = num(fileL[i], 'msgs_per_cpu_s'), h = num(fhL[i], 'msgs_per_cpu_s');
  ratiosL.push(h / f);
  console.log(`loggen rep ${i + 1} (${col(fhL[i], 'conns')} conns): file ${fmt(f)} / firehose ${fmt(h)} msgs per CPU-s = ${fmt(h / f, 3)}; ` +
    `msgs/s ${fmt(num(fileL[i], 'msgs_per_s'))} / ${fmt(num(fhL[i], 'msgs_per_s'))}; rx CPU ${cpuS(fileL[i])} s / ${cpuS(fhL[i])} s; lost ${col(fileL[i], 'lost')} / ${col(fhL[i], 'lost')}`);
}
if (ratiosL.length > 0) console.log(`mean ratio firehose/file msgs per CPU-second, loggen sender: ${fmt(mean(ratiosL), 3)} (min ${fmt(Math.min(...ratiosL), 3)})`);
for (const r of paced) {
  const s = stats('firehose-latency.json');
  console.log(`paced run (loggen, ${col(r, 'conns')} conns, ${fmt(num(r, 'msgs_per_s'))} msgs/s, default linger unless RECEIVER_FIREHOSE_LINGER_MS): ` +
    `read→accepted latency p50 ${s?.latencyMs?.p50} ms, p90 ${s?.latencyMs?.p90} ms, p99 ${s?.latencyMs?.p99} ms, max ${s?.latencyMs?.max} ms ` +
    `(${s?.latencyMs?.samples} samples); billed/payload ${fmt(s?.sink?.billedBytes / s?.sink?.payloadBytes, 4)}, billed/syslog byte ${fmt(s?.sink?.billedBytes / (num(r, 'msgs') * size), 4)}`);
}
