import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgv } from "../args.js";
import { CLI_ERROR_CODES, CliError, EXIT, UsageError } from "../errors.js";
import { styleFor, warn, type CliIo } from "../io.js";
import { parseDuration } from "../tail/parse-duration.js";
import { lastLines, listLocalGroups, listLocalStreams, LocalGroupFollower, localGroupDir, type TailEvent } from "../tail/local-log-group.js";

export const help = `Usage: pnpm cli tail LOG_GROUP [options]

Prints the latest events of a log group, and with --follow keeps printing new ones:

  locally (default)   the embedded default's files, <data>/cloudwatch/<group>/<stream>.log
  --cloudwatch        CloudWatch Logs (FilterLogEvents), region and credentials from the
                      AWS SDK's usual settings (AWS_REGION, AWS_PROFILE, …)

Options:
  --lines N          how many of the latest events to print first (default 10; 0 = none).
                     Locally: per stream. CloudWatch: of the events since --since
  -f, --follow       keep printing new events until Ctrl-C, --timeout or --count
  --timeout D        stop following after D (30s, 10m, …; exit 0, or 1 when --count was not reached)
  --count N          stop once N events have been printed (the first --lines included)
  --stream PREFIX    only log streams whose name starts with PREFIX (the sender's hostname)
  --filter TEXT      only events containing TEXT (CloudWatch: case-sensitive)
  --since D          CloudWatch: start D ago (default 1h)
  --data-dir DIR     the embedded default's data directory (default .data, or $SYSLOG_DATA_DIR)
  --json             one JSON object per event: logGroup, logStream, message (and timestamp)
  -h, --help         show this help

Examples:
  pnpm cli tail /var/log/messages -f
  pnpm cli tail /aws-syslog/onegate --filter run=1a2b3c4d --lines 1000 -f --count 100 --timeout 2m
  AWS_PROFILE=prod pnpm cli tail /var/log/secure --cloudwatch --since 30m -f

Exit codes: 0 ok, 1 failure (no such log group, AWS error, --count not reached), 2 usage error.
`;

const OPTIONS = {
  lines: { type: "string" },
  follow: { type: "boolean", short: "f" },
  timeout: { type: "string" },
  count: { type: "string" },
  stream: { type: "string" },
  filter: { type: "string" },
  since: { type: "string" },
  cloudwatch: { type: "boolean" },
  "data-dir": { type: "string" },
  json: { type: "boolean" },
} as const;

/** How often the local files are looked at while following. */
const LOCAL_POLL_MS = 250;
const DEFAULT_SINCE_MS = 3_600_000;

function wholeNumber(option: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) < min) throw new UsageError(`tail: ${option} must be a whole number from ${min}, got "${value}"`);
  return Number(value);
}

/** Something that yields new events on each poll: local files or CloudWatch. */
interface Source {
  /** The events to print first. */
  initial(): Promise<TailEvent[]>;
  poll(): Promise<TailEvent[]>;
  pollMs: number;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgv("tail", argv, OPTIONS);
  const dataDir = resolve(io.cwd, values["data-dir"] ?? io.env["SYSLOG_DATA_DIR"] ?? ".data");
  const root = resolve(dataDir, "cloudwatch");
  if (positionals.length !== 1) {
    const groups = values.cloudwatch ? [] : await listLocalGroups(root);
    const known = groups.length > 0 ? ` Local log groups: ${groups.join(", ")}` : "";
    throw new UsageError(`tail: give one log group, e.g. pnpm cli tail /var/log/messages.${known}`);
  }
  const logGroup = positionals[0]!;
  const lines = wholeNumber("--lines", values.lines, 10, 0);
  const count = values.count !== undefined ? wholeNumber("--count", values.count, 0, 1) : undefined;
  const timeoutMs = values.timeout !== undefined ? parseDuration("--timeout", values.timeout) : undefined;
  if (!values.follow && (timeoutMs !== undefined || count !== undefined)) throw new UsageError("tail: --timeout and --count apply only with --follow");
  if (values.since !== undefined && !values.cloudwatch) throw new UsageError("tail: --since applies only with --cloudwatch (local streams keep no event times)");
  const filter = values.filter;
  const matches = (e: TailEvent) => filter === undefined || e.message.includes(filter);

  const source: Source = values.cloudwatch
    ? await cloudWatchSource(io, logGroup, values.stream, filter, io.now().getTime() - (values.since !== undefined ? parseDuration("--since", values.since) : DEFAULT_SINCE_MS), lines)
    : await localSource(io, root, logGroup, values.stream, lines, matches, values.follow === true);

  const s = styleFor(io);
  let printed = 0;
  const print = (events: TailEvent[]): void => {
    for (const e of events) {
      if (count !== undefined && printed >= count) return;
      printed++;
      if (values.json) io.stdout.write(`${JSON.stringify(e)}\n`);
      else io.stdout.write(`${e.timestamp !== undefined ? `${s.dim(new Date(e.timestamp).toISOString())} ` : ""}${s.dim(e.logStream)} ${e.message}\n`);
    }
  };
  print(await source.initial());
  if (!values.follow) return EXIT.ok;

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  const timer = timeoutMs !== undefined ? setTimeout(() => stop.abort(), timeoutMs) : undefined;
  try {
    while (!stop.signal.aborted && (count === undefined || printed < count)) {
      await sleep(source.pollMs, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) break;
      print((await source.poll()).filter(matches));
    }
  } finally {
    clearTimeout(timer);
    process.off("SIGINT", onSignal);
  }
  if (count !== undefined && printed < count) {
    throw new CliError(CLI_ERROR_CODES.tailTimeout, `saw ${printed} of ${count} events in ${logGroup} within ${values.timeout}`, EXIT.failure);
  }
  return EXIT.ok;
}

async function localSource(
  io: CliIo, root: string, logGroup: string, streamPrefix: string | undefined, lines: number, matches: (e: TailEvent) => boolean, follow: boolean,
): Promise<Source> {
  const dir = localGroupDir(root, logGroup);
  const wanted = (name: string) => streamPrefix === undefined || name.startsWith(streamPrefix);
  const streams = (await listLocalStreams(dir, logGroup).catch((err: unknown) => {
    // Following a group nothing has been routed to yet: wait for its first stream.
    if (follow && err instanceof CliError && err.code === CLI_ERROR_CODES.logGroupNotFound) {
      warn(io, `${err.message}; waiting for it`);
      return [];
    }
    throw err;
  })).filter((st) => wanted(st.name));
  const follower = new LocalGroupFollower(dir, logGroup, wanted);
  return {
    pollMs: LOCAL_POLL_MS,
    initial: async () => {
      const events: TailEvent[] = [];
      for (const st of streams) {
        // With a filter, "the last N" are the last N that match.
        const { lines: tail, offset } = await lastLines(st.path, lines, (message) => matches({ logGroup, logStream: st.name, message }));
        follower.startAt(st.path, offset);
        events.push(...tail.map((message) => ({ logGroup, logStream: st.name, message })));
      }
      return events;
    },
    poll: () => follower.poll(),
  };
}

async function cloudWatchSource(io: CliIo, logGroup: string, streamPrefix: string | undefined, filter: string | undefined, startTime: number, lines: number): Promise<Source> {
  // Loaded here so local tailing (and every other command) never loads the AWS SDK.
  const { CloudWatchFollower, createLogsClient, FOLLOW_POLL_MS } = await import("../tail/cloudwatch-tail.js");
  const follower = new CloudWatchFollower(createLogsClient(io.env), {
    logGroup,
    ...(streamPrefix !== undefined ? { streamPrefix } : {}),
    ...(filter !== undefined ? { contains: filter } : {}),
  }, startTime);
  return {
    pollMs: FOLLOW_POLL_MS,
    initial: async () => {
      const events = await follower.poll();
      return lines === 0 ? [] : events.slice(-lines);
    },
    poll: () => follower.poll(),
  };
}
