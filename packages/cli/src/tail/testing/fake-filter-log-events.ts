import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A CloudWatch Logs endpoint on loopback that answers FilterLogEvents the way the service does
 * (JSON 1.1: POST /, X-Amz-Target Logs_20140328.FilterLogEvents, errors as {"__type"} with 400),
 * reached through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS. Pages are small (pageSize) so paging with
 * nextToken is exercised; a quoted filter-pattern term matches as a substring, as the service
 * matches a quoted term. `onCall` lets a test add events between the calls of a follow.
 */
export interface StoredEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  eventId: string;
}

export interface FakeFilterLogEvents {
  readonly endpoint: string;
  readonly groups: Map<string, StoredEvent[]>;
  readonly calls: Record<string, unknown>[];
  add(group: string, stream: string, timestamp: number, message: string): void;
  failNext(type: string, message?: string): void;
  onCall?: (n: number) => void;
  close(): Promise<void>;
}

export async function startFakeFilterLogEvents(options: { pageSize?: number } = {}): Promise<FakeFilterLogEvents> {
  const pageSize = options.pageSize ?? 2;
  const groups = new Map<string, StoredEvent[]>();
  const calls: Record<string, unknown>[] = [];
  const failures: { type: string; message: string }[] = [];
  let nextId = 0;

  const fake: FakeFilterLogEvents = {
    endpoint: "",
    groups,
    calls,
    add(group, stream, timestamp, message) {
      const events = groups.get(group) ?? [];
      events.push({ logStreamName: stream, timestamp, message, eventId: String(++nextId).padStart(12, "0") });
      groups.set(group, events);
    },
    failNext(type, message = "injected failure") {
      failures.push({ type, message });
    },
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };

  function filter(input: Record<string, unknown>): unknown {
    const failure = failures.shift();
    if (failure) throw Object.assign(new Error(failure.message), { type: failure.type });
    const events = groups.get(String(input["logGroupName"]));
    if (events === undefined) throw Object.assign(new Error("The specified log group does not exist."), { type: "ResourceNotFoundException" });
    const start = Number(input["startTime"] ?? 0);
    const end = input["endTime"] === undefined ? Infinity : Number(input["endTime"]);
    const prefix = String(input["logStreamNamePrefix"] ?? "");
    const pattern = input["filterPattern"] === undefined ? undefined : JSON.parse(String(input["filterPattern"])) as string;
    const matching = events
      .filter((e) => e.timestamp >= start && e.timestamp <= end && e.logStreamName.startsWith(prefix) && (pattern === undefined || e.message.includes(pattern)))
      // The service returns each stream's events in order, stream after stream.
      .sort((a, b) => (a.logStreamName === b.logStreamName ? a.timestamp - b.timestamp : a.logStreamName < b.logStreamName ? -1 : 1));
    const from = input["nextToken"] === undefined ? 0 : Number(input["nextToken"]);
    const page = matching.slice(from, from + pageSize);
    return { events: page.map((e) => ({ ...e, ingestionTime: e.timestamp })), ...(from + pageSize < matching.length ? { nextToken: String(from + pageSize) } : {}) };
  }

  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    calls.push(input);
    fake.onCall?.(calls.length);
    let status = 200;
    let body: unknown;
    try {
      if (target !== "Logs_20140328.FilterLogEvents") throw Object.assign(new Error(`unsupported ${target}`), { type: "UnknownOperationException" });
      body = filter(input);
    } catch (err) {
      const { type, message } = err as { type?: string; message: string };
      status = 400;
      body = { __type: type ?? "InternalFailure", message };
    }
    res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": String(calls.length) });
    res.end(JSON.stringify(body));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (fake as { endpoint: string }).endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
