import { setTimeout as sleep } from "node:timers/promises";
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
  type Row,
} from "@aws-sdk/client-athena";
import type { Json } from "@duckdb/node-api";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";
import { awsCallError } from "./athena-client.js";
import type { QueryResult } from "./query-archive.js";

/**
 * One SQL statement in Athena: StartQueryExecution, then GetQueryExecution until the state is
 * final, then GetQueryResults page by page. A query still running at `timeoutMs` is stopped
 * (StopQueryExecution: Athena bills the bytes it scans, so an abandoned query must not keep
 * scanning) and reported as CLI_QUERY_TIMEOUT.
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryExecution.html
 */

export interface AthenaQueryInput {
  sql: string;
  /** Athena's own default workgroup is "primary"; a deployment's is the stack output athenaWorkgroup. */
  workgroup: string;
  /** QueryExecutionContext.Database (the stack output glueDatabase); unqualified `logs` resolves in it. */
  database?: string;
  /** ResultConfiguration.OutputLocation, for a workgroup that does not enforce its own. */
  outputLocation?: string;
  timeoutMs: number;
  onProgress?: (p: AthenaProgress) => void;
}

export type AthenaState = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

export interface AthenaProgress {
  queryExecutionId: string;
  state: AthenaState;
  bytesScanned: number;
  elapsedMs: number;
}

export interface AthenaQueryResult extends QueryResult {
  queryExecutionId: string;
  bytesScanned: number;
  /** Athena's TotalExecutionTimeInMillis (queue + planning + engine). */
  executionMs: number;
}

/** First GetQueryExecution after this, then each wait 1.5× the last, up to POLL_MAX_MS: short
 * queries answer within a second, long ones are not polled more than every 2 s. */
export const POLL_FIRST_MS = 200;
export const POLL_MAX_MS = 2_000;
/** GetQueryResults returns at most 1,000 rows per page. */
export const RESULTS_PAGE_ROWS = 1_000;

/** CLI_QUERY_FAILED: Athena ran the query and it ended FAILED or CANCELLED; the message is Athena's StateChangeReason. */
export class AthenaQueryFailed extends CliError {
  constructor(message: string, readonly state: AthenaState) {
    super(CLI_ERROR_CODES.queryFailed, message, EXIT.failure);
  }
}

export async function runAthenaQuery(client: AthenaClient, input: AthenaQueryInput): Promise<AthenaQueryResult> {
  const started = performance.now();
  const context = { workgroup: input.workgroup };
  let queryExecutionId: string;
  try {
    const out = await client.send(new StartQueryExecutionCommand({
      QueryString: input.sql,
      WorkGroup: input.workgroup,
      ...(input.database !== undefined ? { QueryExecutionContext: { Database: input.database } } : {}),
      ...(input.outputLocation !== undefined ? { ResultConfiguration: { OutputLocation: input.outputLocation } } : {}),
    }));
    if (!out.QueryExecutionId) throw new Error("StartQueryExecution returned no QueryExecutionId");
    queryExecutionId = out.QueryExecutionId;
  } catch (err) {
    throw awsCallError(err, "Athena StartQueryExecution", context);
  }

  let waitMs = POLL_FIRST_MS;
  for (;;) {
    let execution;
    try {
      execution = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId }))).QueryExecution;
    } catch (err) {
      throw awsCallError(err, "Athena GetQueryExecution", context);
    }
    const state = (execution?.Status?.State ?? "QUEUED") as AthenaState;
    const bytesScanned = execution?.Statistics?.DataScannedInBytes ?? 0;
    const elapsedMs = performance.now() - started;
    input.onProgress?.({ queryExecutionId, state, bytesScanned, elapsedMs });
    if (state === "SUCCEEDED") {
      const { columns, rows } = await fetchResults(client, queryExecutionId, context);
      return { queryExecutionId, columns, rows, bytesScanned, executionMs: execution?.Statistics?.TotalExecutionTimeInMillis ?? Math.round(elapsedMs) };
    }
    if (state === "FAILED" || state === "CANCELLED") {
      const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? "no reason given";
      // The usual cause: `logs` looked up in Athena's "default" database.
      const hint = input.database === undefined && /TABLE_NOT_FOUND|does not exist/i.test(reason) ? " (no --database given: pass the stack output glueDatabase)" : "";
      throw new AthenaQueryFailed(`Athena query ${queryExecutionId} ${state}: ${reason}${hint}`, state);
    }
    if (elapsedMs + waitMs > input.timeoutMs) {
      await client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryExecutionId })).catch(() => undefined); // best effort: the timeout is the error to report
      throw new CliError(
        CLI_ERROR_CODES.queryTimeout,
        `Athena query ${queryExecutionId} was still ${state} after ${Math.round(elapsedMs / 1000)} s; stopped it (raise --timeout, or narrow the query by dt)`,
        EXIT.failure,
      );
    }
    await sleep(waitMs);
    waitMs = Math.min(POLL_MAX_MS, Math.round(waitMs * 1.5));
  }
}

async function fetchResults(client: AthenaClient, queryExecutionId: string, context: { workgroup: string }): Promise<QueryResult> {
  let info: ColumnInfo[] | undefined;
  const rows: Row[] = [];
  let nextToken: string | undefined;
  let first = true;
  do {
    let page;
    try {
      page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, MaxResults: RESULTS_PAGE_ROWS, ...(nextToken ? { NextToken: nextToken } : {}) }));
    } catch (err) {
      throw awsCallError(err, "Athena GetQueryResults", context);
    }
    info ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    const pageRows = page.ResultSet?.Rows ?? [];
    // A SELECT's first row holds the column labels (DDL and EXPLAIN results have none).
    if (first && pageRows.length > 0 && isHeader(pageRows[0]!, info)) pageRows.shift();
    first = false;
    rows.push(...pageRows);
    nextToken = page.NextToken;
  } while (nextToken);
  const columns = info!.map((c) => ({ name: c.Label ?? c.Name ?? "", type: c.Type ?? "varchar" }));
  return { columns, rows: rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, athenaValue(r.Data?.[i]?.VarCharValue, c.type)]))) };
}

function isHeader(row: Row, info: ColumnInfo[]): boolean {
  const data = row.Data ?? [];
  return data.length === info.length && info.every((c, i) => data[i]?.VarCharValue === (c.Label ?? c.Name));
}

/** Athena gives every value as text (absent for NULL); numbers and booleans become JSON ones,
 * as DuckDB's rows do, except a bigint a JS number cannot hold exactly, which stays a string. */
export function athenaValue(text: string | undefined, type: string): Json {
  if (text === undefined) return null;
  switch (type.toLowerCase()) {
    case "tinyint":
    case "smallint":
    case "integer":
    case "int":
    case "double":
    case "float":
    case "real": {
      const n = Number(text);
      return Number.isNaN(n) ? text : n;
    }
    case "bigint": {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : text;
    }
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    default:
      return text;
  }
}
