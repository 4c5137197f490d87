import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Consumer } from "./fanout.js";
import type { Permission } from "./iam.js";
import { STAGING_PREFIX } from "./storage.js";

/**
 * Least-privilege permissions of the two forwarder Lambdas (in SST `permissions` form, i.e.
 * one IAM statement each) and their SQS event source mappings. What any VPC Lambda needs to
 * run (its log stream, its ENIs) is iam.ts lambdaRuntimePermissions().
 */
export type { Permission };

export interface ForwarderIamArgs {
  consumer: Consumer;
  queueArn: string;
  stagingBucketArn: string;
  archiveBucketArn: string;
  archivePrefix: string;
  keyArn: string;
  /** Route log group ARNs, without the trailing `:*`. */
  logGroupArns: string[];
}

/** Both functions read their queue and staging objects; cloudwatch writes log events, archive writes Parquet. */
export function forwarderPermissions(a: ForwarderIamArgs): Permission[] {
  const common: Permission[] = [
    { actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"], resources: [a.queueArn] },
    { actions: ["s3:GetObject"], resources: [`${a.stagingBucketArn}/${STAGING_PREFIX}*`] },
  ];
  if (a.consumer === "cloudwatch") {
    return [
      ...common,
      { actions: ["kms:Decrypt"], resources: [a.keyArn] },
      // The "already forwarded" tag on a staging object makes a redelivered message a no-op
      // (packages/forwarder/src/adapters/s3-staging-objects.ts).
      { actions: ["s3:GetObjectTagging", "s3:PutObjectTagging"], resources: [`${a.stagingBucketArn}/${STAGING_PREFIX}*`] },
      // Streams are created per host on first use (CreateLogStream); DescribeLogStreams is not
      // needed: ResourceAlreadyExistsException is the signal that a stream exists.
      { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: a.logGroupArns.map((g) => `${g}:log-stream:*`) },
    ];
  }
  return [
    ...common,
    { actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [a.keyArn] },
    { actions: ["s3:PutObject"], resources: [`${a.archiveBucketArn}/${a.archivePrefix}*`] },
  ];
}

/**
 * One staging object per invocation. Under load an object holds Firehose's whole 64 MiB buffer
 * of gzip (~580k records at the benchmark's compression): ~5 CPU-s for the CloudWatch half
 * (docs/PERFORMANCE.md), 15–30 s on the 512 MB function's ~0.3 vCPU with the PutLogEvents calls.
 * Ten of them in one invocation, as a backlog after an outage delivers them, could pass the 300 s
 * timeout; a timed-out invocation is received again whole, so the object it was cut off in is
 * sent again from its start (duplicates) and every message of the batch moves one receive closer
 * to the DLQ. Parallelism comes from maximumConcurrency instead: 10 objects at a time per queue,
 * as ten 10-message batches processed one message at a time gave. (Small objects, at low
 * traffic, arrive about one a minute per Firehose stream, so batching them saved nothing.)
 */
export const SQS_BATCH_SIZE = 1;
/** Upper bound on concurrent invocations per queue, so a backlog cannot exhaust the account's
 * Lambda concurrency or CloudWatch Logs' PutLogEvents quota. */
export const SQS_MAX_CONCURRENCY = 10;

export function createEventSourceMapping(name: string, a: { functionArn: pulumi.Input<string>; queueArn: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions): aws.lambda.EventSourceMapping {
  return new aws.lambda.EventSourceMapping(name, {
    eventSourceArn: a.queueArn,
    functionName: a.functionArn,
    batchSize: SQS_BATCH_SIZE,
    // Handlers return SQS partial batch responses: only failed messages are retried.
    functionResponseTypes: ["ReportBatchItemFailures"],
    scalingConfig: { maximumConcurrency: SQS_MAX_CONCURRENCY },
  }, opts);
}
