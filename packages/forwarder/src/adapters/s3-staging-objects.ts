import type { Readable } from "node:stream";
import { GetObjectCommand, GetObjectTaggingCommand, PutObjectTaggingCommand, S3Client, type Tag } from "@aws-sdk/client-s3";
import type { S3ObjectRef } from "../handlers/s3-event.js";
import type { StagingObjectStore } from "../core/forward-staging-object.js";
import { StagingObjectNotFoundError, StagingObjectReadError, StagingObjectTaggingError } from "../errors.js";

/** Tag set on a staging object once every event of it is in CloudWatch Logs. */
export const FORWARDED_TAG = { Key: "forwarded-cloudwatch", Value: "1" } as const;
/** S3 allows 10 tags per object; one more than that cannot be added.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html */
export const MAX_OBJECT_TAGS = 10;

/**
 * The staging bucket as the CloudWatch handler uses it: GetObject streamed (never buffered),
 * and the "already forwarded" tag read with GetObjectTagging and written with
 * PutObjectTagging (which replaces the whole set, so existing tags are kept by merging).
 * Needs s3:GetObject, s3:GetObjectTagging and s3:PutObjectTagging on the staging objects.
 */
export class S3StagingObjects implements StagingObjectStore {
  constructor(private readonly client: S3Client) {}

  async open(ref: S3ObjectRef): Promise<Readable> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      return response.Body as Readable;
    } catch (err) {
      throw this.translate(err, ref, "GetObject");
    }
  }

  async isForwarded(ref: S3ObjectRef): Promise<boolean> {
    const tags = await this.tags(ref);
    return tags.some((t) => t.Key === FORWARDED_TAG.Key && t.Value === FORWARDED_TAG.Value);
  }

  async markForwarded(ref: S3ObjectRef): Promise<void> {
    const tags = (await this.tags(ref)).filter((t) => t.Key !== FORWARDED_TAG.Key);
    if (tags.length >= MAX_OBJECT_TAGS) {
      throw new StagingObjectTaggingError(ref.bucket, ref.key, `already has ${MAX_OBJECT_TAGS} tags`, { retryable: false });
    }
    try {
      await this.client.send(new PutObjectTaggingCommand({
        Bucket: ref.bucket, Key: ref.key, Tagging: { TagSet: [...tags, { ...FORWARDED_TAG }] },
      }));
    } catch (err) {
      throw this.translate(err, ref, "PutObjectTagging");
    }
  }

  private async tags(ref: S3ObjectRef): Promise<Tag[]> {
    try {
      const response = await this.client.send(new GetObjectTaggingCommand({ Bucket: ref.bucket, Key: ref.key }));
      return response.TagSet ?? [];
    } catch (err) {
      throw this.translate(err, ref, "GetObjectTagging");
    }
  }

  private translate(err: unknown, ref: S3ObjectRef, operation: string): Error {
    const name = (err as { name?: string }).name;
    if (name === "NoSuchKey" || name === "NotFound" || name === "NoSuchBucket") {
      return new StagingObjectNotFoundError(ref.bucket, ref.key, { cause: err });
    }
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const message = `${operation} failed: ${name}`;
    const options = { cause: err, retryable: name !== "AccessDenied" && status !== 403 };
    return operation === "GetObject"
      ? new StagingObjectReadError(ref.bucket, ref.key, message, options)
      : new StagingObjectTaggingError(ref.bucket, ref.key, message, options);
  }
}
