import { openArchive } from "../query/query-archive.js";
import { AwsServiceError, startAwsJsonServer } from "./aws-json-server.js";

/**
 * An Athena endpoint on loopback (AWS JSON 1.1: POST /, X-Amz-Target AmazonAthena.<Operation>,
 * errors as {"__type", "Message"} with status 400), reached through AWS_ENDPOINT_URL_ATHENA.
 *
 * Each query walks a canned state machine, one state per GetQueryExecution (by default QUEUED →
 * RUNNING → SUCCEEDED). Its answer is either canned (`answer`) or computed by DuckDB over a
 * local archive (`archiveDir`) with the Trino functions the review queries use defined as
 * macros, so what the CLI sends to Athena really runs; a DuckDB error becomes FAILED with
 * Athena's kind of StateChangeReason. Results are text, as Athena gives them, with the header
 * row first and pages of `pageSize` rows joined by NextToken. Credentials are checked by access
 * key id, workgroups by name.
 */

export type FakeState = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

export interface CannedAnswer {
  /** States returned by successive GetQueryExecution calls; the last one repeats. */
  states?: FakeState[];
  /** StateChangeReason when the last state is FAILED or CANCELLED. */
  reason?: string;
  columns?: { name: string; type: string }[];
  rows?: (string | null)[][];
}

export interface FakeAthenaOptions {
  pageSize?: number;
  workgroups?: string[];
  accessKeyIds?: string[];
  archiveDir?: string;
  /** A canned answer for a statement, or undefined to run it over archiveDir. */
  answer?: (sql: string) => CannedAnswer | undefined;
}

export interface FakeAthena {
  readonly endpoint: string;
  /** Every request: operation and input. */
  readonly calls: { op: string; input: Record<string, unknown> }[];
  close(): Promise<void>;
}

interface Execution {
  id: string;
  sql: string;
  states: FakeState[];
  polls: number;
  reason?: string;
  columns: { name: string; type: string }[];
  rows: (string | null)[][];
  stopped: boolean;
}

const ATHENA_TYPES: Record<string, string> = {
  BIGINT: "bigint", HUGEINT: "bigint", INTEGER: "integer", SMALLINT: "smallint", TINYINT: "tinyint", DOUBLE: "double", FLOAT: "real",
  BOOLEAN: "boolean", VARCHAR: "varchar", "TIMESTAMP WITH TIME ZONE": "timestamp", TIMESTAMP: "timestamp", DATE: "date",
};

/** Trino functions the CLI's Athena SQL uses, in DuckDB terms. */
const TRINO_MACROS = [
  "CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)",
  "CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)",
];

export async function startFakeAthena(options: FakeAthenaOptions = {}): Promise<FakeAthena> {
  const pageSize = options.pageSize ?? 3;
  const workgroups = new Set(options.workgroups ?? ["primary"]);
  const executions = new Map<string, Execution>();
  const calls: { op: string; input: Record<string, unknown> }[] = [];
  let nextId = 0;

  async function execute(sql: string): Promise<Pick<Execution, "states" | "reason" | "columns" | "rows">> {
    const canned = options.answer?.(sql);
    if (canned) return { states: canned.states ?? ["QUEUED", "RUNNING", "SUCCEEDED"], ...(canned.reason !== undefined ? { reason: canned.reason } : {}), columns: canned.columns ?? [], rows: canned.rows ?? [] };
    if (options.archiveDir === undefined) return { states: ["FAILED"], reason: "fake: no answer for this statement", columns: [], rows: [] };
    const session = await openArchive(options.archiveDir);
    try {
      for (const m of TRINO_MACROS) await session.query(m);
      const r = await session.query(sql);
      return {
        states: ["QUEUED", "RUNNING", "SUCCEEDED"],
        columns: r.columns.map((c) => ({ name: c.name, type: ATHENA_TYPES[c.type] ?? "varchar" })),
        rows: r.rows.map((row) => r.columns.map((c) => athenaText(row[c.name], c.type))),
      };
    } catch (err) {
      return { states: ["QUEUED", "FAILED"], reason: `SYNTAX_ERROR: ${(err as Error).message.split("\n")[0]}`, columns: [], rows: [] };
    } finally {
      session.close();
    }
  }

  async function operate(op: string, input: Record<string, unknown>): Promise<unknown> {
    if (op === "StartQueryExecution") {
      const wg = String(input["WorkGroup"] ?? "primary");
      if (!workgroups.has(wg)) throw new AwsServiceError("InvalidRequestException", `WorkGroup ${wg} is not found.`);
      const id = `00000000-0000-4000-8000-${String(++nextId).padStart(12, "0")}`;
      const sql = String(input["QueryString"]);
      executions.set(id, { id, sql, polls: 0, stopped: false, ...(await execute(sql)) });
      return { QueryExecutionId: id };
    }
    const id = String(input["QueryExecutionId"]);
    const e = executions.get(id);
    if (!e) throw new AwsServiceError("InvalidRequestException", `QueryExecution ${id} was not found`);
    if (op === "GetQueryExecution") {
      const state = e.stopped ? "CANCELLED" : e.states[Math.min(e.polls, e.states.length - 1)]!;
      e.polls++;
      return {
        QueryExecution: {
          QueryExecutionId: id, Query: e.sql,
          Status: { State: state, ...(state === "FAILED" || state === "CANCELLED" ? { StateChangeReason: e.stopped ? "Query cancelled by user" : e.reason ?? "" } : {}) },
          Statistics: { DataScannedInBytes: 1024 * e.polls, TotalExecutionTimeInMillis: 100 * e.polls },
        },
      };
    }
    if (op === "StopQueryExecution") {
      e.stopped = true;
      return {};
    }
    if (op === "GetQueryResults") {
      const state = e.states[Math.min(Math.max(e.polls - 1, 0), e.states.length - 1)];
      if (state !== "SUCCEEDED") throw new AwsServiceError("InvalidRequestException", `Query has not yet finished. Current state: ${state}`);
      const all = [e.columns.map((c) => c.name), ...e.rows];
      const from = input["NextToken"] === undefined ? 0 : Number(input["NextToken"]);
      const size = Math.min(pageSize, Number(input["MaxResults"] ?? 1000));
      const page = all.slice(from, from + size);
      return {
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: e.columns.map((c) => ({ Name: c.name, Label: c.name, Type: c.type })) },
          Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        },
        ...(from + size < all.length ? { NextToken: String(from + size) } : {}),
      };
    }
    throw new AwsServiceError("UnknownOperationException", `unsupported ${op}`);
  }

  const server = await startAwsJsonServer({
    messageKey: "Message",
    internalError: { type: "InternalServerException", status: 400 },
    answer: async ({ target, input, accessKeyId }) => {
      const op = target.replace(/^AmazonAthena\./, "");
      calls.push({ op, input });
      if (options.accessKeyIds && !options.accessKeyIds.includes(accessKeyId ?? "")) {
        throw new AwsServiceError("UnrecognizedClientException", "The security token included in the request is invalid.");
      }
      return operate(op, input);
    },
  });
  return { endpoint: server.endpoint, calls, close: () => server.close() };
}

/** A DuckDB JSON value as Athena's text: timestamps without DuckDB's "+00", JSON as text. */
function athenaText(v: unknown, duckType: string): string | null {
  if (v === null || v === undefined) return null;
  if (duckType === "TIMESTAMP WITH TIME ZONE") return String(v).replace(/\+00(:00)?$/, "");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
