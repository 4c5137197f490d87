import { run, type RunResult } from "./run.js";
import { requireBinary } from "./binaries.js";
import type { CertFiles } from "./pki.js";

export interface OpensslSendOptions {
  port: number;
  ca: string;
  /** Client certificate to present; none when omitted. */
  cert?: CertFiles;
  /** Bytes written after the handshake, exactly as given (the caller frames them). */
  payload: string | Buffer;
  timeoutMs?: number;
  /**
   * Keep reading after stdin EOF until the server closes (-ign_eof). For clients expected to be
   * refused: with TLS 1.3 the server checks the client certificate after the client has
   * finished its side of the handshake, so the refusal (an alert, then close) only shows up on a
   * later read. An accepted client then runs into the timeout (signal SIGKILL).
   */
  waitForServerClose?: boolean;
}

/**
 * `openssl s_client` as a hand-driven sender: verifies the server as "localhost" against the
 * test CA (-verify_return_error, so a bad server certificate fails loudly), writes the payload,
 * and on stdin EOF sends close_notify and exits (-no_ign_eof overrides -quiet's -ign_eof).
 * Resolves with the exit status and output whatever they are: a refused client is a result.
 */
export function opensslSend(opts: OpensslSendOptions): Promise<RunResult> {
  const args = [
    "s_client", "-connect", `127.0.0.1:${opts.port}`, "-servername", "localhost",
    "-verify_hostname", "localhost", "-CAfile", opts.ca, "-verify_return_error",
    "-quiet", ...(opts.waitForServerClose ? [] : ["-no_ign_eof"]),
    ...(opts.cert ? ["-cert", opts.cert.cert, "-key", opts.cert.key] : []),
  ];
  return run(requireBinary("openssl"), args, { input: opts.payload, timeoutMs: opts.timeoutMs ?? 20_000, allowFailure: true });
}

/**
 * Why a `waitForServerClose` run that was meant to be refused was not, or undefined when it was.
 * Refused = the server ended the connection by itself: a handshake alert, or (rsyslog's way
 * for a name mismatch) a plain close right after the handshake. A receiver that accepts keeps
 * the connection open, so s_client runs into its timeout. Callers also check that the frame
 * sent never reached the output: a server that read the frame and then closed is not refusing.
 */
export function notRefused(result: RunResult): string | undefined {
  if (result.signal === "SIGKILL") return `the server kept the connection open (s_client killed at its timeout):\n${result.stderr}`;
  return undefined;
}
