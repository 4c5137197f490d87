import { AwsServiceError, startAwsJsonServer } from "./aws-json-server.js";

/**
 * A CloudWatch Logs Insights endpoint on loopback (JSON 1.1, X-Amz-Target
 * Logs_20140328.StartQuery / GetQueryResults / StopQuery), reached through
 * AWS_ENDPOINT_URL_CLOUDWATCH_LOGS. Log groups it does not know are ResourceNotFoundException,
 * a query string containing `@malformed` is MalformedQueryException, and each query walks
 * canned statuses (Scheduled → Running → Complete by default), one per GetQueryResults, with
 * statistics growing on the way.
 */
export interface InsightsAnswer {
  statuses?: string[];
  results?: { field: string; value: string }[][];
}

export interface FakeInsights {
  readonly endpoint: string;
  readonly calls: { op: string; input: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startFakeInsights(options: { logGroups: string[]; answer: (queryString: string) => InsightsAnswer }): Promise<FakeInsights> {
  const queries = new Map<string, { statuses: string[]; results: { field: string; value: string }[][]; polls: number; stopped: boolean }>();
  const calls: { op: string; input: Record<string, unknown> }[] = [];
  let nextId = 0;

  function operate(op: string, input: Record<string, unknown>): unknown {
    if (op === "StartQuery") {
      const groups = (input["logGroupNames"] as string[] | undefined) ?? [];
      const missing = groups.find((g) => !options.logGroups.includes(g));
      if (missing !== undefined) throw new AwsServiceError("ResourceNotFoundException", `Log group '${missing}' does not exist for account ID '000000000000'`);
      const queryString = String(input["queryString"]);
      if (queryString.includes("@malformed")) throw new AwsServiceError("MalformedQueryException", "unexpected symbol found @malformed at line 1 and position 1");
      const a = options.answer(queryString);
      const id = `q-${++nextId}`;
      queries.set(id, { statuses: a.statuses ?? ["Scheduled", "Running", "Complete"], results: a.results ?? [], polls: 0, stopped: false });
      return { queryId: id };
    }
    const q = queries.get(String(input["queryId"]));
    if (!q) throw new AwsServiceError("ResourceNotFoundException", "Query does not exist");
    if (op === "StopQuery") {
      q.stopped = true;
      return { success: true };
    }
    if (op === "GetQueryResults") {
      const status = q.stopped ? "Cancelled" : q.statuses[Math.min(q.polls, q.statuses.length - 1)]!;
      q.polls++;
      return {
        status,
        results: status === "Complete" ? q.results : [],
        statistics: { recordsMatched: q.results.length, recordsScanned: 100 * q.polls, bytesScanned: 4096 * q.polls },
      };
    }
    throw new AwsServiceError("UnknownOperationException", `unsupported ${op}`);
  }

  const server = await startAwsJsonServer({
    internalError: { type: "ServiceUnavailableException", status: 400 },
    answer: ({ target, input }) => {
      const op = target.replace(/^Logs_20140328\./, "");
      calls.push({ op, input });
      return operate(op, input);
    },
  });
  return { endpoint: server.endpoint, calls, close: () => server.close() };
}
