import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { serializeRecord } from "@aws-syslog/record";
import { sampleRecord } from "../testing/sample-record.js";
import { s3Notification, sqsRecord } from "../testing/sqs-event.js";

/** The part of tests/fakes/cloudwatch-logs-server.ts used here. It is imported at run time:
 * a static import would pull a file outside src/ into this package's tsc program (rootDir). */
interface FakeCloudWatchLogs {
  endpoint: string;
  groups: Map<string, Map<string, Array<{ timestamp: number; message: string }>>>;
  calls: Array<{ operation: string }>;
  failNext(count: number, type?: string): void;
  close(): Promise<void>;
}

/** A tiny fake S3 (path-style GetObject, GetObjectTagging, PutObjectTagging) on loopback. */
function startFakeS3(): Promise<{ endpoint: string; objects: Map<string, Buffer>; tags: Map<string, string>; requests: string[]; server: Server }> {
  const objects = new Map<string, Buffer>();
  const tags = new Map<string, string>(); // "bucket/key" → raw Tagging XML
  const requests: string[] = []; // "bucket/key" of each request, in arrival order
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://x");
    const path = decodeURIComponent(url.pathname.slice(1));
    requests.push(path);
    const xml = (status: number, body: string) => res.writeHead(status, { "content-type": "application/xml" }).end(body);
    if (!objects.has(path)) return xml(404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
    if (url.searchParams.has("tagging")) {
      if (req.method === "PUT") {
        tags.set(path, Buffer.concat(chunks).toString("utf8"));
        return xml(200, "");
      }
      const tagSet = (tags.get(path) ?? "").match(/<TagSet>.*<\/TagSet>/s)?.[0] ?? "<TagSet></TagSet>";
      return xml(200, `<Tagging>${tagSet}</Tagging>`);
    }
    res.writeHead(200, { "content-type": "application/octet-stream", etag: '"e1"' }).end(objects.get(path));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    resolve({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, objects, tags, requests, server });
  }));
}

const context = { functionName: "forwarder-cloudwatch", awsRequestId: "req", getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const now = new Date();
const records = [
  sampleRecord({ timestamp: now.toISOString(), received_at: now.toISOString(), facility: 10, message: "auth ok" }),
  sampleRecord({ timestamp: now.toISOString(), received_at: now.toISOString(), facility: 3, hostname: "db-1", message: "daemon up" }),
  sampleRecord({ timestamp: now.toISOString(), received_at: now.toISOString(), facility: 16, message_json: { user: "u1" }, message: "{}" }),
];

let s3: Awaited<ReturnType<typeof startFakeS3>>;
let cwl: FakeCloudWatchLogs;
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
const event = (...bodies: Array<[string, string]>): SQSEvent => ({ Records: bodies.map(([id, body]) => sqsRecord(body, id)) });
const eventsIn = (group: string) => [...(cwl.groups.get(group)?.values() ?? [])].flat().map((e) => e.message);

beforeAll(async () => {
  s3 = await startFakeS3();
  const fakes = "../../../../tests/fakes/cloudwatch-logs-server.ts";
  const { startFakeCloudWatchLogs } = (await import(/* @vite-ignore */ fakes)) as {
    startFakeCloudWatchLogs(o: { groups: string[] }): Promise<FakeCloudWatchLogs>;
  };
  cwl = await startFakeCloudWatchLogs({ groups: ["/var/log/messages", "/var/log/secure", "/aws-syslog/onegate"] });
  s3.objects.set("staging/staging/2026/11/23/obj-1.gz", gzipSync(records.map(serializeRecord).join("")));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cwl.endpoint, AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "test-secret", FORWARDER_RETRY_BASE_DELAY_MS: "1",
    FORWARDER_RETRY_MAX_DELAY_MS: "5", LOG_LEVEL: "silent",
  });
  ({ handler } = await import("./cloudwatch.js"));
});

afterAll(async () => {
  await cwl?.close();
  await new Promise((resolve) => s3?.server.close(resolve));
});

describe("cloudwatch handler (fake S3 and CloudWatch Logs on loopback)", () => {
  const good = s3Notification([{ bucket: "staging", key: "staging/2026/11/23/obj-1.gz", eTag: "e1", size: 1 }]);

  it("forwards a staging object, reports poison and missing objects as batch item failures", async () => {
    cwl.failNext(2); // throttled twice, then accepted
    const response = await handler(event(
      ["good", good],
      ["poison", "this is not an S3 notification"],
      ["missing", s3Notification([{ bucket: "staging", key: "staging/none.gz" }])],
      ["test-event", JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent" })],
    ), context);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["missing", "poison"]);
    expect(eventsIn("/var/log/secure")).toEqual([expect.stringMatching(/ web-1 sshd\[123\]: auth ok$/)]);
    expect(eventsIn("/var/log/messages")).toEqual([expect.stringMatching(/ db-1 sshd\[123\]: daemon up$/)]);
    expect(eventsIn("/aws-syslog/onegate").map((m) => JSON.parse(m).user)).toEqual(["u1"]);
    expect([...cwl.groups.get("/var/log/messages")!.keys()]).toEqual(["db-1"]); // stream created per host
    expect(s3.tags.get("staging/staging/2026/11/23/obj-1.gz")).toContain("<Key>forwarded-cloudwatch</Key><Value>1</Value>");
  });

  it("skips a redelivered object that was already forwarded: no duplicate events", async () => {
    const putsBefore = cwl.calls.filter((c) => c.operation === "PutLogEvents").length;
    const response = await handler(event(["again", good]), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(cwl.calls.filter((c) => c.operation === "PutLogEvents").length).toBe(putsBefore);
    expect(eventsIn("/var/log/secure")).toHaveLength(1);
  });

  it("forwards the objects of a batch one at a time (each is bounded in memory, not several at once)", async () => {
    const keys = ["obj-a", "obj-b", "obj-c"].map((k) => `staging/2026/11/23/${k}.gz`);
    for (const key of keys) s3.objects.set(`staging/${key}`, gzipSync(serializeRecord(records[1]!)));
    s3.requests.length = 0;
    const response = await handler(event(...keys.map((key, i): [string, string] => [`m${i}`, s3Notification([{ bucket: "staging", key }])])), context);
    expect(response.batchItemFailures).toEqual([]);
    // Tag check, GetObject, tag: each object's requests all come before the next object's.
    const order = s3.requests.filter((path, i, all) => i === 0 || all[i - 1] !== path);
    expect(order).toEqual(keys.map((key) => `staging/${key}`));
    expect(s3.requests.length).toBeGreaterThanOrEqual(keys.length * 3);
  });

  it("reports a batch item failure when CloudWatch keeps throttling, and forwards on redelivery", async () => {
    s3.objects.set("staging/staging/2026/11/23/obj-2.gz", gzipSync(serializeRecord(records[0]!)));
    const second = s3Notification([{ bucket: "staging", key: "staging/2026/11/23/obj-2.gz" }]);
    const testEvent = JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent" });
    cwl.failNext(6); // maxRetries (5) + 1
    expect((await handler(event(["busy", second], ["ok", testEvent]), context)).batchItemFailures).toEqual([{ itemIdentifier: "busy" }]);
    // When every message of a batch fails, Powertools throws, so Lambda retries the batch.
    cwl.failNext(6);
    await expect(handler(event(["busy", second]), context)).rejects.toThrow("All records failed processing");
    expect(s3.tags.has("staging/staging/2026/11/23/obj-2.gz")).toBe(false);
    expect((await handler(event(["busy", second]), context)).batchItemFailures).toEqual([]);
    expect(eventsIn("/var/log/secure")).toHaveLength(2);
  });
});
