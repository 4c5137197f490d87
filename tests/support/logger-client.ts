import { run, type RunResult } from "./run.js";
import { requireBinary } from "./binaries.js";

export interface LoggerSendOptions {
  /** Plain TCP port of the receiver on 127.0.0.1 (logger has no TLS). */
  port: number;
  protocol: "rfc5424" | "rfc3164";
  /** RFC 6587 octet counting instead of logger's default LF (non-transparent) framing. */
  octetCount: boolean;
  /** -t: APP-NAME / TAG. */
  tag: string;
  /** -p, e.g. "local3.info". */
  priority: string;
  /** --id=<procId>: PROCID (logger's own pid otherwise, unknown to the test). */
  procId: string;
  /** --msgid (RFC 5424 only). */
  msgId?: string;
  /** One message per line, read by logger from stdin. */
  lines: readonly string[];
}

/**
 * util-linux `logger` over plain TCP: one process, one connection, one message per stdin
 * line. logger sends HOSTNAME = gethostname() and, with --rfc5424, a timeQuality SD element.
 */
export function loggerSend(opts: LoggerSendOptions): Promise<RunResult> {
  const args = [
    "--tcp", "--server", "127.0.0.1", "--port", String(opts.port),
    `--${opts.protocol}`, ...(opts.octetCount ? ["--octet-count"] : []),
    "-t", opts.tag, "-p", opts.priority, `--id=${opts.procId}`,
    ...(opts.msgId ? ["--msgid", opts.msgId] : []),
    // A stdin line longer than logger's default 1 KiB would be split: allow realistic sizes.
    "--size", "8192",
  ];
  return run(requireBinary("logger"), args, { input: opts.lines.map((l) => `${l}\n`).join(""), timeoutMs: 30_000 });
}
