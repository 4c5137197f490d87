import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgv } from "../args.js";
import { CLI_ERROR_CODES, CliError, EXIT, UsageError, fileError } from "../errors.js";
import { progress, type CliIo } from "../io.js";
import { formatBytes, formatSeconds, progressLine } from "../query/progress-line.js";
import { openArchive } from "../query/query-archive.js";
import { parseTimeBound } from "../query/time-bound.js";
import { renderHtml, renderJson, renderMarkdown } from "../review/render-review.js";
import {
  DEFAULT_ONEGATE_FIELDS, FAILURE_MARKER_PATTERN, JSON_FIELD_PATTERN, REVIEW_SECTIONS, type OnegateFields, type ReviewWindow,
} from "../review/review-queries.js";
import { runReview, type ReviewEngine } from "../review/run-review.js";
import { parseDuration } from "../tail/parse-duration.js";
import { athenaTarget } from "./query.js";

export const help = `Usage: pnpm cli review [--since 7d] [--until T] [--athena …] [--format md|html|json] [--out FILE]

The periodic review of security logs an ISMS asks for, over a period, as one report:

  ${REVIEW_SECTIONS.map((s) => s.title).join("\n  ")}

It runs over the local archive (DuckDB, <data>/archive) or, with --athena, over the deployed
archive in Athena (one query per section, each filtered on dt so only the period is scanned).
Markdown has text tables; HTML is one file with inline bar charts and no external assets.

Options:
  --since T            start of the period: a duration back from now (7d, 36h) or an ISO date
                       or time (2026-11-16, 2026-11-16T08:00:00Z); default 7d
  --until T            end of the period (exclusive), the same forms; default now
  --baseline D         how far before the period to look when judging new and silent hosts
                       (default 30d)
  --silent-after D     a host is silent when it sent nothing in the last D of the period (default 24h)
  --onegate-fields F   OneGate JSON field names, user=…,ip=…,result=… (default user=user,ip=ip,result=result;
                       the defaults are assumptions: check a real event)
  --onegate-failure S  a OneGate result containing S (any case) is a failure (default fail)
  --format F           md (default), html or json
  --out FILE           write the report to FILE instead of stdout
  --force              replace FILE when it exists
  --data-dir DIR       local: the embedded default's data directory (default .data, or $SYSLOG_DATA_DIR)
  --athena             run the queries in Athena
  --workgroup W        Athena workgroup (default $SYSLOG_ATHENA_WORKGROUP, else primary)
  --database D         Athena database, the stack output glueDatabase (default $SYSLOG_ATHENA_DATABASE)
  --output-location S3URI  Athena result location, for a workgroup that does not set one
  --timeout D          Athena: give up on a section's query (and stop it) after D (default 10m)
  -h, --help           show this help

Examples:
  pnpm cli review --since 7d --format html --out review-$(date +%F).html
  pnpm cli review --athena --workgroup myapp-prod-syslog --database myapp_prod_syslog --since 2026-11-01 --until 2026-12-01

Exit codes: 0 the report was written; 1 a query failed, Athena failed, no archive, or the file
could not be written; 2 usage error.
`;

const OPTIONS = {
  since: { type: "string" },
  until: { type: "string" },
  baseline: { type: "string" },
  "silent-after": { type: "string" },
  "onegate-fields": { type: "string" },
  "onegate-failure": { type: "string" },
  format: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
  "data-dir": { type: "string" },
  athena: { type: "boolean" },
  workgroup: { type: "string" },
  database: { type: "string" },
  "output-location": { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean" },
} as const;

const DEFAULT_SINCE = "7d";
const DEFAULT_BASELINE_MS = 30 * 86_400_000;
const DEFAULT_SILENT_AFTER_MS = 24 * 3_600_000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export function parseOnegateFields(value: string | undefined, failure: string | undefined): OnegateFields {
  const fields: OnegateFields = { ...DEFAULT_ONEGATE_FIELDS };
  for (const pair of value === undefined ? [] : value.split(",")) {
    const m = /^\s*(user|ip|result)\s*=\s*(\S+)\s*$/.exec(pair);
    if (!m) throw new UsageError(`review: --onegate-fields takes user=NAME,ip=NAME,result=NAME, got "${pair}"`);
    if (!JSON_FIELD_PATTERN.test(m[2]!)) throw new UsageError(`review: --onegate-fields: "${m[2]}" is not a JSON field name (letters, digits, _ and dots)`);
    fields[m[1] as "user" | "ip" | "result"] = m[2]!;
  }
  if (failure !== undefined) {
    if (!FAILURE_MARKER_PATTERN.test(failure)) throw new UsageError(`review: --onegate-failure may hold letters, digits, spaces, _ and -, got "${failure}"`);
    fields.failure = failure;
  }
  return fields;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgv("review", argv, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`review: unexpected argument "${positionals[0]}" (see: review --help)`);
  const format = values.json ? "json" : values.format ?? "md";
  if (format !== "md" && format !== "html" && format !== "json") throw new UsageError(`review: --format must be md, html or json, got "${format}"`);
  if (values.json && values.format !== undefined && values.format !== "json") throw new UsageError("review: choose one of --json and --format");
  if (values.force && values.out === undefined) throw new UsageError("review: --force applies only with --out");
  const now = io.now();
  const window: ReviewWindow = {
    since: parseTimeBound("--since", values.since ?? DEFAULT_SINCE, now),
    until: values.until !== undefined ? parseTimeBound("--until", values.until, now) : now.getTime(),
    baselineMs: values.baseline !== undefined ? parseDuration("--baseline", values.baseline) : DEFAULT_BASELINE_MS,
    silentAfterMs: values["silent-after"] !== undefined ? parseDuration("--silent-after", values["silent-after"]) : DEFAULT_SILENT_AFTER_MS,
  };
  if (window.since >= window.until) throw new UsageError("review: --since must be before --until");
  const onegate = parseOnegateFields(values["onegate-fields"], values["onegate-failure"]);
  const outPath = values.out !== undefined ? resolve(io.cwd, values.out) : undefined;
  if (outPath !== undefined && !values.force && existsSync(outPath)) throw fileError(Object.assign(new Error("exists"), { code: "EEXIST" }), outPath, "write");

  let report;
  if (values.athena) {
    if (values["data-dir"] !== undefined) throw new UsageError("review: --data-dir applies only without --athena");
    report = await athenaReview(io, values, window, onegate, now);
  } else {
    const athenaOnly = (["workgroup", "database", "output-location", "timeout"] as const).filter((n) => values[n] !== undefined);
    if (athenaOnly.length > 0) throw new UsageError(`review: ${athenaOnly.map((n) => `--${n}`).join(", ")} applies only with --athena`);
    const archiveDir = resolve(io.cwd, values["data-dir"] ?? io.env["SYSLOG_DATA_DIR"] ?? ".data", "archive");
    if (!existsSync(archiveDir)) {
      throw new CliError(CLI_ERROR_CODES.fileNotFound, `no archive at ${archiveDir}: nothing to review (pass --data-dir, or --athena for the deployed archive)`, EXIT.failure);
    }
    const session = await openArchive(archiveDir);
    try {
      report = await runReview({ dialect: "duckdb", description: `the local archive ${archiveDir}`, query: (sql) => session.query(sql) }, window, onegate, now);
    } finally {
      session.close();
    }
  }
  const text = format === "html" ? renderHtml(report) : format === "json" ? renderJson(report) : renderMarkdown(report);
  if (outPath === undefined) {
    io.stdout.write(text);
    return EXIT.ok;
  }
  try {
    await writeFile(outPath, text, { flag: values.force ? "w" : "wx" });
  } catch (err) {
    throw fileError(err, outPath, "write");
  }
  progress(io, `wrote ${outPath}`);
  return EXIT.ok;
}

async function athenaReview(
  io: CliIo,
  values: { workgroup?: string | undefined; database?: string | undefined; "output-location"?: string | undefined; timeout?: string | undefined },
  window: ReviewWindow, onegate: OnegateFields, now: Date,
) {
  const target = athenaTarget(io, values);
  const timeoutMs = values.timeout !== undefined ? parseDuration("--timeout", values.timeout) : DEFAULT_TIMEOUT_MS;
  const { createAthenaClient } = await import("../query/athena-client.js");
  const { runAthenaQuery } = await import("../query/athena-query.js");
  const client = createAthenaClient(io.env);
  const line = progressLine(io);
  let scanned = 0;
  const engine: ReviewEngine = {
    dialect: "athena",
    description: `Athena (workgroup ${target.workgroup}${target.database !== undefined ? `, database ${target.database}` : ""})`,
    async query(sql, section, index) {
      const r = await runAthenaQuery(client, {
        sql, ...target, timeoutMs,
        onProgress: (p) => line.update(`review ${index + 1}/${REVIEW_SECTIONS.length} ${section.title}: ${p.state}  ${formatBytes(scanned + p.bytesScanned)} scanned  ${formatSeconds(p.elapsedMs)}`),
      }).catch((err: unknown) => {
        if (err instanceof CliError) throw new CliError(err.code, `review, section "${section.title}": ${err.message}`, err.exitCode, { cause: err });
        throw err;
      });
      scanned += r.bytesScanned;
      return r;
    },
  };
  try {
    const report = await runReview(engine, window, onegate, now);
    return { ...report, engine: `${engine.description}, ${formatBytes(scanned)} scanned` };
  } finally {
    line.done();
  }
}
