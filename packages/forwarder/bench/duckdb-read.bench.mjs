// What DuckDB would bring to the CloudWatch half: it reads the staging object itself (gunzip +
// NDJSON parse in C++, one thread), and the rows then have to come back into JavaScript, where
// the event batches are built for the SDK, either row by row or as whole calls built in SQL.
// Measures each on the CloudWatch-core benchmark's object, per CPU-second, against the
// forwarder's own decode (BENCH_STAGE=decode) and core. The whole-call query holds the object's
// events in memory: use the 30 MB object (~560 MiB RSS).
//
//   BENCH_OBJECT_MB=30 node packages/forwarder/bench/cloudwatch-core.bench.mjs   # makes the object
//   BENCH_OBJECT_MB=30 node packages/forwarder/bench/duckdb-read.bench.mjs
//   node packages/forwarder/bench/duckdb-read.bench.mjs --archive   # the archive's side (below)
//
// @duckdb/node-api is the CLI's dependency (pnpm query); the forwarder does not ship it.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const archive = process.argv.includes("--archive");
const targetMb = Number(process.env.BENCH_OBJECT_MB ?? 100);
const file = archive
  ? join(tmpdir(), `aws-syslog-archive-bench-${targetMb}mb-0h.ndjson.gz`)
  : join(tmpdir(), `aws-syslog-cloudwatch-bench-${targetMb}mb.ndjson.gz`);
if (!existsSync(file)) {
  const maker = archive ? "archive.bench.mjs --mb" : "cloudwatch-core.bench.mjs with BENCH_OBJECT_MB=";
  console.error(`${file} is missing: run ${maker}${targetMb} first`);
  process.exit(2);
}
const require = createRequire(new URL("../../cli/package.json", import.meta.url));
const { DuckDBInstance } = await import(require.resolve("@duckdb/node-api"));

const COLUMNS = `columns={truncated:'BOOLEAN', v:'INTEGER', received_at:'VARCHAR', "timestamp":'VARCHAR', facility:'INTEGER',
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

if (archive) {
  // The archive half in DuckDB: the staging object straight to Parquet (ZSTD), then with the
  // partitions the archive writes (route/dt/hour; routes simplified), then with schema-v1
  // validation as SQL predicates as well (what isRecordShape checks, roughly).
  const out = await import("node:fs/promises").then((fs) => fs.mkdtemp(join(tmpdir(), "aws-syslog-duckdb-bench-")));
  const VALID = `v = 1 AND regexp_full_match(received_at, '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z')
    AND try_cast(received_at AS TIMESTAMP) IS NOT NULL AND facility BETWEEN 0 AND 23 AND severity BETWEEN 0 AND 7
    AND facility_name IS NOT NULL AND severity_name IS NOT NULL AND message IS NOT NULL
    AND format IN ('rfc5424', 'rfc3164', 'unparsed') AND (source_port IS NULL OR source_port BETWEEN 0 AND 65535)
    AND listener IS NOT NULL AND (message_json IS NULL OR json_type(message_json) = 'OBJECT') AND (truncated IS NULL OR truncated)`;
  const PARTITIONED = `SELECT *, CASE WHEN facility = 10 THEN 'secure' WHEN facility = 16 THEN 'onegate' WHEN facility = 2 THEN 'maillog'
    WHEN facility = 9 THEN 'cron' WHEN facility = 23 THEN 'boot' WHEN severity <= 6 THEN 'messages' ELSE 'unrouted' END AS route,
    received_at[1:10] AS dt, received_at[12:13] AS hour FROM ${source}`;
  const runs = [
    ["oneFile", `COPY (SELECT * FROM ${source}) TO '${out}/one.parquet' (FORMAT parquet, COMPRESSION zstd)`],
    ["partitioned", `COPY (${PARTITIONED}) TO '${out}/p' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (route, dt, hour))`],
    ["partitionedValidated", `COPY (${PARTITIONED} WHERE ${VALID}) TO '${out}/v' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (route, dt, hour))`],
  ];
  const rows = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0][0]);
  for (const [name, sql] of runs) {
    const run = await cpu(() => connection.run(sql));
    results[name] = { rows, cpuSeconds: run.cpuSeconds, rowsPerCpuSecond: Math.round(rows / run.cpuSeconds) };
  }
  await import("node:fs/promises").then((fs) => fs.rm(out, { recursive: true, force: true }));
  results.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify(results, null, 2));
  process.exit(0);
}

const read = await cpu(async () => Number((await connection.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0][0]));
results.readAndParse = { records: read.value, cpuSeconds: read.cpuSeconds, recordsPerCpuSecond: Math.round(read.value / read.cpuSeconds) };
for (const [name, select] of [["messageOnly", "message"], ["sevenColumns", `facility, severity, hostname, app_name, proc_id, message, "timestamp"`]]) {
  const run = await cpu(() => materialize(select));
  results[name] = { records: run.value, cpuSeconds: run.cpuSeconds, recordsPerCpuSecond: Math.round(run.value / run.cpuSeconds) };
}
// The batches built in SQL instead: routes (a simplified table), the syslog line, per-stream time
// order, calls cut by event count and bytes with window functions (a cut at 768 KiB keeps each
// call under 1 MiB, since one event is at most 256 KiB), each call's events as one JSON string
// that JavaScript parses once.
const BATCHES = `
WITH t AS (
  SELECT *, epoch_ms(coalesce(try_cast("timestamp" AS TIMESTAMPTZ), received_at::TIMESTAMPTZ)) AS ms
  FROM ${source} WHERE severity <= 6),
e AS (
  SELECT CASE WHEN facility = 16 THEN '/aws-syslog/onegate' WHEN facility = 10 THEN '/var/log/secure' ELSE '/var/log/messages' END AS grp,
         coalesce(hostname, 'unknown') AS stream, ms,
         CASE WHEN message_json IS NOT NULL THEN message_json::VARCHAR
              ELSE strftime(make_timestamp(ms * 1000), '%b %d %H:%M:%S') || ' ' || coalesce(hostname, source_ip, '-') || ' ' ||
                   CASE WHEN app_name IS NULL THEN '' WHEN proc_id IS NULL THEN app_name || ': ' ELSE app_name || '[' || proc_id || ']: ' END ||
                   message END AS text
  FROM t),
o AS (
  SELECT *, row_number() OVER w AS n, sum(strlen(text) + 26) OVER w AS cum
  FROM e WINDOW w AS (PARTITION BY grp, stream ORDER BY ms ROWS UNBOUNDED PRECEDING))
SELECT grp, stream, count(*) AS events,
       '[' || string_agg('{"timestamp":' || ms || ',"message":' || to_json(text)::VARCHAR || '}', ',' ORDER BY ms) || ']' AS payload
FROM o GROUP BY grp, stream, greatest((n - 1) // 10000, cum // 786432)`;
const batches = await cpu(async () => {
  const result = await connection.stream(BATCHES);
  let events = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const payloads = chunk.getColumns()[3];
    for (let i = 0; i < chunk.rowCount; i++) events += JSON.parse(payloads[i]).length;
  }
  return events;
});
results.batchesInSql = { events: batches.value, cpuSeconds: batches.cpuSeconds, eventsPerCpuSecond: Math.round(batches.value / batches.cpuSeconds) };
results.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(results, null, 2));
