/**
 * What a command may touch of the outside world, passed in so tests run commands with fake
 * streams, environment and clock instead of spawning a process.
 */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths on the command line resolve against this. */
  cwd: string;
  now(): Date;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), now: () => new Date() };
}

/**
 * Colour and progress lines only for a person at a terminal: stdout is a TTY, NO_COLOR is
 * unset or empty (https://no-color.org: "present and not an empty string" disables colour)
 * and TERM is not "dumb". Piped output stays plain so scripts and logs get no escape codes.
 */
export function isInteractive(io: CliIo): boolean {
  const noColor = io.env["NO_COLOR"];
  return io.stdout.isTTY === true && (noColor === undefined || noColor === "") && io.env["TERM"] !== "dumb";
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export function styleFor(io: CliIo): Style {
  if (!isInteractive(io)) return { bold: plain, dim: plain, red: plain, yellow: plain, green: plain };
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39) };
}

/** A progress note ("generating keys…") on stderr, for a person waiting; silent when piped. */
export function progress(io: CliIo, message: string): void {
  if (isInteractive(io)) io.stderr.write(`${styleFor(io).dim(message)}\n`);
}

export function warn(io: CliIo, message: string): void {
  io.stderr.write(`${styleFor(io).yellow("warning:")} ${message}\n`);
}
