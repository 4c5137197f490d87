import type { CliIo } from "./io.js";

/**
 * The shape every module under commands/ exports. `run` returns the process exit code (see
 * EXIT in errors.ts) or throws a CliError; main.ts prints the error and maps it to its code.
 * `--help` never reaches `run`: main.ts prints `help` instead.
 */
export interface Command {
  run(argv: string[], io: CliIo): Promise<number>;
  help: string;
}

export function isCommand(mod: unknown): mod is Command {
  const m = mod as Partial<Command> | null;
  return typeof m === "object" && m !== null && typeof m.run === "function" && typeof m.help === "string";
}
