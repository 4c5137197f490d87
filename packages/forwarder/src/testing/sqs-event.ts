import type { SQSRecord } from "aws-lambda";

/** An SQS record as Lambda delivers it, for tests. */
export function sqsRecord(body: string, messageId = "m-1"): SQSRecord {
  return {
    messageId, receiptHandle: "rh", body, attributes: {} as SQSRecord["attributes"], messageAttributes: {},
    md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:staging", awsRegion: "us-east-1",
  };
}

export function s3Notification(objects: Array<{ bucket: string; key: string; eTag?: string; size?: number }>, eventName = "ObjectCreated:Put"): string {
  return JSON.stringify({
    Records: objects.map((o) => ({
      eventVersion: "2.1", eventSource: "aws:s3", eventName,
      s3: { bucket: { name: o.bucket }, object: { key: o.key, eTag: o.eTag, size: o.size } },
    })),
  });
}
