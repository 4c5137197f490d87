import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { STAGING_ERROR_PREFIX, STAGING_PREFIX } from "./storage.js";

/**
 * Direct PUT Firehose streams that the receiver tasks write to, delivering to the staging bucket.
 * Several streams because Direct PUT quotas are per stream and as low as 1 MiB/s outside the
 * largest regions (https://docs.aws.amazon.com/firehose/latest/dev/limits.html); the receiver
 * spreads batches over RECEIVER_FIREHOSE_STREAMS.
 */
export interface FirehoseArgs {
  name: string;
  count: number;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  stagingBucketArn: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  retentionInDays: number;
}

/** Delivery is due at whichever comes first. 64 MiB / 60 s keeps objects few (one Lambda
 * invocation each) while records reach CloudWatch about a minute after receipt. */
export const BUFFER_SIZE_MIB = 64;
export const BUFFER_INTERVAL_S = 60;

export interface Firehose {
  streams: aws.kinesis.FirehoseDeliveryStream[];
  streamNames: pulumi.Output<string[]>;
  streamArns: pulumi.Output<string[]>;
  role: aws.iam.Role;
  logGroup: aws.cloudwatch.LogGroup;
}

export function createFirehose(a: FirehoseArgs): Firehose {
  const logGroup = new aws.cloudwatch.LogGroup(`${a.name}FirehoseLogGroup`, {
    name: `/aws/kinesisfirehose/${a.name}`,
    retentionInDays: a.retentionInDays,
    kmsKeyId: a.kmsKeyArn,
  });
  const logStream = new aws.cloudwatch.LogStream(`${a.name}FirehoseLogStream`, { logGroupName: logGroup.name, name: "S3Delivery" });
  const role = new aws.iam.Role(`${a.name}FirehoseRole`, {
    assumeRolePolicy: pulumi.output(a.accountId).apply((accountId) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "firehose.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": accountId } } }],
      }),
    ),
  });
  new aws.iam.RolePolicy(`${a.name}FirehoseRolePolicy`, {
    role: role.id,
    policy: pulumi
      .all([a.stagingBucketArn, a.kmsKeyArn, logGroup.arn, a.region])
      .apply(([bucketArn, keyArn, logGroupArn, region]) => JSON.stringify(firehoseRolePolicy({ bucketArn, keyArn, logGroupArn, region }))),
  });
  const streams = Array.from({ length: a.count }, (_, i) =>
    new aws.kinesis.FirehoseDeliveryStream(`${a.name}Ingest${i}`, {
      name: `${a.name}-ingest-${i}`,
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: a.kmsKeyArn },
      extendedS3Configuration: {
        bucketArn: a.stagingBucketArn,
        roleArn: role.arn,
        prefix: `${STAGING_PREFIX}!{timestamp:yyyy/MM/dd/HH}/`,
        errorOutputPrefix: `${STAGING_ERROR_PREFIX}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
        bufferingSize: BUFFER_SIZE_MIB,
        bufferingInterval: BUFFER_INTERVAL_S,
        // The receiver gzips each Firehose record itself (records are billed by size, and gzip
        // members concatenate into a valid gzip file). Compressing again here would double-
        // compress and the forwarder would have to gunzip twice.
        compressionFormat: "UNCOMPRESSED",
        kmsKeyArn: a.kmsKeyArn,
        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStream.name },
      },
    }, { dependsOn: [role] }),
  );
  return {
    streams,
    streamNames: pulumi.all(streams.map((s) => s.name)),
    streamArns: pulumi.all(streams.map((s) => s.arn)),
    role,
    logGroup,
  };
}

/** The Firehose role may write only to the staging bucket, with our key, and log its errors. */
export function firehoseRolePolicy(a: { bucketArn: string; keyArn: string; logGroupArn: string; region: string }): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteStaging",
        Effect: "Allow",
        Action: ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"],
        Resource: [a.bucketArn, `${a.bucketArn}/*`],
      },
      {
        Sid: "EncryptStagingObjects",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: [a.keyArn],
        Condition: {
          StringEquals: { "kms:ViaService": `s3.${a.region}.amazonaws.com` },
          StringLike: { "kms:EncryptionContext:aws:s3:arn": `${a.bucketArn}/*` },
        },
      },
      { Sid: "LogDeliveryErrors", Effect: "Allow", Action: ["logs:PutLogEvents"], Resource: [`${a.logGroupArn}:log-stream:*`] },
    ],
  };
}
