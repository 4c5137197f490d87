/**
 * What other packages and tools may import from @aws-syslog/cli: the development TLS library
 * and the error catalogue. The commands themselves are reached through main.ts.
 */
export * from "./certs/index.js";
export { CLI_ERROR_CODES, CliError, EXIT, UsageError, type CliErrorCode, type ExitCode } from "./errors.js";
