import { DescribeLogGroupsCommand, StartLiveTailCommand, type CloudWatchLogsClient, type StartLiveTailResponseStream } from "@aws-sdk/client-cloudwatch-logs";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";
import { cloudWatchError, quotedTerm, type CloudWatchTailQuery } from "./cloudwatch-tail.js";
import type { TailEvent } from "./local-log-group.js";

/**
 * CloudWatch Logs Live Tail (StartLiveTail): the service pushes new events over one HTTP
 * response in the AWS event-stream encoding, about once a second, instead of the CLI asking
 * every 2 s with FilterLogEvents. A session ends after 3 hours (SessionTimeoutException); the
 * follower then starts a new one. When more than 500 events a second match, the service sends a
 * sample and says so (`sampled`): the user is told once. Live Tail is billed per session
 * minute, so a session is ended (aborted) as soon as the follow stops.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html
 */

/** StartLiveTail takes log group ARNs (without the trailing `:*`); a name is looked up first. */
export async function logGroupArn(client: CloudWatchLogsClient, logGroup: string): Promise<string> {
  if (logGroup.startsWith("arn:")) return logGroup.replace(/:\*$/, "");
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroup, ...(nextToken ? { nextToken } : {}) }));
    } catch (err) {
      throw cloudWatchError(err, logGroup, "DescribeLogGroups");
    }
    const group = page.logGroups?.find((g) => g.logGroupName === logGroup);
    if (group) {
      const arn = group.logGroupArn ?? group.arn?.replace(/:\*$/, "");
      if (arn) return arn;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  throw new CliError(CLI_ERROR_CODES.logGroupNotFound, `no log group ${logGroup} in CloudWatch Logs; check the name and the region`, EXIT.failure);
}

/** An event's identity across Live Tail and FilterLogEvents, which give different fields. */
export const eventKey = (e: TailEvent) => `${e.logStream}\u0000${e.timestamp}\u0000${e.message}`;

export interface LiveTailHooks {
  /** The service is sampling; called once per follow. */
  onSampled(): void;
  /** A session ended at its time limit and a new one was started. */
  onRestart(): void;
}

/**
 * Follows one log group with Live Tail in the background: events collect in a buffer that
 * `drain()` empties; a failure is kept and thrown by the next `drain()`. `start()` returns once
 * the first session is open, so a caller that reads history afterwards misses nothing between.
 */
export class LiveTailFollower {
  private buffer: TailEvent[] = [];
  private failure: CliError | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private sampledSaid = false;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly query: CloudWatchTailQuery,
    private readonly hooks: LiveTailHooks,
  ) {}

  async start(): Promise<void> {
    const arn = await logGroupArn(this.client, this.query.logGroup);
    const first = await this.open(arn);
    this.running = this.run(arn, first).catch((err: unknown) => {
      if (!this.abort.signal.aborted) this.failure = err instanceof CliError ? err : cloudWatchError(err, this.query.logGroup, "StartLiveTail");
    });
  }

  drain(): TailEvent[] {
    if (this.failure) throw this.failure;
    const events = this.buffer;
    this.buffer = [];
    return events;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async open(arn: string): Promise<AsyncIterable<StartLiveTailResponseStream>> {
    try {
      const out = await this.client.send(new StartLiveTailCommand({
        logGroupIdentifiers: [arn],
        ...(this.query.streamPrefix !== undefined ? { logStreamNamePrefixes: [this.query.streamPrefix] } : {}),
        ...(this.query.contains !== undefined ? { logEventFilterPattern: quotedTerm(this.query.contains) } : {}),
      }), { abortSignal: this.abort.signal });
      if (!out.responseStream) throw new Error("StartLiveTail returned no event stream");
      return out.responseStream;
    } catch (err) {
      throw cloudWatchError(err, this.query.logGroup, "StartLiveTail");
    }
  }

  private async run(arn: string, first: AsyncIterable<StartLiveTailResponseStream>): Promise<void> {
    let stream = first;
    for (;;) {
      try {
        for await (const message of stream) {
          const update = message.sessionUpdate;
          if (update?.sessionMetadata?.sampled && !this.sampledSaid) {
            this.sampledSaid = true;
            this.hooks.onSampled();
          }
          for (const e of update?.sessionResults ?? []) {
            this.buffer.push({ logGroup: this.query.logGroup, logStream: e.logStreamName ?? "", message: (e.message ?? "").replace(/\n$/, ""), timestamp: e.timestamp ?? 0 });
          }
          if (message.SessionTimeoutException) break;
          if (message.SessionStreamingException) throw Object.assign(new Error(message.SessionStreamingException.message ?? "Live Tail stream failed"), { name: "SessionStreamingException" });
        }
      } catch (err) {
        if ((err as { name?: string }).name !== "SessionTimeoutException") throw err;
      }
      if (this.abort.signal.aborted) return;
      // The stream ended (time limit, or the service closed it): a new session continues the follow.
      this.hooks.onRestart();
      stream = await this.open(arn);
    }
  }
}
