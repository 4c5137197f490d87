import type { SQSRecord } from "aws-lambda";
import { SqsMessageError } from "../errors.js";

/** A staging object named by an S3 event notification. */
export interface S3ObjectRef {
  bucket: string;
  key: string;
  /** Quotes stripped; null when the notification carries none. */
  etag: string | null;
  size: number | null;
}

interface S3NotificationRecord {
  eventName?: unknown;
  s3?: { bucket?: { name?: unknown }; object?: { key?: unknown; eTag?: unknown; size?: unknown } };
}

/**
 * Decodes the S3 event notification carried by one SQS message into the objects it names.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * - Object keys arrive URL-encoded with `+` for space (as in an HTML form), so `+` is turned
 *   into a space before percent-decoding (a literal `+` arrives as `%2B`).
 * - The `s3:TestEvent` S3 sends when the notification is configured names no object: [].
 * - Only ObjectCreated:* events name objects to forward; other event types are ignored.
 * - A body that is not such a notification throws SqsMessageError (not retryable), so the
 *   message becomes a batch item failure and, after maxReceiveCount, lands in the DLQ.
 */
export function s3ObjectsFromSqsRecord(record: SQSRecord): S3ObjectRef[] {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (err) {
    throw new SqsMessageError(`SQS message ${record.messageId}: body is not JSON`, { cause: err });
  }
  if (isObject(body) && body["Event"] === "s3:TestEvent") return [];
  const records = isObject(body) ? body["Records"] : undefined;
  if (!Array.isArray(records)) {
    throw new SqsMessageError(`SQS message ${record.messageId}: body is not an S3 event notification (no Records)`);
  }
  const refs: S3ObjectRef[] = [];
  records.forEach((entry: S3NotificationRecord, index) => {
    if (typeof entry?.eventName === "string" && !entry.eventName.startsWith("ObjectCreated:")) return;
    const bucket = entry?.s3?.bucket?.name;
    const rawKey = entry?.s3?.object?.key;
    if (typeof bucket !== "string" || bucket === "" || typeof rawKey !== "string" || rawKey === "") {
      throw new SqsMessageError(`SQS message ${record.messageId}: Records[${index}] has no s3.bucket.name or s3.object.key`);
    }
    let key: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, " "));
    } catch (err) {
      throw new SqsMessageError(`SQS message ${record.messageId}: Records[${index}] key is not URL-encoded`, { cause: err });
    }
    const eTag = entry.s3?.object?.eTag;
    const size = entry.s3?.object?.size;
    refs.push({
      bucket,
      key,
      etag: typeof eTag === "string" && eTag !== "" ? eTag.replace(/^"|"$/g, "") : null,
      size: typeof size === "number" && Number.isFinite(size) ? size : null,
    });
  });
  return refs;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
