import { beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetObjectCommand, GetObjectTaggingCommand, NoSuchKey, PutObjectTaggingCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { S3StagingObjects } from "./s3-staging-objects.js";

const s3 = mockClient(S3Client);
const ref = { bucket: "staging", key: "staging/a b.gz", etag: "e", size: 1 };
const store = () => new S3StagingObjects(new S3Client({ region: "us-east-1" }));

beforeEach(() => s3.reset());

describe("S3StagingObjects (contract)", () => {
  it("reads the forwarded tag", async () => {
    s3.on(GetObjectTaggingCommand).resolvesOnce({ TagSet: [{ Key: "team", Value: "x" }] })
      .resolvesOnce({ TagSet: [{ Key: "forwarded-cloudwatch", Value: "1" }] });
    expect(await store().isForwarded(ref)).toBe(false);
    expect(await store().isForwarded(ref)).toBe(true);
    expect(s3.commandCalls(GetObjectTaggingCommand)[0]!.args[0].input).toEqual({ Bucket: "staging", Key: "staging/a b.gz" });
  });

  it("adds the tag and keeps the object's other tags (PutObjectTagging replaces the set)", async () => {
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: "team", Value: "x" }] });
    s3.on(PutObjectTaggingCommand).resolves({});
    await store().markForwarded(ref);
    expect(s3.commandCalls(PutObjectTaggingCommand)[0]!.args[0].input).toEqual({
      Bucket: "staging", Key: "staging/a b.gz",
      Tagging: { TagSet: [{ Key: "team", Value: "x" }, { Key: "forwarded-cloudwatch", Value: "1" }] },
    });
  });

  it("refuses an 11th tag with a non-retryable FWD_S3_TAGGING_FAILED", async () => {
    s3.on(GetObjectTaggingCommand).resolves({ TagSet: Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) });
    await expect(store().markForwarded(ref)).rejects.toMatchObject({ code: "FWD_S3_TAGGING_FAILED", retryable: false });
    expect(s3.commandCalls(PutObjectTaggingCommand)).toHaveLength(0);
  });

  it("turns NoSuchKey into a non-retryable FWD_S3_OBJECT_NOT_FOUND", async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: "missing", $metadata: { httpStatusCode: 404 } }));
    await expect(store().open(ref)).rejects.toMatchObject({ code: "FWD_S3_OBJECT_NOT_FOUND", retryable: false });
  });

  it.each([
    ["a 503 (retryable)", "SlowDown", 503, true],
    ["access denied (not retryable)", "AccessDenied", 403, false],
  ])("reports %s as FWD_S3_READ_FAILED", async (_name, errorName, status, retryable) => {
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: errorName, $fault: "client", message: errorName, $metadata: { httpStatusCode: status } }));
    await expect(store().open(ref)).rejects.toMatchObject({ code: "FWD_S3_READ_FAILED", retryable });
  });
});
