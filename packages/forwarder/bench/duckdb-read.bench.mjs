// What DuckDB would bring to the CloudWatch half: it reads the staging object itself (gunzip +
// NDJSON parse in C++, one thread), and the rows then have to come back into JavaScript, where
// the event batches are built for the SDK. Measures both steps on the CloudWatch-core
// benchmark's object, per CPU-second, against the forwarder's own decode (BENCH_STAGE=decode).
//
//   BENCH_OBJECT_MB=30 node packages/forwarder/bench/cloudwatch-core.bench.mjs   # makes the object
//   BENCH_OBJECT_MB=30 node packages/forwarder/bench/duckdb-read.bench.mjs
//
// @duckdb/node-api is the CLI's dependency (pnpm query); the forwarder does not ship it.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const targetMb = Number(process.env.BENCH_OBJECT_MB ?? 100);
const file = join(tmpdir(), `aws-syslog-cloudwatch-bench-${targetMb}mb.ndjson.gz`);
if (!existsSync(file)) {
  console.error(`${file} is missing: run cloudwatch-core.bench.mjs with the same BENCH_OBJECT_MB first`);
  process.exit(2);
}
const require = createRequire(new URL("../../cli/package.json", import.meta.url));
const { DuckDBInstance } = await import(require.resolve("@duckdb/node-api"));

const COLUMNS = `columns={v:'INTEGER', received_at:'VARCHAR', "timestamp":'VARCHAR', facility:'INTEGER',
  severity:'INTEGER', facility_name:'VARCHAR', severity_name:'VARCHAR', hostname:'VARCHAR', app_name:'VARCHAR',
  proc_id:'VARCHAR', msg_id:'VARCHAR', structured_data:'JSON', message:'VARCHAR', message_json:'JSON',
  format:'VARCHAR', source_ip:'VARCHAR', source_port:'INTEGER', tls_peer:'VARCHAR', listener:'VARCHAR', raw:'VARCHAR'}`;
const source = `read_ndjson('${file}', compression='gzip', format='newline_delimited', ${COLUMNS})`;

const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
const connection = await instance.connect();
const results = { node: process.version, object: file };

/** CPU-seconds of fn (DuckDB runs on this process's threads, so they count). */
async function cpu(fn) {
  const c0 = process.cpuUsage();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { cpuSeconds: +((c.user + c.system) / 1e6).toFixed(2), value };
}

/** Streams a query's rows into JavaScript values, as a batcher would need them. */
async function materialize(select) {
  const result = await connection.stream(`SELECT ${select} FROM ${source}`);
  let rows = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (const column of chunk.getColumns()) for (let i = 0; i < chunk.rowCount; i++) void column[i];
    rows += chunk.rowCount;
  }
  return rows;
}

const read = await cpu(async () => Number((await connection.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0][0]));
results.readAndParse = { records: read.value, cpuSeconds: read.cpuSeconds, recordsPerCpuSecond: Math.round(read.value / read.cpuSeconds) };
for (const [name, select] of [["messageOnly", "message"], ["sevenColumns", `facility, severity, hostname, app_name, proc_id, message, "timestamp"`]]) {
  const run = await cpu(() => materialize(select));
  results[name] = { records: run.value, cpuSeconds: run.cpuSeconds, recordsPerCpuSecond: Math.round(run.value / run.cpuSeconds) };
}
console.log(JSON.stringify(results, null, 2));
