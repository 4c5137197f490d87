import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgv } from "../args.js";
import { CLI_ERROR_CODES, CliError, EXIT, UsageError } from "../errors.js";
import { progress, styleFor, warn, type CliIo } from "../io.js";
import { parseDuration } from "../tail/parse-duration.js";
import { lastLines, listLocalGroups, listLocalStreams, LocalGroupFollower, localGroupDir, type TailEvent } from "../tail/local-log-group.js";

export const help = `Usage: pnpm cli tail LOG_GROUP [options]

Prints the latest events of a log group, and with --follow keeps printing new ones:

  locally (default)   the embedded default's files, <data>/cloudwatch/<group>/<stream>.log
  --cloudwatch        CloudWatch Logs (FilterLogEvents), region and credentials from the
                      AWS SDK's usual settings (AWS_REGION, AWS_PROFILE, …)
  --cloudwatch -f --live   follow with CloudWatch Logs Live Tail (StartLiveTail): events are
                      pushed as they arrive instead of polled every 2 s (billed per session minute)

Options:
  --lines N          how many of the latest events to print first (default 10; 0 = none).
                     Locally: per stream. CloudWatch: of the events since --since
  -f, --follow       keep printing new events until Ctrl-C, --timeout or --count
  --timeout D        stop following after D (30s, 10m, …; exit 0, or 1 when --count was not reached)
  --count N          stop once N events have been printed (the first --lines included)
  --stream PREFIX    only log streams whose name starts with PREFIX (the sender's hostname)
  --filter TEXT      only events containing TEXT (CloudWatch: case-sensitive)
  --since D          CloudWatch: start D ago (default 1h)
  --live             CloudWatch, with --follow: Live Tail instead of polling FilterLogEvents
  --data-dir DIR     the embedded default's data directory (default .data, or $SYSLOG_DATA_DIR)
  --json             one JSON object per event: logGroup, logStream, message (and timestamp)
  -h, --help         show this help

Examples:
  pnpm cli tail /var/log/messages -f
  pnpm cli tail /aws-syslog/onegate --filter run=1a2b3c4d --lines 1000 -f --count 100 --timeout 2m
  AWS_PROFILE=prod pnpm cli tail /var/log/secure --cloudwatch --since 30m -f
  AWS_PROFILE=prod pnpm cli tail /var/log/secure --cloudwatch -f --live --filter sshd

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
  live: { type: "boolean" },
  "data-dir": { type: "string" },
  json: { type: "boolean" },
} as const;

/** How often the local files are looked at while following. */
const LOCAL_POLL_MS = 250;
/** How often what Live Tail pushed is printed (the service sends about one update a second). */
const LIVE_POLL_MS = 200;
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
  /** Ends what runs in the background (a Live Tail session). */
  close?(): Promise<void>;
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
  if (values.live && !(values.cloudwatch && values.follow)) throw new UsageError("tail: --live applies only with --cloudwatch and --follow");
  const filter = values.filter;
  const matches = (e: TailEvent) => filter === undefined || e.message.includes(filter);

  const startTime = io.now().getTime() - (values.since !== undefined ? parseDuration("--since", values.since) : DEFAULT_SINCE_MS);
  const source: Source = values.live
    ? await liveTailSource(io, logGroup, values.stream, filter, startTime, lines)
    : values.cloudwatch
      ? await cloudWatchSource(io, logGroup, values.stream, filter, startTime, lines)
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
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  const timer = values.follow && timeoutMs !== undefined ? setTimeout(() => stop.abort(), timeoutMs) : undefined;
  try {
    print(await source.initial());
    if (!values.follow) return EXIT.ok;
    while (!stop.signal.aborted && (count === undefined || printed < count)) {
      await sleep(source.pollMs, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) break;
      print((await source.poll()).filter(matches));
    }
  } finally {
    clearTimeout(timer);
    process.off("SIGINT", onSignal);
    await source.close?.();
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

/**
 * --live: the Live Tail session is opened first and buffers, then the last --lines events come
 * from FilterLogEvents, so nothing that arrives in between is missed; an event both return
 * (same stream, time and text) is printed once.
 */
async function liveTailSource(io: CliIo, logGroup: string, streamPrefix: string | undefined, filter: string | undefined, startTime: number, lines: number): Promise<Source> {
  const { createLogsClient, filterEvents } = await import("../tail/cloudwatch-tail.js");
  const { eventKey, LiveTailFollower } = await import("../tail/live-tail.js");
  const client = createLogsClient(io.env);
  const query = { logGroup, ...(streamPrefix !== undefined ? { streamPrefix } : {}), ...(filter !== undefined ? { contains: filter } : {}) };
  const follower = new LiveTailFollower(client, query, {
    onSampled: () => warn(io, "Live Tail is sending a sample: more than 500 events a second match (narrow it with --stream or --filter)"),
    onRestart: () => progress(io, "Live Tail session ended (3-hour limit); started a new one"),
  });
  await follower.start();
  let shown = new Set<string>();
  return {
    pollMs: LIVE_POLL_MS,
    initial: async () => {
      if (lines === 0) return [];
      const events = (await filterEvents(client, query, startTime).catch(async (err: unknown) => {
        await follower.close();
        throw err;
      })).slice(-lines).map(({ eventId: _, ...e }) => e);
      shown = new Set(events.map(eventKey));
      return events;
    },
    // At most --lines keys: kept for the whole follow, since the service may push an event
    // FilterLogEvents already returned in any of its first updates.
    poll: async () => follower.drain().filter((e) => !shown.has(eventKey(e))),
    close: () => follower.close(),
  };
}
