import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake CloudWatch Logs endpoint on loopback, for handler and end-to-end tests that reach it
 * through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS. It speaks the service's JSON 1.1 protocol
 * (POST /, `X-Amz-Target: Logs_20140328.<Operation>`, errors as `{"__type": …}` with 400)
 * for CreateLogGroup, CreateLogStream and PutLogEvents, checks what the real service checks
 * (missing group/stream, event order, batch limits) and keeps every accepted event.
 * `failNext(n, type)` makes the next n PutLogEvents calls fail (e.g. ThrottlingException).
 */
export interface FakeCloudWatchLogs {
  readonly endpoint: string;
  /** group → stream → accepted events, in arrival order. */
  readonly groups: Map<string, Map<string, Array<{ timestamp: number; message: string }>>>;
  readonly calls: Array<{ operation: string; input: Record<string, unknown> }>;
  failNext(count: number, type?: string): void;
  close(): Promise<void>;
}

const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;

export async function startFakeCloudWatchLogs(options: { groups?: string[] } = {}): Promise<FakeCloudWatchLogs> {
  const groups: FakeCloudWatchLogs["groups"] = new Map((options.groups ?? []).map((g) => [g, new Map()]));
  const calls: FakeCloudWatchLogs["calls"] = [];
  let failures: Array<string> = [];

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateLogGroup: ({ logGroupName }) => {
      if (groups.has(String(logGroupName))) throw fault("ResourceAlreadyExistsException", "The specified log group already exists");
      groups.set(String(logGroupName), new Map());
      return {};
    },
    CreateLogStream: ({ logGroupName, logStreamName }) => {
      const group = groups.get(String(logGroupName));
      if (group === undefined) throw fault("ResourceNotFoundException", "The specified log group does not exist.");
      if (group.has(String(logStreamName))) throw fault("ResourceAlreadyExistsException", "The specified log stream already exists");
      group.set(String(logStreamName), []);
      return {};
    },
    PutLogEvents: ({ logGroupName, logStreamName, logEvents }) => {
      const failure = failures.shift();
      if (failure !== undefined) throw fault(failure, "injected failure");
      const stream = groups.get(String(logGroupName))?.get(String(logStreamName));
      if (stream === undefined) throw fault("ResourceNotFoundException", "The specified log stream does not exist.");
      const events = logEvents as Array<{ timestamp: number; message: string }>;
      const bytes = events.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0);
      if (events.length === 0 || events.length > MAX_BATCH_EVENTS || bytes > MAX_BATCH_BYTES) {
        throw fault("InvalidParameterException", `batch of ${events.length} events / ${bytes} bytes is outside the limits`);
      }
      for (let i = 1; i < events.length; i++) {
        if (events[i]!.timestamp < events[i - 1]!.timestamp) throw fault("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.");
      }
      stream.push(...events);
      return { nextSequenceToken: "0" };
    },
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("Logs_20140328.") ? target.slice("Logs_20140328.".length) : "";
    const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    calls.push({ operation, input });
    let status = 200;
    let body: unknown;
    try {
      const run = operations[operation];
      if (run === undefined) throw fault("UnknownOperationException", `unsupported operation ${target}`);
      body = run(input);
    } catch (err) {
      const { type, message } = err as { type?: string; message: string };
      status = type === "ServiceUnavailableException" ? 503 : 400;
      body = { __type: type ?? "InternalFailure", message };
    }
    res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": String(calls.length) });
    res.end(JSON.stringify(body));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    groups,
    calls,
    failNext: (count, type = "ThrottlingException") => {
      failures = [...failures, ...Array.from({ length: count }, () => type)];
    },
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

function fault(type: string, message: string): Error & { type: string } {
  return Object.assign(new Error(message), { type });
}
