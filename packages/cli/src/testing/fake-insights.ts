import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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
      if (missing !== undefined) throw Object.assign(new Error(`Log group '${missing}' does not exist for account ID '000000000000'`), { type: "ResourceNotFoundException" });
      const queryString = String(input["queryString"]);
      if (queryString.includes("@malformed")) throw Object.assign(new Error("unexpected symbol found @malformed at line 1 and position 1"), { type: "MalformedQueryException" });
      const a = options.answer(queryString);
      const id = `q-${++nextId}`;
      queries.set(id, { statuses: a.statuses ?? ["Scheduled", "Running", "Complete"], results: a.results ?? [], polls: 0, stopped: false });
      return { queryId: id };
    }
    const q = queries.get(String(input["queryId"]));
    if (!q) throw Object.assign(new Error("Query does not exist"), { type: "ResourceNotFoundException" });
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
    throw Object.assign(new Error(`unsupported ${op}`), { type: "UnknownOperationException" });
  }

  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const op = String(req.headers["x-amz-target"] ?? "").replace(/^Logs_20140328\./, "");
    const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    calls.push({ op, input });
    let status = 200;
    let body: unknown;
    try {
      body = operate(op, input);
    } catch (err) {
      status = 400;
      body = { __type: (err as { type?: string }).type ?? "ServiceUnavailableException", message: (err as Error).message };
    }
    res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": String(calls.length) });
    res.end(JSON.stringify(body));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
