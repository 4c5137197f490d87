import { open, readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { LocalLogFilesWriter } from "@aws-syslog/forwarder";
import { CLI_ERROR_CODES, CliError, EXIT, fileError } from "../errors.js";

/**
 * The embedded default's log groups on disk: `<data>/cloudwatch/<group>/<stream>.log`, one
 * event per line (forwarder LocalLogFilesWriter, DESIGN §9). The group → directory mapping is
 * the writer's own, so the two cannot drift apart.
 */
export interface LocalStream {
  /** The log stream name (the file name decoded). */
  name: string;
  path: string;
}

export interface TailEvent {
  logGroup: string;
  logStream: string;
  message: string;
  /** Milliseconds since the epoch; only CloudWatch events carry one. */
  timestamp?: number;
}

const LOG_SUFFIX = ".log";
/** Bytes read per step when looking for the last lines from the end of a file. */
const BACKWARD_READ_BYTES = 64 * 1024;
/** At most this much of one file per poll, so a burst is printed in steps instead of held in memory at once. */
const MAX_POLL_READ_BYTES = 4 * 1024 * 1024;

export function localGroupDir(cloudwatchRoot: string, logGroup: string): string {
  return dirname(new LocalLogFilesWriter(cloudwatchRoot).pathOf(logGroup, "x"));
}

/** The writer percent-encodes %, /, \ and NUL in stream names; this undoes it. */
export function decodeStreamFile(fileName: string): string {
  return fileName.slice(0, -LOG_SUFFIX.length).replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The streams of a group, by name. A group directory that does not exist is CLI_LOG_GROUP_NOT_FOUND. */
export async function listLocalStreams(dir: string, logGroup: string): Promise<LocalStream[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") {
      throw new CliError(CLI_ERROR_CODES.logGroupNotFound, `no log group ${logGroup}: ${dir} does not exist (nothing routed to it yet?)`, EXIT.failure, { cause: err });
    }
    throw fileError(err, dir, "read");
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(LOG_SUFFIX))
    .map((e) => ({ name: decodeStreamFile(e.name), path: join(dir, e.name) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every log group under the root (directories holding *.log files), for "which groups are there". */
export async function listLocalGroups(root: string): Promise<string[]> {
  const groups: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (entries.some((e) => e.isFile() && e.name.endsWith(LOG_SUFFIX))) groups.push(prefix);
    for (const e of entries) if (e.isDirectory()) await walk(join(dir, e.name), `${prefix}/${e.name}`);
  };
  await walk(root, "");
  return groups.filter((g) => g !== "").sort();
}

/**
 * The last `n` complete lines of a file that `accept` takes, oldest first, and the byte offset
 * just past the last complete line (where following continues; a line still being written,
 * without its LF, is left for the follower). Reads backwards in blocks and keeps only the one
 * line whose start is not yet read, so a large stream file costs its tail, not its size.
 */
export async function lastLines(
  path: string,
  n: number,
  accept: (line: string) => boolean = () => true,
  blockBytes: number = BACKWARD_READ_BYTES,
): Promise<{ lines: string[]; offset: number }> {
  const handle = await open(path, "r").catch((err: unknown) => {
    throw fileError(err, path, "read");
  });
  try {
    const found: string[] = [];
    let pending: Buffer = Buffer.alloc(0);
    let end = -1;
    let position = (await handle.stat()).size;
    while (position > 0 && (found.length < n || end === -1)) {
      const length = Math.min(blockBytes, position);
      position -= length;
      const block = Buffer.alloc(length);
      await handle.read(block, 0, length, position);
      let buf: Buffer = Buffer.concat([block, pending]);
      if (end === -1) {
        const lf = buf.lastIndexOf(0x0a);
        if (lf === -1) {
          pending = buf; // still inside the unfinished last line
          continue;
        }
        end = position + lf + 1;
        buf = buf.subarray(0, lf);
      }
      const parts = splitLines(buf);
      pending = parts.shift()!; // its start lies before `position`
      for (let i = parts.length - 1; i >= 0 && found.length < n; i--) {
        const line = parts[i]!.toString("utf8");
        if (accept(line)) found.push(line);
      }
    }
    // At the start of the file the pending piece is the first line, complete when an LF follows it.
    if (position === 0 && end !== -1 && found.length < n) {
      const line = pending.toString("utf8");
      if (accept(line)) found.push(line);
    }
    return { lines: found.reverse(), offset: end === -1 ? 0 : end };
  } finally {
    await handle.close();
  }
}

function splitLines(b: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, from)) {
    parts.push(b.subarray(from, i));
    from = i + 1;
  }
  parts.push(b.subarray(from));
  return parts;
}

/**
 * Follows the streams of one group by polling: new bytes of known files, and new files from
 * their start. A file that shrank (truncated or replaced) is read again from its start. Only
 * complete lines are emitted; a partial last line waits for its LF.
 */
export class LocalGroupFollower {
  private readonly offsets = new Map<string, number>();
  /** Bytes after the last LF of each file, so a line (or a UTF-8 character) split by a poll is kept whole. */
  private readonly partial = new Map<string, Buffer>();

  constructor(
    private readonly dir: string,
    private readonly logGroup: string,
    private readonly streamFilter: (name: string) => boolean,
  ) {}

  /** Where to continue in a file already printed up to `offset`. */
  startAt(path: string, offset: number): void {
    this.offsets.set(path, offset);
  }

  /** One poll: the complete lines that appeared since the last one. */
  async poll(): Promise<TailEvent[]> {
    const events: TailEvent[] = [];
    const streams = (await listLocalStreams(this.dir, this.logGroup).catch((err: unknown) => {
      if (err instanceof CliError && err.code === CLI_ERROR_CODES.logGroupNotFound) return [];
      throw err;
    })).filter((s) => this.streamFilter(s.name));
    for (const s of streams) {
      const size = await stat(s.path).then((st) => st.size, () => -1);
      if (size < 0) continue; // removed between readdir and stat
      let offset = this.offsets.get(s.path) ?? 0;
      if (size < offset) {
        offset = 0;
        this.partial.delete(s.path);
      }
      if (size === offset) continue;
      const fresh = await readRange(s.path, offset, Math.min(size, offset + MAX_POLL_READ_BYTES)).catch(() => Buffer.alloc(0));
      this.offsets.set(s.path, offset + fresh.length);
      const bytes = Buffer.concat([this.partial.get(s.path) ?? Buffer.alloc(0), fresh]);
      const lastLf = bytes.lastIndexOf(0x0a);
      this.partial.set(s.path, lastLf === -1 ? bytes : bytes.subarray(lastLf + 1));
      if (lastLf === -1) continue;
      for (const line of bytes.subarray(0, lastLf).toString("utf8").split("\n")) events.push({ logGroup: this.logGroup, logStream: s.name, message: line });
    }
    return events;
  }
}

async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(to - from);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
