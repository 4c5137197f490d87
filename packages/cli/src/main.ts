#!/usr/bin/env node
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isCommand, type Command } from "./command.js";
import { CLI_ERROR_CODES, CliError, EXIT } from "./errors.js";
import { processIo, styleFor, type CliIo } from "./io.js";

/**
 * The operator CLI: `pnpm cli <command> [options]`. This file only dispatches; each command
 * lives in commands/<name>.ts and is imported lazily, so a command whose module is missing or
 * broken fails alone (CLI_COMMAND_UNAVAILABLE) and `certs` never pays for loading the receiver.
 */

export interface CommandEntry {
  /** One line for the top-level --help; the full text is the module's own `help`. */
  summary: string;
  load(): Promise<unknown>;
}

// A computed specifier keeps TypeScript from resolving the module at compile time, so the
// table can name commands whose module is not written yet. @vite-ignore stops vitest's bundler
// from rewriting the import (it would put a helper above the shebang line).
const lazy = (name: string) => () => import(/* @vite-ignore */ `./commands/${name}.js`) as Promise<unknown>;

export const COMMANDS: Readonly<Record<string, CommandEntry>> = Object.freeze({
  start: { summary: "run the receiver and the local pipeline (TLS on 127.0.0.1:6514)", load: lazy("start") },
  query: { summary: 'SQL over the local archive (table "logs"), or in Athena (--athena) or Logs Insights (--insights)', load: lazy("query") },
  certs: { summary: "create and inspect TLS certificates (development CA, server, clients)", load: lazy("certs") },
  "client-config": { summary: "print sender configurations: rsyslog (ossl, gtls), syslog-ng, OneGate settings", load: lazy("client-config") },
  send: { summary: "send numbered test messages over TLS, with a summary", load: lazy("send") },
  tail: { summary: "print and follow a log group, local (.data/) or in CloudWatch Logs", load: lazy("tail") },
  review: { summary: "the periodic security log review (auth failures, sudo, OneGate, hosts), Markdown or HTML", load: lazy("review") },
  doctor: { summary: "check a deployment: DNS, TLS/mTLS, KMS key policy, log groups, Firehose, DLQs, recent data", load: lazy("doctor") },
});

function topHelp(commands: Readonly<Record<string, CommandEntry>>): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: pnpm cli <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  -h, --help     show help (also: <command> --help, help <command>)",
    "  -V, --version  print the version",
    "",
    "Exit codes: 0 ok, 1 failure, 2 usage error.",
    "",
  ].join("\n");
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown"; // only --version needs it; a missing package.json must not break it
  }
}

/** Levenshtein distance, for "did you mean" on a mistyped command name. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

function unknownCommand(name: string, commands: Readonly<Record<string, CommandEntry>>): CliError {
  const near = Object.keys(commands).filter((c) => distance(name, c) <= 2);
  const hint = near.length > 0 ? ` Did you mean ${near.join(" or ")}?` : "";
  return new CliError(
    CLI_ERROR_CODES.unknownCommand,
    `unknown command "${name}".${hint} Commands: ${Object.keys(commands).join(", ")} (see --help)`,
    EXIT.usage,
  );
}

async function loadCommand(name: string, entry: CommandEntry): Promise<Command> {
  let mod: unknown;
  try {
    mod = await entry.load();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CliError(CLI_ERROR_CODES.commandUnavailable, `command "${name}" is not available in this build: ${why}`, EXIT.failure, { cause: err });
  }
  if (!isCommand(mod)) {
    throw new CliError(CLI_ERROR_CODES.commandUnavailable, `command "${name}" is not available in this build: its module exports no run() and help`, EXIT.failure);
  }
  return mod;
}

/** Options before a "--" terminator; what follows it is data (e.g. SQL) and never a flag. */
function flagsOf(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf("--");
  return end === -1 ? argv : argv.slice(0, end);
}

function report(err: unknown, io: CliIo, json: boolean): number {
  const e = err instanceof CliError
    ? err
    : new CliError(CLI_ERROR_CODES.internal, `unexpected error: ${err instanceof Error ? err.message : String(err)}`, EXIT.failure, { cause: err });
  if (json) {
    io.stderr.write(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
  } else {
    io.stderr.write(`${styleFor(io).red("error:")} ${e.message} [${e.code}]\n`);
    // A bug: the stack is what the issue report needs.
    if (e.code === CLI_ERROR_CODES.internal && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  }
  return e.exitCode;
}

/** Runs one command line; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo, commands: Readonly<Record<string, CommandEntry>> = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  const json = flagsOf(rest).includes("--json");
  try {
    if (first === undefined) {
      io.stderr.write(topHelp(commands));
      return EXIT.usage;
    }
    if (first === "-h" || first === "--help" || (first === "help" && rest.length === 0)) {
      io.stdout.write(topHelp(commands));
      return EXIT.ok;
    }
    if (first === "-V" || first === "--version") {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    if (first === "help") {
      const name = rest[0]!;
      const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
      if (!entry) throw unknownCommand(name, commands);
      io.stdout.write((await loadCommand(name, entry)).help);
      return EXIT.ok;
    }
    if (first.startsWith("-")) {
      throw new CliError(CLI_ERROR_CODES.usage, `unknown option "${first}" before the command (see --help)`, EXIT.usage);
    }
    const entry = Object.hasOwn(commands, first) ? commands[first] : undefined;
    if (!entry) throw unknownCommand(first, commands);
    const command = await loadCommand(first, entry);
    const flags = flagsOf(rest);
    if (flags.includes("--help") || flags.includes("-h")) {
      io.stdout.write(command.help);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (err) {
    return report(err, io, json);
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  // `pnpm cli certs show x | head -1` closes the pipe early: that is not an error to report.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
    throw err;
  });
  process.exitCode = await main(process.argv.slice(2), processIo());
}
