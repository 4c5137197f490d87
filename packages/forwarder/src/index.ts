// Public API of @aws-syslog/forwarder: the pure core, the adapters and the configuration.
export * from "./errors.js";
export { loadConfig, forwarderConfig, type ForwarderConfig, type ArchiveConfig } from "./config.js";
export { readStagingObject, readStagingObjectChunks, type StagingLine } from "./core/staging-object.js";
export { parseSelector, matchesSelector, type Selector } from "./core/selector.js";
export {
  parseRoutes, routeRecord, archiveRouteName, archiveRouteNames, DEFAULT_ROUTES, DEFAULT_ROUTES_TEXT, UNROUTED,
  type Route, type RouteTable, type RouteFormat,
} from "./core/route.js";
export { parseLogStreamTemplate, logStreamName, type LogStreamTemplate } from "./core/log-stream-name.js";
export { s3ObjectsFromSqsRecord, type S3ObjectRef } from "./handlers/s3-event.js";
export { SyslogClock, eventTimeMs, syslogLine, jsonEvent } from "./core/event-text.js";
export {
  LogBatcher, truncateMessage, eventAge, MAX_BATCH_EVENTS, MAX_BATCH_BYTES, EVENT_OVERHEAD_BYTES, MAX_EVENT_BYTES,
  MAX_MESSAGE_BYTES, MAX_BATCH_SPAN_MS, MAX_EVENT_AGE_MS, MAX_EVENT_FUTURE_MS, type LogEvent, type LogEventBatch,
} from "./core/log-batches.js";
export {
  forwardToLogGroups, emptyForwardStats, type ForwardInput, type ForwardOptions, type ForwardStats, type LogEventsWriter, type PutLogEventsResult,
} from "./core/forward-to-log-groups.js";
export { CloudWatchLogsWriter, createCloudWatchLogsClient, type CloudWatchLogsWriterOptions } from "./adapters/cloudwatch-logs.js";
export { forwardStagingObject, type StagingObjectStore, type ForwardStagingResult } from "./core/forward-staging-object.js";
export { S3StagingObjects, FORWARDED_TAG } from "./adapters/s3-staging-objects.js";
// Archive: schema v1 → partitioned Parquet (core), S3 and local sinks (adapters).
export {
  ARCHIVE_COLUMNS, ARCHIVE_PARTITION_KEYS, ARCHIVE_LOCATION_TEMPLATE_SUFFIX,
  type ArchiveColumn, type ArchivePartitionKey, type ArchiveValue, type GlueType, type ParquetColumnType,
} from "./core/archive-schema.js";
export {
  partitionOf, partitionPath, stagingObjectId, normalizeEtag, archiveObjectKey, archiveErrorKey,
  type Partition, type StagingObjectIdentity,
} from "./core/partition.js";
export { ParquetPartWriter, ARCHIVE_COMPRESSIONS, compressionSupported, type ArchiveCompression, type ParquetPartOptions } from "./core/archive-writer.js";
export {
  archiveStagingObject, archiveStagingLines, PARQUET_CONTENT_TYPE, NDJSON_CONTENT_TYPE,
  type ArchiveSink, type ArchiveOptions, type ArchiveResult, type ArchivedObject,
} from "./core/archive.js";
export { S3ArchiveSink, createS3Client, openStagingObject } from "./adapters/s3-archive.js";
export { LocalArchiveSink } from "./adapters/local-archive.js";
export { LocalLogFilesWriter } from "./adapters/local-log-files.js";
export { LocalStagingObjects } from "./adapters/local-staging-objects.js";
