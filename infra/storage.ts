import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The staging bucket (Firehose output, read once by the forwarders, short-lived), the archive
 * bucket (partitioned Parquet, moved to cheaper classes, expiry configurable) and the Athena
 * results bucket. Every bucket: SSE-KMS with an S3 Bucket Key (one KMS call per bucket key
 * period instead of per object, which keeps KMS request costs flat), owner-enforced
 * ownership (no ACLs), all public access blocked, and a policy denying requests without TLS 1.2+.
 */
export interface StorageArgs {
  name: string;
  kmsKeyArn: pulumi.Input<string>;
  stagingExpireDays: number;
  archivePrefix: string;
  archiveTransitions: { standardIaDays: number; glacierIrDays: number };
  archiveExpireDays: number | null;
  /** Allow `sst remove` to delete non-empty buckets (never in production). */
  forceDestroy: boolean;
}

/** Athena query results are only needed until someone downloads them. */
export const ATHENA_RESULTS_EXPIRE_DAYS = 30;
/** Firehose writes failed deliveries under this prefix of the staging bucket. */
export const STAGING_ERROR_PREFIX = "errors/";
export const STAGING_PREFIX = "staging/";

export interface SecureBucket {
  bucket: aws.s3.Bucket;
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
}

export interface Storage {
  staging: SecureBucket;
  archive: SecureBucket;
  athenaResults: SecureBucket;
}

type Rule = aws.types.input.s3.BucketLifecycleConfigurationRule;

export function createStorage(a: StorageArgs): Storage {
  const staging = secureBucket(`${a.name}Staging`, a, [
    { id: "expire-staging", status: "Enabled", filter: {}, expiration: { days: a.stagingExpireDays }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
  ]);
  const archiveRule: Rule = {
    id: "archive-tiers",
    status: "Enabled",
    filter: { prefix: a.archivePrefix },
    transitions: [
      { days: a.archiveTransitions.standardIaDays, storageClass: "STANDARD_IA" },
      // Glacier Instant Retrieval: still millisecond reads, so Athena can query old partitions.
      { days: a.archiveTransitions.glacierIrDays, storageClass: "GLACIER_IR" },
    ],
    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    ...(a.archiveExpireDays === null ? {} : { expiration: { days: a.archiveExpireDays } }),
  };
  const archive = secureBucket(`${a.name}Archive`, a, [archiveRule]);
  const athenaResults = secureBucket(`${a.name}AthenaResults`, a, [
    { id: "expire-results", status: "Enabled", filter: {}, expiration: { days: ATHENA_RESULTS_EXPIRE_DAYS } },
  ]);
  return { staging, archive, athenaResults };
}

export function secureBucket(name: string, a: Pick<StorageArgs, "kmsKeyArn" | "forceDestroy">, rules: Rule[]): SecureBucket {
  const bucket = new aws.s3.Bucket(name, { forceDestroy: a.forceDestroy });
  new aws.s3.BucketOwnershipControls(`${name}Ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  const pab = new aws.s3.BucketPublicAccessBlock(`${name}PublicAccessBlock`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new aws.s3.BucketServerSideEncryptionConfiguration(`${name}Encryption`, {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: a.kmsKeyArn }, bucketKeyEnabled: true }],
  });
  // After the public access block: a policy put before it exists could be judged public.
  new aws.s3.BucketPolicy(`${name}Policy`, { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyPolicy(arn))) }, { dependsOn: [pab] });
  new aws.s3.BucketLifecycleConfiguration(`${name}Lifecycle`, { bucket: bucket.id, rules });
  return { bucket, name: bucket.bucket, arn: bucket.arn };
}

/** Denies any request not made over TLS 1.2 or newer. https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html */
export function tlsOnlyPolicy(bucketArn: string): object {
  const resources = [bucketArn, `${bucketArn}/*`];
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: resources, Condition: { Bool: { "aws:SecureTransport": "false" } } },
      { Sid: "DenyOldTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: resources, Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
    ],
  };
}
