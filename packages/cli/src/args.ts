import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
/** What parseArgs returns for these options (named, so declarations can be emitted). */
export type ParsedArgv<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/**
 * node:util parseArgs in strict mode, with its TypeError (ERR_PARSE_ARGS_UNKNOWN_OPTION, …)
 * turned into a UsageError so the user gets exit code 2 and the command's name in the message.
 */
export function parseArgv<O extends Options>(command: string, argv: string[], options: O): ParsedArgv<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${command}: ${message} (see: ${command} --help)`, { cause: err });
  }
}

/** A whole positive number of days, e.g. from --days. */
export function parseDays(command: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${command}: --days must be a whole number from 1 to ${max}, got "${value}"`);
  }
  return Number(value);
}
