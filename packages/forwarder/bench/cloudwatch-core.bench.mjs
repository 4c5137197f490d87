// Forwarder core benchmark, CloudWatch half: a staging object (gzip NDJSON, schema v1) →
// readStagingObject → forwardToLogGroups (route, event text, PutLogEvents batching) → a writer
// that discards. Measures events/s on one core (per wall and per CPU second) and peak RSS.
//
//   pnpm --filter @aws-syslog/forwarder build
//   node packages/forwarder/bench/cloudwatch-core.bench.mjs        # ~100 MB object
//   BENCH_OBJECT_MB=20 node packages/forwarder/bench/cloudwatch-core.bench.mjs
//   BENCH_ROUNDS=1 node ...        # one round only (default 3: first = cold, median of the rest = warm)
//   BENCH_STAGE=inflate node ...   # only gunzip the object (the floor no parse can go below)
//   BENCH_STAGE=decode node ...    # gunzip + split + parse each line (readStagingObjectChunks)
//
// The object is generated once into a temp dir; the measurement runs in a child process so its
// peak RSS is the core's alone. Records: 60 hosts, facilities weighted like a fleet (mostly
// daemon/user/authpriv/cron, some local0 OneGate JSON), messages of 40–400 characters from a
// seeded generator so every run sees the same bytes.
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGzip, constants } from "node:zlib";
import { fileURLToPath } from "node:url";

const targetMb = Number(process.env.BENCH_OBJECT_MB ?? 100);
// The object this many times in one process: the first round is what a new Lambda environment
// does (code not yet optimised by V8), the later ones what a warm one does.
const roundCount = Number(process.env.BENCH_ROUNDS ?? 3);
const file = join(tmpdir(), `aws-syslog-cloudwatch-bench-${targetMb}mb.ndjson.gz`);

if (process.argv[2] === "--measure") await measure(process.argv[3]);
else await main();

async function main() {
  if (!existsSync(file)) await generate(file, targetMb * 1024 * 1024);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--measure", file], { stdio: ["ignore", "pipe", "inherit"] });
  if (child.status !== 0) process.exit(child.status ?? 1);
  const result = JSON.parse(child.stdout.toString());
  console.log(JSON.stringify({ object: file, objectBytes: statSync(file).size, ...result }, null, 2));
}

async function generate(path, compressedBytes) {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const words = "accepted failed session opened closed for user root from port ssh2 invalid password publickey connection reset by peer kernel eth0 link up down cron job started finished sudo command pam_unix authentication failure disk quota warning error timeout retry".split(" ");
  const facilities = [[3, 30], [1, 25], [10, 15], [4, 8], [9, 8], [16, 10], [2, 2], [23, 2]];
  const pickFacility = () => { let r = random() * 100; for (const [f, w] of facilities) { if ((r -= w) < 0) return f; } return 1; };
  const gzip = createGzip({ level: constants.Z_BEST_SPEED });
  const out = gzip.pipe(createWriteStream(path));
  let written = 0;
  gzip.on("data", (c) => { written += c.length; });
  const start = Date.now() - 3_600_000;
  for (let i = 0; written < compressedBytes; i++) {
    const facility = pickFacility();
    const severity = Math.floor(random() * 8);
    const at = new Date(start + i * 3).toISOString();
    let message = "";
    const len = 40 + Math.floor(random() * 360);
    while (message.length < len) message += words[Math.floor(random() * words.length)] + (random() < 0.2 ? ` ${Math.floor(random() * 1e6)} ` : " ");
    const json = facility === 16 ? { user: `user${Math.floor(random() * 5000)}`, result: random() < 0.9 ? "success" : "failure", ip: `198.51.100.${Math.floor(random() * 255)}`, detail: message } : null;
    const record = {
      v: 1, received_at: at, timestamp: at.replace("Z", "+00:00"), facility, severity,
      facility_name: String(facility), severity_name: String(severity), hostname: `host-${Math.floor(random() * 60)}`,
      app_name: facility === 16 ? "onegate" : words[Math.floor(random() * 12)], proc_id: String(Math.floor(random() * 65535)),
      msg_id: null, structured_data: null, message: json ? JSON.stringify(json) : message.trim(), message_json: json,
      format: "rfc5424", source_ip: "192.0.2.10", source_port: 40000 + (i % 1000), tls_peer: null, listener: "tls", raw: null,
    };
    if (!gzip.write(JSON.stringify(record) + "\n")) await new Promise((r) => gzip.once("drain", r));
  }
  gzip.end();
  await new Promise((r) => out.on("finish", r));
}

async function measure(path) {
  const forwarder = await import("../dist/index.js");
  const stage = process.env.BENCH_STAGE ?? "all";
  if (stage !== "all") return measureStage(forwarder, path, stage);
  let batches = 0;
  const writer = { async putLogEvents() { batches += 1; return { rejectedTooOld: 0, rejectedTooNew: 0, rejectedExpired: 0, retries: 0, streamsCreated: 0, groupsCreated: 0 }; } };
  const rounds = [];
  let stats;
  for (let i = 0; i < roundCount; i++) {
    batches = 0;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    stats = await forwarder.forwardToLogGroups(forwarder.readStagingObjectChunks(createReadStream(path)), writer, {
      routes: forwarder.DEFAULT_ROUTES, logStreamTemplate: "{hostname}", timeZone: "UTC", now: () => Date.now(),
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    rounds.push({
      eventsSent: stats.eventsSent, seconds: +seconds.toFixed(2), cpuSeconds: +cpuSeconds.toFixed(2),
      eventsPerSecond: Math.round(stats.eventsSent / seconds), eventsPerCpuSecond: Math.round(stats.eventsSent / cpuSeconds),
    });
  }
  process.stdout.write(JSON.stringify({
    node: process.version, records: stats.records, events: stats.events, eventsSent: stats.eventsSent, batches,
    first: rounds[0],
    // Median (by CPU time; of two, the slower) of the rounds after the first: a warm function's steady state.
    warm: rounds.length > 1 ? [...rounds.slice(1)].sort((a, b) => a.cpuSeconds - b.cpuSeconds)[Math.floor((rounds.length - 1) / 2)] : null,
    rounds,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
}

/** Only part of the work, per CPU-second, to show where the floor is. */
async function measureStage(forwarder, path, stage) {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let records = 0;
  let bytes = 0;
  if (stage === "inflate") {
    const { createGunzip } = await import("node:zlib");
    for await (const chunk of createReadStream(path).pipe(createGunzip({ chunkSize: 64 * 1024 }))) bytes += chunk.length;
  } else if (stage === "decode") {
    for await (const lines of forwarder.readStagingObjectChunks(createReadStream(path))) records += lines.length;
  } else throw new Error(`BENCH_STAGE must be inflate, decode or all, not ${stage}`);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({
    node: process.version, stage, seconds: +seconds.toFixed(2), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    records, decompressedBytes: bytes, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
}
