// Summary of bench/relp/compare.sh: node summarize.mjs OUT_DIR  (reads OUT_DIR/results.tsv)
// Medians per target and windowSize; each row divided by rsyslog-imrelp at the same windowSize
// ("msgs per CPU-s ratio" > 1: fewer receiver CPU-seconds per message than imrelp); then the
// windowSize sweep of each target relative to its smallest window.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node summarize.mjs OUT_DIR');
  process.exit(2);
}
const [header, ...rows] = readFileSync(join(dir, 'results.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
const col = (r, name) => r[header.indexOf(name)];
const num = (r, name) => Number(col(r, name));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');
const failed = rows.filter((r) => col(r, 'status') !== 'ok');
const ok = rows.filter((r) => col(r, 'status') === 'ok');
const targets = [...new Set(ok.map((r) => col(r, 'target')))];
const windows = [...new Set(ok.map((r) => num(r, 'window')))].sort((a, b) => a - b);
const cell = (t, w) => {
  const rs = ok.filter((r) => col(r, 'target') === t && num(r, 'window') === w);
  if (rs.length === 0) return undefined;
  return { runs: rs.length, msgs: median(rs.map((r) => num(r, 'msgs'))), perS: median(rs.map((r) => num(r, 'msgs_per_s'))), perCpu: median(rs.map((r) => num(r, 'msgs_per_cpu_s'))), rss: median(rs.map((r) => num(r, 'peak_rss_mib'))), cpuPct: median(rs.map((r) => num(r, 'rx_cpu_pct'))) };
};

console.log('| windowSize | target | runs | msgs | msgs/s | msgs per rx CPU-s | rx CPU % | peak RSS MiB | msgs per CPU-s ratio vs imrelp | RSS ratio |');
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const w of windows) {
  const base = cell('rsyslog-imrelp', w);
  for (const t of targets) {
    const c = cell(t, w);
    if (!c) continue;
    console.log(`| ${w} | ${t} | ${c.runs} | ${fmt(c.msgs)} | ${fmt(c.perS)} | ${fmt(c.perCpu)} | ${fmt(c.cpuPct)} | ${fmt(c.rss, 1)} | ${base ? fmt(c.perCpu / base.perCpu, 2) : 'n/a'} | ${base ? fmt(c.rss / base.rss, 2) : 'n/a'} |`);
  }
}
console.log('');
console.log('windowSize sweep, msgs/s relative to the smallest window of the same target:');
for (const t of targets) {
  const first = windows.map((w) => cell(t, w)).find(Boolean);
  const parts = windows.map((w) => [w, cell(t, w)]).filter(([, c]) => c).map(([w, c]) => `${w}: ${fmt(c.perS)} msgs/s (${fmt(c.perS / first.perS, 2)}x)`);
  console.log(`  ${t}: ${parts.join(', ')}`);
}
if (failed.length > 0) {
  console.log('');
  console.log(`FAILED runs: ${failed.map((r) => `${col(r, 'target')}@${col(r, 'window')} (${col(r, 'status')}, ${col(r, 'msgs')} of ${col(r, 'count')})`).join('; ')}`);
  process.exitCode = 1;
}
