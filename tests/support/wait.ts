import { connect } from "node:net";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** Poll interval of every waiter: short enough to be quick, long enough not to steal a core. */
const POLL_MS = 100;

export interface WaitOptions {
  timeoutMs: number;
  /** What is awaited, for the timeout message. */
  what: string;
  /** Extra context appended to the timeout message (daemon logs). Called only on timeout. */
  context?: () => string;
  /** Stop waiting early with this error message when it returns a string (a daemon died). */
  abort?: () => string | undefined;
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after timeoutMs.
 * Real daemons are being waited for, so this is wall-clock polling by design; it bounds how
 * long a test can hang, it does not assert on speed.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const aborted = opts.abort?.();
    if (aborted !== undefined) throw new Error(`while waiting for ${opts.what}: ${aborted}${opts.context ? `\n${opts.context()}` : ""}`);
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${opts.context ? `\n${opts.context()}` : ""}`);
    }
    await sleep(POLL_MS);
  }
}

/** True when something accepts a TCP connection on host:port. */
export function portAccepts(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Waits until host:port accepts connections. */
export function waitForPort(port: number, opts: Omit<WaitOptions, "what"> & { what?: string }): Promise<true> {
  return waitFor(async () => ((await portAccepts(port)) ? true : undefined), {
    ...opts,
    what: opts.what ?? `127.0.0.1:${port} to accept connections`,
  });
}

/** Complete (LF-terminated) lines of a file; a missing file has none. */
export async function readLines(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const end = text.lastIndexOf("\n");
  return end < 0 ? [] : text.slice(0, end).split("\n");
}

/**
 * Waits until `count(lines)` reaches `expected` (by default the number of complete lines in
 * the file), or the timeout. Returns the lines read at that moment.
 */
export async function waitForLines(
  file: string,
  expected: number,
  opts: Omit<WaitOptions, "what"> & { what?: string; count?: (lines: string[]) => number },
): Promise<string[]> {
  const count = opts.count ?? ((lines: string[]) => lines.length);
  let last = 0;
  return waitFor(
    async () => {
      const lines = await readLines(file);
      last = count(lines);
      return last >= expected ? lines : undefined;
    },
    {
      ...opts,
      what: opts.what ?? `${expected} lines in ${file}`,
      context: () => `(had ${last} of ${expected})${opts.context ? `\n${opts.context()}` : ""}`,
    },
  );
}
