import { describe, expect, it } from "vitest";
import { s3ObjectsFromSqsRecord } from "./s3-event.js";
import { s3Notification, sqsRecord } from "../testing/sqs-event.js";

describe("s3ObjectsFromSqsRecord", () => {
  it("decodes keys the way S3 encodes them (+ is a space, %2B a plus)", () => {
    const body = s3Notification([{ bucket: "staging", key: "staging/2026/11/a+b%2Bc%3D%C3%A9.gz", eTag: "abc123", size: 42 }]);
    expect(s3ObjectsFromSqsRecord(sqsRecord(body))).toEqual([
      { bucket: "staging", key: "staging/2026/11/a b+c=é.gz", etag: "abc123", size: 42 },
    ]);
  });

  it("returns every object of a multi-record notification, with null etag/size when absent", () => {
    const body = s3Notification([{ bucket: "b", key: "k1" }, { bucket: "b", key: "k2", eTag: '"q"' }]);
    expect(s3ObjectsFromSqsRecord(sqsRecord(body))).toEqual([
      { bucket: "b", key: "k1", etag: null, size: null },
      { bucket: "b", key: "k2", etag: "q", size: null },
    ]);
  });

  it("yields nothing for s3:TestEvent and for non-ObjectCreated events", () => {
    const test = JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "b", RequestId: "r" });
    expect(s3ObjectsFromSqsRecord(sqsRecord(test))).toEqual([]);
    expect(s3ObjectsFromSqsRecord(sqsRecord(s3Notification([{ bucket: "b", key: "k" }], "ObjectRemoved:Delete")))).toEqual([]);
  });

  it.each([
    ["not JSON", "{oops"],
    ["JSON without Records", JSON.stringify({ hello: 1 })],
    ["a record without a key", JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "b" } } }] })],
    ["a key that is not URL-encoded", s3Notification([{ bucket: "b", key: "%E0%A4%A" }])],
  ])("throws a non-retryable FWD_SQS_BODY_INVALID for %s", (_name, body) => {
    expect(() => s3ObjectsFromSqsRecord(sqsRecord(body))).toThrow(
      expect.objectContaining({ code: "FWD_SQS_BODY_INVALID", retryable: false }),
    );
  });
});
