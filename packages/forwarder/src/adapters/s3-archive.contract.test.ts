import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { S3ArchiveSink, openStagingObject } from "./s3-archive.js";

const s3 = mockClient(S3Client);
const client = new S3Client({ region: "eu-west-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } });
const ref = { bucket: "staging", key: "2024/05/06/07/obj.gz", etag: "abc" };

function serviceError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, message: name });
}

beforeEach(() => s3.reset());

describe("S3ArchiveSink (PutObject)", () => {
  it("puts the bytes with their content type and no encryption parameters (bucket default applies)", async () => {
    s3.on(PutObjectCommand).resolves({});
    const bytes = new Uint8Array([80, 65, 82, 49]);
    await new S3ArchiveSink(client, "archive").put("route=cron/dt=2024-05-06/hour=07/ab-0000.parquet", bytes, "application/vnd.apache.parquet");
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Bucket: "archive",
      Key: "route=cron/dt=2024-05-06/hour=07/ab-0000.parquet",
      Body: bytes,
      ContentType: "application/vnd.apache.parquet",
    });
  });

  it.each([
    ["SlowDown", 503, true],
    ["InternalError", 500, true],
    ["AccessDenied", 403, false],
    ["KMS.AccessDeniedException", 400, false],
    ["NoSuchBucket", 404, false],
  ])("wraps %s (%d) as FWD_ARCHIVE_PUT_FAILED, retryable=%s", async (name, status, retryable) => {
    s3.on(PutObjectCommand).rejects(serviceError(name, status));
    const err = await new S3ArchiveSink(client, "archive").put("k", new Uint8Array(1), "x").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "FWD_ARCHIVE_PUT_FAILED", retryable, key: "k" });
    expect((err as Error).cause).toBeInstanceOf(S3ServiceException);
  });

  it("treats a network error as retryable", async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    await expect(new S3ArchiveSink(client, "archive").put("k", new Uint8Array(1), "x")).rejects.toMatchObject({ retryable: true });
  });
});

describe("openStagingObject (GetObject)", () => {
  it("returns the body as a stream, reading the notification's bucket and key", async () => {
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from("abc"), Buffer.from("def")]) as never });
    const body = await openStagingObject(client, ref);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("abcdef");
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: "staging", Key: "2024/05/06/07/obj.gz" });
  });

  it("refuses a response without a stream body (retryable)", async () => {
    s3.on(GetObjectCommand).resolves({});
    await expect(openStagingObject(client, ref)).rejects.toMatchObject({ code: "FWD_S3_READ_FAILED", retryable: true });
  });

  it("reports a missing object as FWD_S3_OBJECT_NOT_FOUND, not retryable", async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ $metadata: {}, message: "The specified key does not exist." }));
    await expect(openStagingObject(client, ref)).rejects.toMatchObject({ code: "FWD_S3_OBJECT_NOT_FOUND", retryable: false });
  });

  it.each([
    ["AccessDenied", 403, false],
    ["ServiceUnavailable", 503, true],
  ])("reports %s as FWD_S3_READ_FAILED, retryable=%s", async (name, status, retryable) => {
    s3.on(GetObjectCommand).rejects(serviceError(name, status));
    await expect(openStagingObject(client, ref)).rejects.toMatchObject({ code: "FWD_S3_READ_FAILED", retryable });
  });
});
