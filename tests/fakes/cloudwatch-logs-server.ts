import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { prng } from "./firehose-server.js";

/**
 * A fake CloudWatch Logs endpoint on loopback, for handler and end-to-end tests that reach it
 * through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS. It speaks the service's JSON 1.1 protocol
 * (POST /, `X-Amz-Target: Logs_20140328.<Operation>`, errors as `{"__type": …}` with 400)
 * for CreateLogGroup, CreateLogStream and PutLogEvents, checks what the real service checks
 * (missing group/stream, event order, batch limits) and keeps every accepted event.
 * `failNext(n, type)` makes the next n PutLogEvents calls fail (e.g. ThrottlingException).
 *
 * `faults` fails a share of PutLogEvents calls at random (seeded, so a run can be replayed):
 * ThrottlingException (400), InternalFailure (500), ServiceUnavailableException (503), or a
 * lost answer: the events are stored, then the connection is reset without a response, so
 * the client cannot know whether the call took effect (a retry stores them twice, as the real
 * service would). `stats` counts each outcome.
 */
export type PutFault = "throttle" | "server-error" | "unavailable" | "lost-answer";

export interface FakeCloudWatchLogsFaults {
  seed: number;
  /** Share of PutLogEvents calls that fail, 0..1. */
  putFailRate: number;
  /** The failure kinds drawn from, equally likely. */
  kinds: PutFault[];
}
export interface FakeCloudWatchLogs {
  readonly endpoint: string;
  /** group → stream → accepted events, in arrival order. */
  readonly groups: Map<string, Map<string, Array<{ timestamp: number; message: string }>>>;
  readonly calls: Array<{ operation: string; input: Record<string, unknown> }>;
  /** PutLogEvents calls: answered, failed by kind (random faults and failNext together). */
  readonly stats: { puts: number; stored: number; failed: Record<PutFault | "failNext", number> };
  failNext(count: number, type?: string): void;
  close(): Promise<void>;
}

const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;

const FAULT_ERRORS: Record<Exclude<PutFault, "lost-answer">, { type: string; status: number; message: string }> = {
  throttle: { type: "ThrottlingException", status: 400, message: "Rate exceeded" },
  "server-error": { type: "InternalFailure", status: 500, message: "The request processing has failed because of an unknown error." },
  unavailable: { type: "ServiceUnavailableException", status: 503, message: "The service cannot complete the request." },
};

export async function startFakeCloudWatchLogs(options: { groups?: string[]; faults?: FakeCloudWatchLogsFaults } = {}): Promise<FakeCloudWatchLogs> {
  const groups: FakeCloudWatchLogs["groups"] = new Map((options.groups ?? []).map((g) => [g, new Map()]));
  const calls: FakeCloudWatchLogs["calls"] = [];
  const stats: FakeCloudWatchLogs["stats"] = { puts: 0, stored: 0, failed: { throttle: 0, "server-error": 0, unavailable: 0, "lost-answer": 0, failNext: 0 } };
  const faults = options.faults;
  const random = prng(faults?.seed ?? 1);
  let failures: Array<string> = [];
  /** Set by PutLogEvents when this call's answer is to be lost after storing. */
  let loseAnswer = false;

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
      stats.puts += 1;
      const failure = failures.shift();
      if (failure !== undefined) {
        stats.failed.failNext += 1;
        throw fault(failure, "injected failure");
      }
      if (faults !== undefined && faults.kinds.length > 0 && random() < faults.putFailRate) {
        const kind = faults.kinds[Math.floor(random() * faults.kinds.length)]!;
        if (kind === "lost-answer") {
          loseAnswer = true; // counted once the events are stored
        } else {
          stats.failed[kind] += 1;
          const { type, message, status } = FAULT_ERRORS[kind];
          throw Object.assign(fault(type, message), { status });
        }
      }
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
      for (const e of events) stream.push(e);
      stats.stored += events.length;
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
    loseAnswer = false;
    try {
      const run = operations[operation];
      if (run === undefined) throw fault("UnknownOperationException", `unsupported operation ${target}`);
      body = run(input);
    } catch (err) {
      const { type, message, status: given } = err as { type?: string; message: string; status?: number };
      status = given ?? (type === "ServiceUnavailableException" ? 503 : 400);
      body = { __type: type ?? "InternalFailure", message };
    }
    if (loseAnswer && status === 200) {
      // Stored, but the client sees a reset connection: an ambiguous outcome.
      stats.failed["lost-answer"] += 1;
      res.socket?.destroy();
      return;
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
    stats,
    failNext: (count, type = "ThrottlingException") => {
      failures = [...failures, ...Array.from({ length: count }, () => type)];
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function fault(type: string, message: string): Error & { type: string } {
  return Object.assign(new Error(message), { type });
}
