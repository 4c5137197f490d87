import { Readable } from "node:stream";
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { ArchivePutError, StagingObjectNotFoundError, StagingObjectReadError } from "../errors.js";
import type { ArchiveSink } from "../core/archive.js";
import type { StagingObjectIdentity } from "../core/partition.js";

/**
 * The S3 side of the archive: staging objects are read as streams (GetObject), archive objects
 * written whole (PutObject; parts are bounded by FORWARDER_ARCHIVE_MAX_PART_BYTES, far under the
 * 5 GiB single-PUT limit, https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html).
 * No encryption parameters are sent: the archive bucket's default encryption (SSE-KMS with a
 * bucket key, set by infra) applies, so the key policy stays in one place. Endpoint and region
 * come from the SDK's own environment (AWS_REGION, AWS_ENDPOINT_URL_S3), as in every adapter.
 */
export function createS3Client(options: { forcePathStyle: boolean }): S3Client {
  // The SDK already uses path style for an IP-address endpoint (127.0.0.1); forcing it
  // (FORWARDER_S3_FORCE_PATH_STYLE) is for an emulator named by host, e.g. http://localhost:9000,
  // which has no per-bucket DNS. Real S3 keeps virtual-hosted style.
  return new S3Client({ forcePathStyle: options.forcePathStyle });
}

/** S3 error names that retrying cannot fix: credentials, bucket or KMS key policy. */
const PERMANENT = new Set(["AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "NoSuchBucket", "KMS.DisabledException", "KMS.NotFoundException", "KMS.AccessDeniedException"]);

function isPermanent(err: unknown): boolean {
  return err instanceof S3ServiceException && (PERMANENT.has(err.name) || err.name.startsWith("KMS."));
}

/** Opens a staging object as a byte stream (not buffered: a 128 MiB object is read as it is
 * archived). A missing object is not retryable (FWD_S3_OBJECT_NOT_FOUND). */
export async function openStagingObject(client: S3Client, ref: StagingObjectIdentity): Promise<Readable> {
  try {
    const output = await client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    if (!(output.Body instanceof Readable)) {
      throw new StagingObjectReadError(ref.bucket, ref.key, "GetObject returned no stream body", { retryable: true });
    }
    return output.Body;
  } catch (err) {
    if (err instanceof StagingObjectReadError) throw err;
    if (err instanceof S3ServiceException && (err.name === "NoSuchKey" || err.name === "NotFound")) {
      throw new StagingObjectNotFoundError(ref.bucket, ref.key, { cause: err });
    }
    throw new StagingObjectReadError(ref.bucket, ref.key, `GetObject failed: ${(err as Error).message}`, {
      cause: err,
      retryable: !isPermanent(err),
    });
  }
}

/** Puts archive objects into one bucket. PutObject overwrites, which is what makes a
 * redelivered message idempotent (same keys, same content). */
export class S3ArchiveSink implements ArchiveSink {
  constructor(private readonly client: S3Client, private readonly bucket: string) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }));
    } catch (err) {
      throw new ArchivePutError(key, `PutObject to s3://${this.bucket} failed: ${(err as Error).message}`, {
        cause: err,
        retryable: !isPermanent(err),
      });
    }
  }
}
