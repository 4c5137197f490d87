import { setTimeout as sleep } from "node:timers/promises";
import { GetQueryResultsCommand, StartQueryCommand, StopQueryCommand, type CloudWatchLogsClient, type ResultField } from "@aws-sdk/client-cloudwatch-logs";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";
import { awsCallError } from "./athena-client.js";
import { POLL_FIRST_MS, POLL_MAX_MS } from "./athena-query.js";
import type { QueryResult } from "./query-archive.js";

/**
 * A CloudWatch Logs Insights query: StartQuery over one or more log groups and a time range,
 * then GetQueryResults until the status is final. Insights keeps a query's results for 7 days
 * and returns them whole (at most 10,000 rows, the query's `limit`), so there is no paging.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html
 */

export interface InsightsQueryInput {
  logGroups: readonly string[];
  queryString: string;
  /** Epoch milliseconds; Insights takes whole seconds. */
  startTime: number;
  endTime: number;
  /** StartQuery `limit`: rows returned when the query has no `limit` command (the service default is 1,000). */
  limit?: number;
  timeoutMs: number;
  onProgress?: (p: InsightsProgress) => void;
}

export interface InsightsStatistics {
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

export interface InsightsProgress extends InsightsStatistics {
  queryId: string;
  status: string;
  elapsedMs: number;
}

export interface InsightsQueryResult extends QueryResult {
  queryId: string;
  statistics: InsightsStatistics;
}

/** The service's maximum for StartQuery `limit`. */
export const INSIGHTS_MAX_ROWS = 10_000;

export async function runInsightsQuery(client: CloudWatchLogsClient, input: InsightsQueryInput): Promise<InsightsQueryResult> {
  const started = performance.now();
  const doing = `CloudWatch Logs Insights on ${input.logGroups.join(", ")}`;
  let queryId: string;
  try {
    const out = await client.send(new StartQueryCommand({
      logGroupNames: [...input.logGroups],
      queryString: input.queryString,
      startTime: Math.floor(input.startTime / 1000),
      endTime: Math.ceil(input.endTime / 1000),
      ...(input.limit !== undefined ? { limit: input.limit } : {}),
    }));
    if (!out.queryId) throw new Error("StartQuery returned no queryId");
    queryId = out.queryId;
  } catch (err) {
    throw insightsError(err, doing);
  }
  let waitMs = POLL_FIRST_MS;
  for (;;) {
    let page;
    try {
      page = await client.send(new GetQueryResultsCommand({ queryId }));
    } catch (err) {
      throw insightsError(err, doing);
    }
    const status = page.status ?? "Unknown";
    const statistics = { recordsMatched: page.statistics?.recordsMatched ?? 0, recordsScanned: page.statistics?.recordsScanned ?? 0, bytesScanned: page.statistics?.bytesScanned ?? 0 };
    const elapsedMs = performance.now() - started;
    input.onProgress?.({ queryId, status, elapsedMs, ...statistics });
    if (status === "Complete") return { queryId, statistics, ...toResult(page.results ?? []) };
    if (status === "Failed" || status === "Cancelled" || status === "Timeout") {
      throw new CliError(CLI_ERROR_CODES.queryFailed, `Logs Insights query ${queryId} ended ${status}${status === "Timeout" ? " (the service stops queries after 60 minutes)" : ""}`, EXIT.failure);
    }
    if (elapsedMs + waitMs > input.timeoutMs) {
      await client.send(new StopQueryCommand({ queryId })).catch(() => undefined); // best effort: the timeout is the error to report
      throw new CliError(CLI_ERROR_CODES.queryTimeout, `Logs Insights query ${queryId} was still ${status} after ${Math.round(elapsedMs / 1000)} s; stopped it (raise --timeout or shorten --since)`, EXIT.failure);
    }
    await sleep(waitMs);
    waitMs = Math.min(POLL_MAX_MS, Math.round(waitMs * 1.5));
  }
}

function insightsError(err: unknown, doing: string): CliError {
  const e = err as { name?: string; message?: string } | undefined;
  // A query the service cannot parse comes back as MalformedQueryException (with its location).
  if (e?.name === "MalformedQueryException") return new CliError(CLI_ERROR_CODES.queryFailed, `Logs Insights cannot parse the query: ${e.message ?? ""}`, EXIT.failure, { cause: err });
  return awsCallError(err, doing);
}

/** Rows of {field, value} pairs as a table: columns in the order fields first appear; `@ptr`
 * (an opaque pointer for GetLogRecord) is left out. */
function toResult(results: ResultField[][]): QueryResult {
  const names: string[] = [];
  for (const row of results) for (const f of row) if (f.field && f.field !== "@ptr" && !names.includes(f.field)) names.push(f.field);
  return {
    columns: names.map((name) => ({ name, type: "string" })),
    rows: results.map((row) => Object.fromEntries(names.map((n) => [n, row.find((f) => f.field === n)?.value ?? null]))),
  };
}
