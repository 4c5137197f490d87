import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { STAGING_PREFIX } from "./storage.js";

/**
 * Staging object created → one SNS topic → one SQS queue per forwarder (+ DLQ each). S3 allows
 * only one notification per event type and prefix, and both forwarders need every object, so
 * SNS fans out; raw message delivery keeps each SQS body the plain S3 event notification the
 * handlers expect.
 */
export const CONSUMERS = ["cloudwatch", "archive"] as const;
export type Consumer = (typeof CONSUMERS)[number];

/** A message that failed this many receives goes to the DLQ (alarmed), never dropped. */
export const MAX_RECEIVE_COUNT = 5;
/** SQS maximum, so a poisoned object can be inspected for two weeks. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html */
export const DLQ_RETENTION_S = 1_209_600;

export interface FanoutArgs {
  name: string;
  stagingBucketId: pulumi.Input<string>;
  stagingBucketArn: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  /** AWS recommends a visibility timeout of six times the function timeout for SQS event sources. */
  functionTimeoutS: number;
}

export interface ConsumerQueues {
  queue: aws.sqs.Queue;
  dlq: aws.sqs.Queue;
}

export interface Fanout {
  topic: aws.sns.Topic;
  queues: Record<Consumer, ConsumerQueues>;
}

export function createFanout(a: FanoutArgs): Fanout {
  const topic = new aws.sns.Topic(`${a.name}StagingEvents`, { kmsMasterKeyId: a.kmsKeyArn });
  const topicPolicy = new aws.sns.TopicPolicy(`${a.name}StagingEventsPolicy`, {
    arn: topic.arn,
    policy: pulumi.all([topic.arn, a.stagingBucketArn, a.accountId]).apply(([topicArn, bucketArn, accountId]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
          Sid: "StagingBucketPublishes",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topicArn,
          Condition: { ArnEquals: { "aws:SourceArn": bucketArn }, StringEquals: { "aws:SourceAccount": accountId } },
        }],
      }),
    ),
  });
  new aws.s3.BucketNotification(`${a.name}StagingNotification`, {
    bucket: a.stagingBucketId,
    // Only delivered objects: Firehose's error output (errors/) is not for the forwarders.
    topics: [{ topicArn: topic.arn, events: ["s3:ObjectCreated:*"], filterPrefix: STAGING_PREFIX }],
  }, { dependsOn: [topicPolicy] });

  const queues = Object.fromEntries(CONSUMERS.map((c) => [c, consumerQueues(a, topic, c)])) as Record<Consumer, ConsumerQueues>;
  return { topic, queues };
}

function consumerQueues(a: FanoutArgs, topic: aws.sns.Topic, consumer: Consumer): ConsumerQueues {
  const n = `${a.name}${consumer[0]!.toUpperCase()}${consumer.slice(1)}`;
  const dlq = new aws.sqs.Queue(`${n}Dlq`, { sqsManagedSseEnabled: true, messageRetentionSeconds: DLQ_RETENTION_S });
  const queue = new aws.sqs.Queue(`${n}Queue`, {
    sqsManagedSseEnabled: true,
    visibilityTimeoutSeconds: a.functionTimeoutS * 6,
    messageRetentionSeconds: DLQ_RETENTION_S,
    redrivePolicy: dlq.arn.apply((deadLetterTargetArn) => JSON.stringify({ deadLetterTargetArn, maxReceiveCount: MAX_RECEIVE_COUNT })),
  });
  const policy = new aws.sqs.QueuePolicy(`${n}QueuePolicy`, {
    queueUrl: queue.url,
    policy: pulumi.all([queue.arn, topic.arn]).apply(([queueArn, topicArn]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "TopicSends", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": topicArn } } },
          { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queueArn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ],
      }),
    ),
  });
  new aws.sns.TopicSubscription(`${n}Subscription`, { topic: topic.arn, protocol: "sqs", endpoint: queue.arn, rawMessageDelivery: true }, { dependsOn: [policy] });
  return { queue, dlq };
}
