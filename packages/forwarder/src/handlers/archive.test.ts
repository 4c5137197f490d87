import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parquetReadObjects } from "hyparquet";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { serializeRecord } from "@aws-syslog/record";
import { sampleRecord } from "../core/archive-fixtures.js";
import { loadConfig } from "../config.js";

/**
 * A tiny S3 on loopback (the SDK addresses an IP endpoint path-style): GET and PUT of whole objects, NoSuchKey for a missing one.
 * Enough for the archive handler through the real SDK (AWS_ENDPOINT_URL_S3), counting PUTs so a
 * redelivery that wrote new keys would show.
 */
class FakeS3 {
  readonly objects = new Map<string, Buffer>();
  readonly puts: string[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname.slice(1));
      if (req.method === "PUT") {
        const body = await readBody(req);
        this.objects.set(path, body);
        this.puts.push(path);
        res.writeHead(200, { ETag: `"${createHash("md5").update(body).digest("hex")}"` }).end();
      } else if (req.method === "GET" && this.objects.has(path)) {
        const body = this.objects.get(path)!;
        res.writeHead(200, { "Content-Length": body.length, ETag: `"${createHash("md5").update(body).digest("hex")}"` }).end(body);
      } else if (req.method === "GET") {
        res.writeHead(404, { "Content-Type": "application/xml" });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`);
      } else {
        res.writeHead(405).end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  archiveKeys(): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith("archive/")).sort();
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const s3 = new FakeS3();
let handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

const STAGING_KEY = "2024/05/06/07/aws syslog-1-2024-05-06-07-00-00-abc+def.gz";
const stagingBody = gzipSync(Array.from({ length: 500 }, (_, i) => serializeRecord(sampleRecord(i))).join("") + "garbage line\n");

function notification(key: string, etag: string): string {
  // S3 URL-encodes keys in notifications, with + for space.
  const encoded = encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
  return JSON.stringify({
    Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "staging" }, object: { key: encoded, eTag: etag, size: 1 } } }],
  });
}

function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId, body, receiptHandle: "rh", attributes: {} as SQSRecord["attributes"], messageAttributes: {}, md5OfBody: "",
    eventSource: "aws:sqs", eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:archive", awsRegion: "us-east-1",
  };
}

const context = {} as Context;

beforeAll(async () => {
  const endpoint = await s3.start();
  vi.stubEnv("AWS_ENDPOINT_URL_S3", endpoint);
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test-secret");
  vi.stubEnv("FORWARDER_ARCHIVE_BUCKET", "archive");
  vi.stubEnv("FORWARDER_ARCHIVE_PREFIX", "logs/");
  vi.stubEnv("FORWARDER_ARCHIVE_ROWS_PER_PART", "50");
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  vi.stubEnv("LOG_LEVEL", "silent");
  vi.resetModules();
  ({ handler } = await import("./archive.js"));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await s3.stop();
});

beforeEach(() => {
  s3.objects.clear();
  s3.puts.length = 0;
  s3.objects.set(`staging/${STAGING_KEY}`, stagingBody);
  s3.objects.set("staging/corrupt.gz", Buffer.from("this is not gzip"));
});

describe("archive handler (SQS → S3 on loopback)", () => {
  it("archives a notified staging object as Parquet parts and its invalid line under errors/", async () => {
    const result = await handler({ Records: [sqsRecord("m1", notification(STAGING_KEY, "etag-1"))] }, context);
    expect(result.batchItemFailures).toEqual([]);
    const keys = s3.archiveKeys();
    expect(keys.every((k) => /^archive\/logs\/(route=[a-z]+\/dt=2024-05-06\/hour=07\/[0-9a-f]{16}-\d{4}\.parquet|errors\/[0-9a-f]{16}-0000\.ndjson)$/.test(k))).toBe(true);
    let rows = 0;
    for (const key of keys.filter((k) => k.endsWith(".parquet"))) {
      const bytes = s3.objects.get(key)!;
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
      const read = await parquetReadObjects({ file, compressors: { GZIP: (input) => new Uint8Array(gunzipSync(input)) } });
      expect(read.length).toBeLessThanOrEqual(50);
      rows += read.length;
    }
    expect(rows).toBe(500);
    const errors = keys.filter((k) => k.includes("/errors/"));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(s3.objects.get(errors[0]!)!.toString("utf8"))).toMatchObject({ staging_key: STAGING_KEY, line_number: 501, text: "garbage line" });
  });

  it("writes the same keys, no more, when the message is redelivered", async () => {
    const message = sqsRecord("m1", notification(STAGING_KEY, "etag-1"));
    await handler({ Records: [message] }, context);
    const first = new Map(s3.archiveKeys().map((k) => [k, s3.objects.get(k)!]));
    const putsFirst = s3.puts.length;
    await handler({ Records: [{ ...message, messageId: "m1-again" }] }, context);
    expect(s3.archiveKeys()).toEqual([...first.keys()]);
    expect(s3.puts.length).toBe(putsFirst * 2);
    for (const [key, bytes] of first) expect(s3.objects.get(key)!.equals(bytes), key).toBe(true);
  });

  it("reports poison messages as batch item failures and still archives the good one", async () => {
    const result = await handler(
      {
        Records: [
          sqsRecord("not-json", "{{{"),
          sqsRecord("missing", notification("no/such/object.gz", "e")),
          sqsRecord("corrupt", notification("corrupt.gz", "e")),
          sqsRecord("good", notification(STAGING_KEY, "etag-1")),
          sqsRecord("test-event", JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "staging" })),
        ],
      },
      context,
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["corrupt", "missing", "not-json"]);
    expect(s3.archiveKeys().filter((k) => k.endsWith(".parquet")).length).toBeGreaterThan(0);
  });

  it("fails the invocation when every message of the batch fails (Powertools FullBatchFailureError; SQS retries them all)", async () => {
    await expect(handler({ Records: [sqsRecord("only", notification("no/such/object.gz", "e"))] }, context)).rejects.toMatchObject({
      name: "FullBatchFailureError",
    });
    expect(s3.archiveKeys()).toEqual([]);
  });
});

describe("archive configuration", () => {
  it("has production defaults and validates every FORWARDER_ARCHIVE_* key together", () => {
    expect(loadConfig({}).archive).toEqual({
      bucket: null, prefix: "", compression: "gzip", rowsPerPart: 1_000_000, maxPartBytes: 32 << 20,
      rowGroupRows: 20_000, rowGroupBytes: 8 << 20, maxBufferBytes: 64 << 20,
    });
    expect(loadConfig({ FORWARDER_ARCHIVE_PREFIX: "a/b//", FORWARDER_ARCHIVE_BUCKET: "my-archive" }).archive).toMatchObject({ prefix: "a/b", bucket: "my-archive" });
    expect(() =>
      loadConfig({ FORWARDER_ARCHIVE_BUCKET: "Bad_Bucket", FORWARDER_ARCHIVE_PREFIX: "../x", FORWARDER_ARCHIVE_COMPRESSION: "lz4", FORWARDER_ARCHIVE_ROWS_PER_PART: "0" }),
    ).toThrow(expect.objectContaining({ code: "FWD_CONFIG_INVALID", issues: expect.arrayContaining([
      expect.stringMatching(/^FORWARDER_ARCHIVE_BUCKET/), expect.stringMatching(/^FORWARDER_ARCHIVE_PREFIX/),
      expect.stringMatching(/^FORWARDER_ARCHIVE_COMPRESSION/), expect.stringMatching(/^FORWARDER_ARCHIVE_ROWS_PER_PART/),
    ]) }));
  });
});
