import { CloudWatchLogsClient, FilterLogEventsCommand, type FilterLogEventsCommandInput } from "@aws-sdk/client-cloudwatch-logs";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";
import type { TailEvent } from "./local-log-group.js";

/**
 * Tailing a log group in CloudWatch Logs with FilterLogEvents: one query from the start time,
 * then, when following, a query every few seconds from a little before the newest event seen.
 * The look-back exists because CloudWatch makes an event searchable only after ingestion, and
 * an event can arrive with an older timestamp than one already shown; events are told apart
 * by eventId, so the overlap prints nothing twice.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
export const LOOKBACK_MS = 30_000;
/** Between follow queries: FilterLogEvents is throttled per account and region, shared with everyone's consoles and scripts. */
export const FOLLOW_POLL_MS = 2_000;

export interface CloudWatchTailQuery {
  logGroup: string;
  /** logStreamNamePrefix: streams whose name starts with this. */
  streamPrefix?: string;
  /** Only events containing this text (sent as a quoted filter-pattern term: exact, case-sensitive). */
  contains?: string;
}

export interface LogsClientEnv {
  AWS_REGION?: string | undefined;
  AWS_DEFAULT_REGION?: string | undefined;
  AWS_ENDPOINT_URL_CLOUDWATCH_LOGS?: string | undefined;
  AWS_ENDPOINT_URL?: string | undefined;
  AWS_ACCESS_KEY_ID?: string | undefined;
  AWS_SECRET_ACCESS_KEY?: string | undefined;
  AWS_SESSION_TOKEN?: string | undefined;
}

/**
 * A client from the command's environment (io.env). Region, endpoint and static credentials
 * are taken from it when present; anything else (profiles, SSO, instance roles) is the SDK's
 * own chain.
 */
export function createLogsClient(env: LogsClientEnv): CloudWatchLogsClient {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS ?? env.AWS_ENDPOINT_URL;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  return new CloudWatchLogsClient({
    ...(region ? { region } : {}),
    // An endpoint of one's own has no "streaming-" host for StartLiveTail's host prefix.
    ...(endpoint ? { endpoint, disableHostPrefix: true } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
  });
}

/** A filter-pattern term that matches `text` literally: double-quoted, with \ and " escaped. */
export function quotedTerm(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function cloudWatchError(err: unknown, logGroup: string, action = "FilterLogEvents"): CliError {
  const e = err as { name?: string; message?: string } | undefined;
  const name = e?.name ?? "Error";
  const message = e?.message ?? String(err);
  if (name === "ResourceNotFoundException") {
    return new CliError(CLI_ERROR_CODES.logGroupNotFound, `no log group ${logGroup} in CloudWatch Logs (${message}); check the name and the region`, EXIT.failure, { cause: err });
  }
  if (/region is missing/i.test(message)) {
    return new CliError(CLI_ERROR_CODES.awsFailed, "CloudWatch Logs: no AWS region (set AWS_REGION or a profile's region)", EXIT.failure, { cause: err });
  }
  if (name === "CredentialsProviderError" || /credential/i.test(message)) {
    return new CliError(CLI_ERROR_CODES.awsFailed, `CloudWatch Logs: no usable AWS credentials (${message}); set AWS_PROFILE or log in`, EXIT.failure, { cause: err });
  }
  if (name === "AccessDeniedException") {
    return new CliError(CLI_ERROR_CODES.awsFailed, `CloudWatch Logs refused logs:${action} on ${logGroup}: ${message}`, EXIT.failure, { cause: err });
  }
  return new CliError(CLI_ERROR_CODES.awsFailed, `CloudWatch Logs ${action} on ${logGroup} failed: ${name}: ${message}`, EXIT.failure, { cause: err });
}

export type CloudWatchEvent = Required<TailEvent> & { eventId: string };

/** Every event of [startTime, endTime] matching the query, in timestamp order, across all pages. */
export async function filterEvents(client: CloudWatchLogsClient, q: CloudWatchTailQuery, startTime: number, endTime?: number): Promise<CloudWatchEvent[]> {
  const events: CloudWatchEvent[] = [];
  let nextToken: string | undefined;
  do {
    const input: FilterLogEventsCommandInput = {
      logGroupName: q.logGroup,
      startTime,
      ...(endTime !== undefined ? { endTime } : {}),
      ...(q.streamPrefix !== undefined ? { logStreamNamePrefix: q.streamPrefix } : {}),
      ...(q.contains !== undefined ? { filterPattern: quotedTerm(q.contains) } : {}),
      ...(nextToken !== undefined ? { nextToken } : {}),
    };
    let page;
    try {
      page = await client.send(new FilterLogEventsCommand(input));
    } catch (err) {
      throw cloudWatchError(err, q.logGroup);
    }
    for (const e of page.events ?? []) {
      events.push({
        logGroup: q.logGroup,
        logStream: e.logStreamName ?? "",
        message: (e.message ?? "").replace(/\n$/, ""),
        timestamp: e.timestamp ?? 0,
        eventId: e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`,
      });
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  // Pages hold events per stream; across streams the order is by time only after sorting.
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

/** Follows a group: each poll returns events not returned before, oldest first. */
export class CloudWatchFollower {
  /** eventId → timestamp, kept while within the look-back of the newest event. */
  private readonly seen = new Map<string, number>();
  private newest = 0;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly query: CloudWatchTailQuery,
    private readonly startTime: number,
  ) {}

  async poll(): Promise<TailEvent[]> {
    const from = Math.max(this.startTime, this.newest - LOOKBACK_MS);
    const events = await filterEvents(this.client, this.query, from);
    const fresh = events.filter((e) => !this.seen.has(e.eventId));
    for (const e of fresh) {
      this.seen.set(e.eventId, e.timestamp);
      if (e.timestamp > this.newest) this.newest = e.timestamp;
    }
    for (const [id, ts] of this.seen) if (ts < this.newest - LOOKBACK_MS) this.seen.delete(id);
    return fresh.map(({ eventId: _, ...e }) => e);
  }
}
