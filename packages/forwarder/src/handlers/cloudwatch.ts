import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { CloudWatchLogsWriter, createCloudWatchLogsClient } from "../adapters/cloudwatch-logs.js";
import { S3StagingObjects } from "../adapters/s3-staging-objects.js";
import { forwarderConfig } from "../config.js";
import { forwardStagingObject } from "../core/forward-staging-object.js";
import { s3ObjectsFromSqsRecord } from "./s3-event.js";

// SQS (S3 ObjectCreated notifications of the staging bucket) → CloudWatch Logs. A message
// that throws is reported as a batch item failure; SQS redelivers it, then moves it to the
// DLQ after maxReceiveCount. Clients and config are built once per Lambda instance. Messages
// run one at a time (Powertools would run a batch's in parallel): the events held while
// batching (32 MiB, core/log-batches.ts) are bounded per object, and the 512 MB function is
// sized for one (the benchmark's 100 MB object peaks at ~250–300 MiB RSS).
const config = forwarderConfig();
const logger = new Logger({ serviceName: "forwarder-cloudwatch", logLevel: config.logLevel.toUpperCase() as "INFO" });
const store = new S3StagingObjects(new S3Client({ forcePathStyle: config.s3ForcePathStyle }));
const writer = new CloudWatchLogsWriter(createCloudWatchLogsClient(), {
  createLogGroups: config.createLogGroups, maxRetries: config.cloudWatchMaxRetries,
  retryBaseDelayMs: config.retryBaseDelayMs, retryMaxDelayMs: config.retryMaxDelayMs,
});
const options = { routes: config.routes, logStreamTemplate: config.logStreamTemplate, timeZone: config.timeZone, maxParallelStreams: config.maxParallelStreams };
const processor = new BatchProcessor(EventType.SQS);

async function forwardMessage(record: SQSRecord): Promise<void> {
  try {
    for (const ref of s3ObjectsFromSqsRecord(record)) {
      const result = await forwardStagingObject(ref, store, writer, options);
      logger.info("staging object forwarded", { messageId: record.messageId, bucket: ref.bucket, key: ref.key, ...result });
    }
  } catch (err) {
    const { code, retryable } = err as { code?: string; retryable?: boolean };
    logger.error("SQS message not forwarded", { messageId: record.messageId, code, retryable, error: err as Error });
    throw err;
  }
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, forwardMessage, processor, { context, processInParallel: false });
