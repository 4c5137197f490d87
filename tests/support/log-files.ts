import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { readLines } from "./wait.js";

/**
 * The embedded default's stand-in for CloudWatch Logs, read back:
 * `<data>/cloudwatch/<log group without its leading slash>/<log stream>.log`, one event per line.
 * Keys are the paths relative to `<data>/cloudwatch`, "/"-separated (`var/log/secure/web-1.log`).
 */
export async function readLogFiles(cloudwatchDir: string): Promise<Map<string, string[]>> {
  let entries;
  try {
    entries = await readdir(cloudwatchDir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw err;
  }
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const out = new Map<string, string[]>();
  for (const file of files) out.set(relative(cloudwatchDir, file).split(sep).join("/"), await readLines(file));
  return out;
}

/** The file of a stream, relative to `<data>/cloudwatch` (DESIGN §9; stream names here are plain). */
export function logFileOf(logGroup: string, logStream: string): string {
  return `${logGroup.replace(/^\/+/, "")}/${logStream}.log`;
}

/** Total events over all files. */
export function countEvents(files: ReadonlyMap<string, readonly string[]>): number {
  let n = 0;
  for (const lines of files.values()) n += lines.length;
  return n;
}

/**
 * "" when `actual` holds exactly the lines of `expected` (as multisets: a batch may reorder
 * events of one second), else a short description of what is missing and what is extra, so a
 * failure with thousands of lines stays readable.
 */
export function diffLines(actual: readonly string[], expected: readonly string[], show = 5): string {
  const left = new Map<string, number>();
  for (const l of expected) left.set(l, (left.get(l) ?? 0) + 1);
  const extra: string[] = [];
  for (const l of actual) {
    const n = left.get(l) ?? 0;
    if (n === 0) extra.push(l);
    else if (n === 1) left.delete(l);
    else left.set(l, n - 1);
  }
  const missing = [...left.entries()].flatMap(([l, n]) => Array<string>(n).fill(l));
  if (missing.length === 0 && extra.length === 0) return "";
  return [
    `${actual.length} lines, expected ${expected.length}; ${missing.length} missing, ${extra.length} unexpected`,
    ...missing.slice(0, show).map((l) => `  missing:    ${l}`),
    ...extra.slice(0, show).map((l) => `  unexpected: ${l}`),
  ].join("\n");
}
