import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand,
  type RejectedLogEventsInfo,
} from "@aws-sdk/client-cloudwatch-logs";
import type { LogEventBatch } from "../core/log-batches.js";
import type { LogEventsWriter, PutLogEventsResult } from "../core/forward-to-log-groups.js";
import { CloudWatchRequestError, CloudWatchRetriesExhaustedError, LogGroupNotFoundError } from "../errors.js";

export interface CloudWatchLogsWriterOptions {
  /** Create a missing log group (without KMS key or retention: infra should own groups). */
  createLogGroups: boolean;
  /** Retries of throttled / 5xx / network-failed calls per batch before giving up. */
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Error names CloudWatch Logs uses for "slow down" or a transient fault. */
const RETRYABLE_ERRORS = new Set([
  "ThrottlingException", "ServiceUnavailableException", "InternalServerException",
  "RequestTimeout", "RequestTimeoutException", "TimeoutError", "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT",
]);

/** The SDK client this adapter expects: its own retries off, so the bound here is the only one. */
export function createCloudWatchLogsClient(): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ maxAttempts: 1 });
}

/**
 * PutLogEvents with what CloudWatch needs around it: a missing stream is created (and the
 * group when configured) and the call repeated; throttling, 5xx and network errors are retried
 * with capped exponential backoff and full jitter, a bounded number of times;
 * rejectedLogEventsInfo is counted. Nothing here makes the put idempotent: a retry after a
 * lost response can store a batch twice (CloudWatch has no deduplication).
 */
export class CloudWatchLogsWriter implements LogEventsWriter {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly client: CloudWatchLogsClient, private readonly options: CloudWatchLogsWriterOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  async putLogEvents(batch: LogEventBatch): Promise<PutLogEventsResult> {
    const result: PutLogEventsResult = {
      rejectedTooOld: 0, rejectedTooNew: 0, rejectedExpired: 0, retries: 0, streamsCreated: 0, groupsCreated: 0,
    };
    const where = `${batch.logGroup} / ${batch.logStream}`;
    let createdStream = false;
    for (;;) {
      try {
        const response = await this.client.send(new PutLogEventsCommand({
          logGroupName: batch.logGroup, logStreamName: batch.logStream, logEvents: batch.events,
        }));
        countRejected(response.rejectedLogEventsInfo, batch.events.length, result);
        return result;
      } catch (err) {
        const name = errorName(err);
        if (name === "ResourceNotFoundException" && !createdStream) {
          createdStream = true;
          await this.createStream(batch.logGroup, batch.logStream, result);
          continue;
        }
        if (isRetryable(err) && result.retries < this.options.maxRetries) {
          await this.sleep(this.backoffMs(result.retries));
          result.retries += 1;
          continue;
        }
        if (isRetryable(err)) {
          throw new CloudWatchRetriesExhaustedError(`PutLogEvents to ${where} still failing after ${result.retries} retries: ${name}`, { cause: err });
        }
        throw new CloudWatchRequestError(`PutLogEvents to ${where} failed: ${name}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  private async createStream(logGroup: string, logStream: string, result: PutLogEventsResult): Promise<void> {
    try {
      await this.client.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: logStream }));
      result.streamsCreated += 1;
      return;
    } catch (err) {
      const name = errorName(err);
      if (name === "ResourceAlreadyExistsException") return; // another invocation won the race
      if (name !== "ResourceNotFoundException") throw new CloudWatchRequestError(`CreateLogStream ${logGroup} / ${logStream} failed: ${name}`, { cause: err });
      if (!this.options.createLogGroups) throw new LogGroupNotFoundError(logGroup, { cause: err });
    }
    try {
      await this.client.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
      result.groupsCreated += 1;
    } catch (err) {
      if (errorName(err) !== "ResourceAlreadyExistsException") {
        throw new CloudWatchRequestError(`CreateLogGroup ${logGroup} failed: ${errorName(err)}`, { cause: err });
      }
    }
    try {
      await this.client.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: logStream }));
      result.streamsCreated += 1;
    } catch (err) {
      if (errorName(err) !== "ResourceAlreadyExistsException") {
        throw new CloudWatchRequestError(`CreateLogStream ${logGroup} / ${logStream} failed: ${errorName(err)}`, { cause: err });
      }
    }
  }

  /** Full jitter: uniform in [0, min(max, base·2^attempt)]. */
  private backoffMs(attempt: number): number {
    const cap = Math.min(this.options.retryMaxDelayMs, this.options.retryBaseDelayMs * 2 ** attempt);
    return Math.floor(this.random() * cap);
  }
}

/** rejectedLogEventsInfo: tooNew start index is inclusive, tooOld end index exclusive; the
 * expired range (older than the group's retention) overlaps the too-old one, so only its
 * excess is counted, and every rejected event is counted once. */
function countRejected(info: RejectedLogEventsInfo | undefined, count: number, result: PutLogEventsResult): void {
  if (info === undefined) return;
  const tooOld = Math.min(count, Math.max(0, info.tooOldLogEventEndIndex ?? 0));
  const expired = Math.min(count, Math.max(0, info.expiredLogEventEndIndex ?? 0));
  const tooNewStart = info.tooNewLogEventStartIndex;
  result.rejectedTooOld += tooOld;
  result.rejectedExpired += Math.max(0, expired - tooOld);
  if (tooNewStart !== undefined) result.rejectedTooNew += Math.max(0, count - Math.max(tooNewStart, tooOld, expired));
}

function errorName(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown } | null;
  if (typeof e?.code === "string" && e.code.startsWith("E")) return e.code;
  return typeof e?.name === "string" ? e.name : "Error";
}

function isRetryable(err: unknown): boolean {
  const e = err as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | null;
  const status = e?.$metadata?.httpStatusCode;
  return RETRYABLE_ERRORS.has(errorName(err)) || e?.$retryable !== undefined || (status !== undefined && status >= 500);
}
