import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { S3ArchiveSink, createS3Client, openStagingObject } from "../adapters/s3-archive.js";
import { forwarderConfig } from "../config.js";
import { archiveStagingObject } from "../core/archive.js";
import { ConfigError } from "../errors.js";
import { s3ObjectsFromSqsRecord } from "./s3-event.js";

// SQS (S3 ObjectCreated notifications of the staging bucket) → Parquet archive. Keys derive
// from (bucket, key, etag), so a redelivered message overwrites its own objects. A message that
// throws is a batch item failure; SQS redelivers it, then moves it to the DLQ after
// maxReceiveCount. Messages run one at a time: each may stream a 128 MiB object, and the memory
// bound (FORWARDER_ARCHIVE_MAX_BUFFER_BYTES) is per object.
const config = forwarderConfig();
if (config.archive.bucket === null) throw new ConfigError(["FORWARDER_ARCHIVE_BUCKET: required by the archive handler"]);
const logger = new Logger({ serviceName: "forwarder-archive", logLevel: config.logLevel.toUpperCase() as "INFO" });
const s3 = createS3Client({ forcePathStyle: config.s3ForcePathStyle });
const sink = new S3ArchiveSink(s3, config.archive.bucket);
const options = { routes: config.routes, ...config.archive };
const processor = new BatchProcessor(EventType.SQS);

async function archiveMessage(record: SQSRecord): Promise<void> {
  try {
    for (const ref of s3ObjectsFromSqsRecord(record)) {
      const result = await archiveStagingObject(ref, await openStagingObject(s3, ref), sink, options);
      const { objects, ...counters } = result;
      logger.info("staging object archived", { messageId: record.messageId, bucket: ref.bucket, key: ref.key, ...counters, archiveObjects: objects.length });
    }
  } catch (err) {
    const { code, retryable } = err as { code?: string; retryable?: boolean };
    logger.error("SQS message not archived", { messageId: record.messageId, code, retryable, error: err as Error });
    throw err;
  }
}

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, archiveMessage, processor, { context, processInParallel: false });
