import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DuckDBInstance, type Json } from "@duckdb/node-api";
import { ARCHIVE_COLUMNS, ARCHIVE_PARTITION_KEYS, type GlueType } from "@aws-syslog/forwarder";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";

/**
 * SQL over the local archive (`pnpm query "<SQL>"`): an in-memory DuckDB with one view, `logs`,
 * over every `<archive dir>/**\/*.parquet` file, the Hive partition keys read from the path as
 * columns `route`, `dt`, `hour`. They are VARCHAR, as in the Glue table, so a query written here
 * (`WHERE dt = '2024-05-06' AND hour = '07'`) runs unchanged in Athena. Timestamps are shown in
 * UTC. Nothing is written: the archive files are only read.
 */

export interface QueryColumn {
  readonly name: string;
  /** DuckDB's type name, e.g. VARCHAR, BIGINT, TIMESTAMP WITH TIME ZONE. */
  readonly type: string;
}

export interface QueryResult {
  readonly columns: readonly QueryColumn[];
  /** JSON-safe values: BIGINT and DECIMAL as strings where a JS number could not hold them,
   * timestamps as ISO-like strings, as @duckdb/node-api's Json conversion gives them. */
  readonly rows: readonly Record<string, Json>[];
}

/** CLI_QUERY_FAILED: the SQL did not run (syntax, unknown column, type error…). Exit 1. */
export class ArchiveQueryError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(CLI_ERROR_CODES.queryFailed, message, EXIT.failure, options);
  }
}

const DUCKDB_TYPES: Record<GlueType, string> = { int: "INTEGER", string: "VARCHAR", timestamp: "TIMESTAMPTZ", boolean: "BOOLEAN" };

/** `'…'` with quotes doubled: the one SQL literal we build ourselves (a path). */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Whether `dir` holds at least one .parquet file at any depth (read_parquet fails on none). */
async function hasParquet(dir: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
  return entries.some((e) => e.isFile() && e.name.endsWith(".parquet") && !e.name.startsWith("."));
}

/** The statement that defines `logs`: over the files, or, for an empty archive, an empty table
 * with the same columns, so `SELECT count(*) FROM logs` says 0 instead of failing. */
export async function logsViewSql(archiveDir: string): Promise<string> {
  const dir = resolve(archiveDir);
  if (!(await hasParquet(dir))) {
    const columns = [
      ...ARCHIVE_COLUMNS.map((c) => `${c.name} ${DUCKDB_TYPES[c.glueType]}`),
      ...ARCHIVE_PARTITION_KEYS.map((k) => `${k.name} VARCHAR`),
    ];
    return `CREATE TABLE logs (${columns.join(", ")})`;
  }
  const hiveTypes = ARCHIVE_PARTITION_KEYS.map((k) => `${literal(k.name)}: VARCHAR`).join(", ");
  // union_by_name: files written before a column was added still read (with NULLs for it).
  return (
    `CREATE VIEW logs AS SELECT * FROM read_parquet(${literal(join(dir, "**", "*.parquet"))}, ` +
    `hive_partitioning = true, hive_types = {${hiveTypes}}, union_by_name = true)`
  );
}

/** An open DuckDB over the archive: several statements on one connection (review runs six). */
export interface ArchiveSession {
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

export async function openArchive(archiveDir: string): Promise<ArchiveSession> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(await logsViewSql(archiveDir));
  } catch (err) {
    connection.closeSync();
    instance.closeSync();
    throw err;
  }
  return {
    async query(sql) {
      let reader;
      try {
        reader = await connection.runAndReadAll(sql);
      } catch (err) {
        throw new ArchiveQueryError((err as Error).message, { cause: err });
      }
      const names = reader.columnNames();
      const columns = names.map((name, i) => ({ name, type: reader.columnType(i).toString() }));
      return { columns, rows: reader.getRowObjectsJson() };
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs `sql` over the archive under `archiveDir` (e.g. `.data/archive`), table `logs`. */
export async function queryArchive(archiveDir: string, sql: string): Promise<QueryResult> {
  const session = await openArchive(archiveDir);
  try {
    return await session.query(sql);
  } finally {
    session.close();
  }
}
