import { resolve } from "node:path";
import { parseArgv } from "../args.js";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { queryArchive, type QueryResult } from "../query/query-archive.js";

export const help = `Usage: pnpm query [options] "<SQL>"
       pnpm cli query [options] "<SQL>"

Runs SQL (DuckDB) over the local archive, <data>/archive/**/*.parquet, as table "logs": the
schema-v1 columns plus the partition columns route, dt and hour. For example:

  pnpm query "select count(*) from logs"
  pnpm query "select hostname, severity_name, message from logs where route = 'secure' order by received_at desc limit 20"
  pnpm query "select message_json->>'user' as user, count(*) from logs where route = 'onegate' group by 1"

Options:
  --data-dir DIR   the embedded default's data directory (default .data, or $SYSLOG_DATA_DIR)
  --json           one JSON object per row (NDJSON)
  --csv            CSV with a header line
  -h, --help       show this help
`;

const OPTIONS = {
  "data-dir": { type: "string" },
  json: { type: "boolean" },
  csv: { type: "boolean" },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgv("query", argv, OPTIONS);
  const sql = positionals.join(" ").trim();
  if (!sql) throw new UsageError('query: give the SQL as one argument, e.g. pnpm query "select count(*) from logs"');
  if (values.json && values.csv) throw new UsageError("query: choose one of --json and --csv");
  const dataDir = resolve(io.cwd, values["data-dir"] ?? io.env["SYSLOG_DATA_DIR"] ?? ".data");
  const result = await queryArchive(resolve(dataDir, "archive"), sql);
  if (values.json) for (const row of result.rows) io.stdout.write(`${JSON.stringify(row)}\n`);
  else if (values.csv) io.stdout.write(toCsv(result));
  else io.stdout.write(toTable(result));
  return 0;
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
