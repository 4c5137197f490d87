import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgv } from "../args.js";
import { UsageError } from "../errors.js";
import { warn, type CliIo } from "../io.js";
import { queryArchive, type QueryResult } from "../query/query-archive.js";
import { formatBytes, formatSeconds, progressLine } from "../query/progress-line.js";
import { parseTimeBound } from "../query/time-bound.js";
import { parseDuration } from "../tail/parse-duration.js";

export const help = `Usage: pnpm query [options] "<SQL>"
       pnpm cli query [options] "<SQL>"
       pnpm cli query --athena [--workgroup W] [--database D] "<SQL>"
       pnpm cli query --insights --log-group G [--log-group G2 …] [--since 1h] "<query>"

Without --athena or --insights, runs SQL (DuckDB) over the local archive,
<data>/archive/**/*.parquet, as table "logs": the schema-v1 columns plus the partition columns
route, dt and hour. For example:

  pnpm query "select count(*) from logs"
  pnpm query "select hostname, severity_name, message from logs where route = 'secure' order by received_at desc limit 20"
  pnpm query "select message_json->>'user' as user, count(*) from logs where route = 'onegate' group by 1"

--athena runs the SQL in Amazon Athena over the deployed archive (the same table "logs" in the
stack's Glue database; filter on dt so partition projection prunes what is scanned), waiting
for it with a progress line on a terminal (state, bytes scanned, time):

  pnpm cli query --athena --workgroup myapp-prod-syslog --database myapp_prod_syslog \\
    "select hostname, count(*) from logs where dt = '2026-11-23' group by 1 order by 2 desc"

--insights runs a CloudWatch Logs Insights query over log groups and a time range:

  pnpm cli query --insights --log-group /var/log/secure --since 24h \\
    "fields @timestamp, @message | filter @message like /Failed password/ | limit 50"

Options:
  --data-dir DIR          local: the embedded default's data directory (default .data, or $SYSLOG_DATA_DIR)
  --athena                run the SQL in Athena
  --workgroup W           Athena workgroup (default $SYSLOG_ATHENA_WORKGROUP, else primary)
  --database D            Athena database, the stack output glueDatabase (default $SYSLOG_ATHENA_DATABASE)
  --output-location S3URI Athena result location, for a workgroup that does not set one
  --insights              run a CloudWatch Logs Insights query
  --log-group G           Insights: a log group to query (repeat for several, up to 50)
  --since T               Insights: start, a duration back from now or an ISO time (default 1h)
  --until T               Insights: end (default now)
  --limit N               Insights: rows returned when the query has no limit command (1-10000)
  --timeout D             Athena/Insights: give up (and stop the query) after D (default 10m)
  --format F              table (default), csv or json (one JSON object per row)
  --json, --csv           the same as --format json, --format csv
  -h, --help              show this help

Athena and Insights take the region and credentials from the AWS SDK's usual settings
(AWS_REGION, AWS_PROFILE, …); AWS_ENDPOINT_URL_ATHENA / AWS_ENDPOINT_URL_CLOUDWATCH_LOGS
point them at another endpoint.

Exit codes: 0 ok; 1 the query failed (bad SQL, FAILED or CANCELLED in Athena, --timeout, AWS
error such as an unknown workgroup or rejected credentials); 2 usage error.
`;

const OPTIONS = {
  "data-dir": { type: "string" },
  json: { type: "boolean" },
  csv: { type: "boolean" },
  format: { type: "string" },
  athena: { type: "boolean" },
  workgroup: { type: "string" },
  database: { type: "string" },
  "output-location": { type: "string" },
  insights: { type: "boolean" },
  "log-group": { type: "string", multiple: true },
  since: { type: "string" },
  until: { type: "string" },
  limit: { type: "string" },
  timeout: { type: "string" },
} as const;

export type OutputFormat = "table" | "csv" | "json";

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_INSIGHTS_SINCE = "1h";
/** StartQuery takes at most 50 log groups. */
const MAX_LOG_GROUPS = 50;

export function outputFormat(command: string, values: { format?: string | undefined; json?: boolean | undefined; csv?: boolean | undefined }): OutputFormat {
  const chosen = [values.format, values.json ? "json" : undefined, values.csv ? "csv" : undefined].filter((f) => f !== undefined);
  if (new Set(chosen).size > 1) throw new UsageError(`${command}: choose one of --json, --csv and --format`);
  const format = chosen[0] ?? "table";
  if (format !== "table" && format !== "csv" && format !== "json") throw new UsageError(`${command}: --format must be table, csv or json, got "${format}"`);
  return format;
}

/** Options of one engine that make no sense with another: said, not ignored. */
function rejectOptions(present: Record<string, unknown>, names: readonly string[], mode: string): void {
  const given = names.filter((n) => present[n] !== undefined);
  if (given.length > 0) throw new UsageError(`query: ${given.map((n) => `--${n}`).join(", ")} ${given.length === 1 ? "applies" : "apply"} only with ${mode}`);
}

export function athenaTarget(io: CliIo, values: { workgroup?: string | undefined; database?: string | undefined; "output-location"?: string | undefined }) {
  const workgroup = values.workgroup ?? (io.env["SYSLOG_ATHENA_WORKGROUP"] || "primary");
  const database = values.database ?? (io.env["SYSLOG_ATHENA_DATABASE"] || undefined);
  const outputLocation = values["output-location"];
  if (outputLocation !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(outputLocation)) {
    throw new UsageError(`--output-location must be an S3 URI such as s3://my-bucket/athena/, got "${outputLocation}"`);
  }
  return { workgroup, ...(database !== undefined ? { database } : {}), ...(outputLocation !== undefined ? { outputLocation } : {}) };
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgv("query", argv, OPTIONS);
  const sql = positionals.join(" ").trim();
  if (!sql) throw new UsageError('query: give the SQL as one argument, e.g. pnpm query "select count(*) from logs"');
  const format = outputFormat("query", values);
  if (values.athena && values.insights) throw new UsageError("query: choose one of --athena and --insights");
  const timeoutMs = values.timeout !== undefined ? parseDuration("--timeout", values.timeout) : DEFAULT_TIMEOUT_MS;
  const athenaOnly = ["workgroup", "database", "output-location"] as const;
  const insightsOnly = ["log-group", "since", "until", "limit"] as const;

  let result: QueryResult;
  let summary: string | undefined;
  if (values.athena) {
    rejectOptions(values, [...insightsOnly, "data-dir"], "--insights or locally");
    const target = athenaTarget(io, values);
    const { createAthenaClient } = await import("../query/athena-client.js");
    const { runAthenaQuery } = await import("../query/athena-query.js");
    const line = progressLine(io);
    try {
      const r = await runAthenaQuery(createAthenaClient(io.env), {
        sql, ...target, timeoutMs,
        onProgress: (p) => line.update(`Athena ${p.queryExecutionId}: ${p.state}  ${formatBytes(p.bytesScanned)} scanned  ${formatSeconds(p.elapsedMs)}`),
      });
      result = r;
      summary = `Athena query ${r.queryExecutionId}: ${formatBytes(r.bytesScanned)} scanned in ${formatSeconds(r.executionMs)}`;
    } finally {
      line.done();
    }
  } else if (values.insights) {
    rejectOptions(values, [...athenaOnly, "data-dir"], "--athena");
    const logGroups = values["log-group"] ?? [];
    if (logGroups.length === 0) throw new UsageError("query --insights: name at least one --log-group, e.g. --log-group /var/log/secure");
    if (logGroups.length > MAX_LOG_GROUPS) throw new UsageError(`query --insights: at most ${MAX_LOG_GROUPS} --log-group, got ${logGroups.length}`);
    const now = io.now();
    const startTime = parseTimeBound("--since", values.since ?? DEFAULT_INSIGHTS_SINCE, now);
    const endTime = values.until !== undefined ? parseTimeBound("--until", values.until, now) : now.getTime();
    if (startTime >= endTime) throw new UsageError("query --insights: --since must be before --until");
    const { INSIGHTS_MAX_ROWS, runInsightsQuery } = await import("../query/insights-query.js");
    let limit: number | undefined;
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!/^[0-9]+$/.test(values.limit) || limit < 1 || limit > INSIGHTS_MAX_ROWS) throw new UsageError(`query --insights: --limit must be a whole number from 1 to ${INSIGHTS_MAX_ROWS}, got "${values.limit}"`);
    }
    const { createLogsClient } = await import("../tail/cloudwatch-tail.js");
    const line = progressLine(io);
    try {
      const r = await runInsightsQuery(createLogsClient(io.env), {
        logGroups, queryString: sql, startTime, endTime, timeoutMs, ...(limit !== undefined ? { limit } : {}),
        onProgress: (p) => line.update(`Logs Insights ${p.queryId}: ${p.status}  ${p.recordsMatched} matched of ${p.recordsScanned} scanned (${formatBytes(p.bytesScanned)})  ${formatSeconds(p.elapsedMs)}`),
      });
      result = r;
      const s = r.statistics;
      summary = `Logs Insights query ${r.queryId}: ${s.recordsMatched} records matched, ${s.recordsScanned} scanned, ${formatBytes(s.bytesScanned)}`;
    } finally {
      line.done();
    }
  } else {
    rejectOptions(values, [...athenaOnly, ...insightsOnly, "timeout"], "--athena or --insights");
    const dataDir = resolve(io.cwd, values["data-dir"] ?? io.env["SYSLOG_DATA_DIR"] ?? ".data");
    const archiveDir = resolve(dataDir, "archive");
    // Not an error: a script may query before the first record is archived (and get 0 rows).
    if (!existsSync(archiveDir)) warn(io, `no archive at ${archiveDir} yet (run pnpm start and send something, or pass --data-dir); "logs" is empty`);
    result = await queryArchive(archiveDir, sql);
  }
  io.stdout.write(formatResult(result, format));
  // Statistics go to stderr, so stdout stays the table alone.
  if (summary !== undefined && format === "table") io.stderr.write(`${summary}\n`);
  return 0;
}

export function formatResult(result: QueryResult, format: OutputFormat): string {
  if (format === "json") return result.rows.map((row) => `${JSON.stringify(row)}\n`).join("");
  return format === "csv" ? toCsv(result) : toTable(result);
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function toTable(result: QueryResult): string {
  const names = result.columns.map((c) => c.name);
  const rows = result.rows.map((r) => names.map((n) => cell(r[n]).replace(/[\r\n\t]/g, " ")));
  const widths = names.map((n, i) => Math.min(80, Math.max(n.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(names), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line), `(${rows.length} row${rows.length === 1 ? "" : "s"})`, ""].join("\n");
}

export function toCsv(result: QueryResult): string {
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const names = result.columns.map((c) => c.name);
  return [names.map(quote).join(","), ...result.rows.map((r) => names.map((n) => quote(cell(r[n]))).join(",")), ""].join("\r\n");
}
