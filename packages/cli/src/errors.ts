/**
 * The CLI's error catalogue. Every failure a user can meet has a stable code (CLI_*) and an
 * exit code: 1 when the command ran and failed, 2 when it was called wrongly (usage). main.ts
 * prints `error: <message> [<code>]` (or JSON with --json) and exits with `exitCode`.
 */

/** Process exit codes: scripts can tell "fix the command line" (2) from "it failed" (1). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const CLI_ERROR_CODES = {
  /** Bad options or arguments (unknown flag, missing value, invalid IP, …). Exit 2. */
  usage: "CLI_USAGE",
  /** No command of that name. Exit 2. */
  unknownCommand: "CLI_UNKNOWN_COMMAND",
  /** The command's module could not be loaded (missing from this build or broken). Exit 1. */
  commandUnavailable: "CLI_COMMAND_UNAVAILABLE",
  /** A file named on the command line does not exist. */
  fileNotFound: "CLI_FILE_NOT_FOUND",
  /** An output file exists already and --force was not given. */
  fileExists: "CLI_FILE_EXISTS",
  /** Reading or writing a file failed (permissions, disk full, …). */
  io: "CLI_IO_FAILED",
  /** The file holds no X.509 certificate (or a key, or garbage). */
  notACertificate: "CLI_NOT_A_CERTIFICATE",
  /** The file holds a private key that cannot be used (not PKCS#8/PKCS#1/SEC1, encrypted, unsupported curve). */
  invalidKey: "CLI_INVALID_KEY",
  /** A certificate is past its notAfter (show --check, or a CA that cannot sign). */
  certExpired: "CLI_CERT_EXPIRED",
  /** A certificate's notBefore is in the future (show --check). */
  certNotYetValid: "CLI_CERT_NOT_YET_VALID",
  /** The CA certificate cannot sign: basicConstraints does not say CA:TRUE. */
  notACa: "CLI_NOT_A_CA",
  /** ca.pem is missing where a certificate must be issued. */
  caMissing: "CLI_CA_MISSING",
  /** ca.pem exists but ca.key (its private key) does not, so nothing can be signed. */
  caKeyMissing: "CLI_CA_KEY_MISSING",
  /** A private key does not belong to the certificate beside it (ca.key vs ca.pem, …). */
  keyMismatch: "CLI_KEY_MISMATCH",
  /** A bug: an exception no code above describes. */
  internal: "CLI_INTERNAL",
  /** send: the receiver could not be reached (connection refused, no such host, timeout). */
  connectFailed: "CLI_CONNECT_FAILED",
  /** send: the TLS handshake failed (receiver certificate untrusted, expired or for another name) or the receiver refused the client certificate. */
  tlsFailed: "CLI_TLS_FAILED",
  /** send: the connection broke before every message was written; the summary says how many were. */
  sendInterrupted: "CLI_SEND_INTERRUPTED",
  /** tail: no such log group (no directory under <data>/cloudwatch/, or CloudWatch's ResourceNotFoundException). */
  logGroupNotFound: "CLI_LOG_GROUP_NOT_FOUND",
  /** tail --cloudwatch: a CloudWatch Logs call failed (no region or credentials, access denied, throttled). */
  awsFailed: "CLI_AWS_FAILED",
  /** tail --follow --count N: fewer than N events were seen before --timeout. */
  tailTimeout: "CLI_TAIL_TIMEOUT",
  /** query, review: the SQL did not run (syntax, unknown column, type error…), or an Athena / Logs Insights query ended FAILED or CANCELLED. */
  queryFailed: "CLI_QUERY_FAILED",
  /** query --athena/--insights, review --athena: the query was still running at --timeout (an Athena query is then stopped). */
  queryTimeout: "CLI_QUERY_TIMEOUT",
  /** start: the receiver or the local pipeline could not start (port in use, bad RECEIVER_* or FORWARDER_* value). */
  startFailed: "CLI_START_FAILED",
} as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[keyof typeof CLI_ERROR_CODES];

export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** CLI_USAGE: the command line is wrong; the message says what was expected. */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(CLI_ERROR_CODES.usage, message, EXIT.usage, options);
  }
}

/** Turns a Node fs error into a CliError that names the file, keeping the cause. */
export function fileError(err: unknown, path: string, doing: "read" | "write"): CliError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" && doing === "read") {
    return new CliError(CLI_ERROR_CODES.fileNotFound, `${path}: no such file`, EXIT.failure, { cause: err });
  }
  if (code === "EEXIST") {
    return new CliError(CLI_ERROR_CODES.fileExists, `${path} exists already (pass --force to replace it)`, EXIT.failure, { cause: err });
  }
  const why = err instanceof Error ? err.message : String(err);
  return new CliError(CLI_ERROR_CODES.io, `cannot ${doing} ${path}: ${why}`, EXIT.failure, { cause: err });
}
