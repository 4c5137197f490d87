import type { CliIo } from "../io.js";

export interface FakeIo extends CliIo {
  out(): string;
  err(): string;
}

/** A CliIo that records what a command writes; not a TTY unless asked, so no colour. */
export function fakeIo(options: { cwd: string; now?: Date; tty?: boolean; env?: Record<string, string> }): FakeIo {
  let out = "";
  let err = "";
  const tty = options.tty ?? false;
  return {
    stdout: { isTTY: tty, write: (s: string) => (out += s) },
    stderr: { isTTY: tty, write: (s: string) => (err += s) },
    env: options.env ?? {},
    cwd: options.cwd,
    now: () => options.now ?? new Date(),
    out: () => out,
    err: () => err,
  };
}
