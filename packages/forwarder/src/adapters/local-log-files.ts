import { appendFile, mkdir } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { LogEventBatch } from "../core/log-batches.js";
import type { LogEventsWriter, PutLogEventsResult } from "../core/forward-to-log-groups.js";

/**
 * The embedded default's CloudWatch Logs: each log stream is a file,
 * `<root>/<log group without its leading slash>/<log stream>.log`, one event per line as
 * CloudWatch would hold it (DESIGN §9). Same interface as the CloudWatch writer, so the
 * local pipeline runs the production core. A stream name comes from sender-controlled
 * fields (hostname), so it is percent-encoded into a single path segment and can never
 * leave its group's directory.
 */
export class LocalLogFilesWriter implements LogEventsWriter {
  private readonly root: string;
  private readonly knownDirs = new Set<string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file that holds a stream (for tests and for the local pipeline's output). */
  pathOf(logGroup: string, logStream: string): string {
    const groupDir = resolve(this.root, ...logGroup.split("/").filter((s) => s !== "" && s !== "." && s !== ".."));
    if (groupDir !== this.root && !groupDir.startsWith(this.root + sep)) throw new Error(`log group ${logGroup} escapes ${this.root}`);
    return join(groupDir, `${safeSegment(logStream)}.log`);
  }

  async putLogEvents(batch: LogEventBatch): Promise<PutLogEventsResult> {
    const file = this.pathOf(batch.logGroup, batch.logStream);
    const dir = file.slice(0, file.lastIndexOf(sep));
    let groupsCreated = 0;
    if (!this.knownDirs.has(dir)) {
      groupsCreated = (await mkdir(dir, { recursive: true })) === undefined ? 0 : 1;
      this.knownDirs.add(dir);
    }
    let text = "";
    for (const event of batch.events) text += event.message.replace(/\r?\n|\r/g, "#012") + "\n";
    // One append per batch: O_APPEND keeps a batch's lines together even if another writer appends.
    await appendFile(file, text, "utf8");
    return { rejectedTooOld: 0, rejectedTooNew: 0, rejectedExpired: 0, retries: 0, streamsCreated: 0, groupsCreated };
  }
}

function safeSegment(name: string): string {
  const encoded = name.replace(/[%/\\\0]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`);
  return encoded === "." || encoded === ".." ? encoded.replace(/\./g, "%2E") : encoded;
}
