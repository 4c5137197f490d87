import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32 } from "node:zlib";

/**
 * A CloudWatch Logs endpoint on loopback that answers FilterLogEvents the way the service does
 * (JSON 1.1: POST /, X-Amz-Target Logs_20140328.FilterLogEvents, errors as {"__type"} with 400),
 * reached through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS. Pages are small (pageSize) so paging with
 * nextToken is exercised; a quoted filter-pattern term matches as a substring, as the service
 * matches a quoted term. `onCall` lets a test add events between the calls of a follow.
 *
 * It also answers DescribeLogGroups (name → ARN) and StartLiveTail the way the service streams
 * it: an `application/vnd.amazon.eventstream` response of binary event-stream messages, a
 * sessionStart, then a sessionUpdate every LIVE_UPDATE_MS with the events added since the
 * session started (those its prefixes and quoted pattern select), ending with a
 * SessionTimeoutException after `liveSessionMs`. Added events go to live sessions with
 * `sampled` set when `liveSampled` is.
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
  /** Called for each request, after it is recorded and before it is answered. */
  onCall?: (n: number, target: string) => void;
  /** Live Tail sessions end with SessionTimeoutException after this (the service: 3 hours). */
  liveSessionMs: number;
  liveSampled: boolean;
  /** The next live session fails at once with this exception type. */
  failLiveWith?: string;
  close(): Promise<void>;
}

/** Between a live session's updates (the service: about one a second). */
export const LIVE_UPDATE_MS = 50;

function eventStreamHeader(name: string, value: string): Buffer {
  const n = Buffer.from(name);
  const v = Buffer.from(value);
  const b = Buffer.alloc(4 + n.length + v.length);
  b.writeUInt8(n.length, 0);
  n.copy(b, 1);
  b.writeUInt8(7, 1 + n.length); // header value type 7: string
  b.writeUInt16BE(v.length, 2 + n.length);
  v.copy(b, 4 + n.length);
  return b;
}

/** One message of the AWS event-stream encoding: prelude (lengths + CRC32), headers, payload, CRC32. */
export function eventStreamMessage(headers: Record<string, string>, payload: unknown): Buffer {
  const h = Buffer.concat(Object.entries(headers).map(([k, v]) => eventStreamHeader(k, v)));
  const p = Buffer.from(JSON.stringify(payload));
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(12 + h.length + p.length + 4, 0);
  prelude.writeUInt32BE(h.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const body = Buffer.concat([prelude, h, p]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, crc]);
}

const liveEvent = (type: string, payload: unknown) => eventStreamMessage({ ":message-type": "event", ":event-type": type, ":content-type": "application/json" }, payload);
const liveException = (type: string, message: string) => eventStreamMessage({ ":message-type": "exception", ":exception-type": type, ":content-type": "application/json" }, { message });

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
    liveSessionMs: 60_000,
    liveSampled: false,
    close: () => new Promise((resolve, reject) => {
      server.closeAllConnections(); // live sessions stay open until their client or the server ends them
      server.close((err) => (err ? reject(err) : resolve()));
    }),
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

  const arn = (group: string) => `arn:aws:logs:eu-west-1:000000000000:log-group:${group}`;
  function describe(input: Record<string, unknown>): unknown {
    const prefix = String(input["logGroupNamePrefix"] ?? "");
    return { logGroups: [...groups.keys()].filter((g) => g.startsWith(prefix)).sort().map((g) => ({ logGroupName: g, arn: `${arn(g)}:*`, logGroupArn: arn(g) })) };
  }

  function live(input: Record<string, unknown>, idAtArrival: number, res: ServerResponse): void {
    const arns = (input["logGroupIdentifiers"] as string[] | undefined) ?? [];
    const names = arns.map((a) => [...groups.keys()].find((g) => arn(g) === a));
    const prefixes = (input["logStreamNamePrefixes"] as string[] | undefined) ?? [""];
    const pattern = input["logEventFilterPattern"] === undefined ? undefined : JSON.parse(String(input["logEventFilterPattern"])) as string;
    if (names.some((g) => g === undefined)) {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ __type: "ResourceNotFoundException", message: "The specified log group does not exist." }));
      return;
    }
    res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
    res.write(liveEvent("sessionStart", { sessionId: `session-${calls.length}`, logGroupIdentifiers: arns }));
    let sentUpTo = idAtArrival;
    const started = Date.now();
    const timer = setInterval(() => {
      const fresh = names.flatMap((g) => (groups.get(g!) ?? []).map((e) => ({ ...e, logGroupIdentifier: arn(g!) })))
        .filter((e) => Number(e.eventId) > sentUpTo && prefixes.some((p) => e.logStreamName.startsWith(p)) && (pattern === undefined || e.message.includes(pattern)))
        .sort((a, b) => Number(a.eventId) - Number(b.eventId));
      sentUpTo = nextId;
      res.write(liveEvent("sessionUpdate", {
        sessionMetadata: { sampled: fake.liveSampled },
        sessionResults: fresh.map((e) => ({ logStreamName: e.logStreamName, logGroupIdentifier: e.logGroupIdentifier, message: e.message, timestamp: e.timestamp, ingestionTime: e.timestamp })),
      }));
      // Everything added so far has been sent: a session ending now loses nothing.
      if (Date.now() - started >= fake.liveSessionMs) {
        clearInterval(timer);
        res.end(liveException("SessionTimeoutException", "Session timed out"));
      }
    }, LIVE_UPDATE_MS);
    res.on("close", () => clearInterval(timer));
  }

  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    calls.push(input);
    const idAtArrival = nextId;
    fake.onCall?.(calls.length, target);
    if (target === "Logs_20140328.StartLiveTail" && fake.failLiveWith === undefined) return live(input, idAtArrival, res);
    let status = 200;
    let body: unknown;
    try {
      if (target === "Logs_20140328.StartLiveTail") {
        const type = fake.failLiveWith!;
        delete fake.failLiveWith;
        throw Object.assign(new Error("injected live tail failure"), { type });
      }
      if (target === "Logs_20140328.DescribeLogGroups") body = describe(input);
      else if (target !== "Logs_20140328.FilterLogEvents") throw Object.assign(new Error(`unsupported ${target}`), { type: "UnknownOperationException" });
      else body = filter(input);
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
