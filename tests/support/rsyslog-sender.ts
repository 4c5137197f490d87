import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Daemon, type ExitInfo } from "./daemon.js";
import { requireBinary } from "./binaries.js";
import { sendLines } from "./send-lines.js";
import { waitFor } from "./wait.js";
import type { CertFiles, TestPki } from "./pki.js";

export type RsyslogDriver = "ossl" | "gtls";
/** omfwd's TCP_Framing: "traditional" = LF after each message, "octet-counted" = RFC 5425. */
export type RsyslogFraming = "traditional" | "octet-counted";
/** What omfwd sends: RFC 5424 (RSYSLOG_SyslogProtocol23Format) or omfwd's default,
 * RSYSLOG_TraditionalForwardFormat (RFC 3164 style). */
export type RsyslogForwardFormat = "rfc5424" | "rfc3164";

export interface RsyslogSenderOptions {
  name: string;
  workDir: string;
  pki: TestPki;
  targetPort: number;
  driver: RsyslogDriver;
  framing: RsyslogFraming;
  format: RsyslogForwardFormat;
  /** How the sender checks the receiver: "anon", or "x509/name" with permitted peer localhost. */
  authMode: "anon" | "x509/name";
  /** Client certificate to present; none when omitted. */
  clientCert?: CertFiles;
  /** CA the sender trusts for the server (default: the test CA). */
  caFile?: string;
  /** The sender's own hostname ($LocalHostName), used for its internal messages only. */
  localHostName?: string;
  /** Disk-assisted action queue (queue.filename in the work directory, saved on shutdown), as a
   * relay that must not lose messages while the receiver is away is configured. */
  diskQueue?: boolean;
}

/** rsyslog's own counters (impstats), once a second, in the work directory. */
const STATS_FILE = "impstats.log";
const STATS_LINES = 6;

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** How long rsyslog gets to open its injection port. */
const START_TIMEOUT_MS = 15_000;

/**
 * A real rsyslogd forwarding over TLS with omfwd, fed through a plain imtcp input on 127.0.0.1
 * (port 0, reported through listenPortFileName).
 *
 * Why a plain TCP input for injection: it is the way messages reach a relay in production,
 * rsyslog parses them (so the forwarded HOSTNAME, APP-NAME, PROCID, SD are the ones the test
 * wrote, not the test machine's), and one connection carries N messages in order with TCP's
 * guarantee that rsyslog has read all of them before it sees the close. imfile would
 * depend on inotify/polling and state files; imuxsock rate-limits by default and would stamp
 * the local hostname. Injection is bound to its own ruleset, so rsyslog's own start/stop
 * messages never reach the receiver: with no action for them, rsyslogd -n prints them on stderr,
 * which the Daemon keeps for failure messages.
 *
 * The action queue's short shutdown timeouts make stop() quick for a sender whose action is
 * suspended (a refused client retries forever; rsyslog's default would wait 10 s and more).
 * Tests stop senders only after the receiver has confirmed delivery.
 */
export class RsyslogSender {
  private constructor(
    readonly daemon: Daemon,
    readonly injectPort: number,
    private readonly statsFile: string,
  ) {}

  static async start(opts: RsyslogSenderOptions): Promise<RsyslogSender> {
    const rsyslogd = requireBinary("rsyslogd");
    const wd = opts.workDir;
    const portFile = join(wd, "inject.port");
    const client = opts.clientCert
      ? `\n  defaultNetstreamDriverCertFile="${opts.clientCert.cert}"\n  defaultNetstreamDriverKeyFile="${opts.clientCert.key}"`
      : "";
    const auth = opts.authMode === "x509/name"
      ? `StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"`
      : `StreamDriverAuthMode="anon"`;
    const template = opts.format === "rfc5424" ? ` template="RSYSLOG_SyslogProtocol23Format"` : "";
    const disk = opts.diskQueue ? ` queue.filename="fwd-queue" queue.saveOnShutdown="on"` : "";
    const conf = `
global(
  workDirectory="${wd}"
  localHostName="${opts.localHostName ?? "interop-sender"}"
  maxMessageSize="64k"
  defaultNetstreamDriverCAFile="${opts.caFile ?? opts.pki.ca}"${client}
)
module(load="imtcp")
module(load="impstats" interval="1" log.syslog="off" log.file="${join(wd, STATS_FILE)}")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="${portFile}" ruleset="fwd")
ruleset(name="fwd") {
  action(name="fwd" type="omfwd" target="127.0.0.1" port="${opts.targetPort}" protocol="tcp"${template}
    TCP_Framing="${opts.framing}"
    StreamDriver="${opts.driver}" StreamDriverMode="1" ${auth}
    queue.type="LinkedList" queue.size="200000"${disk}
    queue.timeoutShutdown="200" queue.timeoutActionCompletion="200"
    action.resumeRetryCount="-1" action.resumeInterval="1")
}
`;
    const confFile = join(wd, "rsyslog-sender.conf");
    await writeFile(confFile, conf);
    const daemon = new Daemon(rsyslogd, ["-n", "-f", confFile, "-i", join(wd, "rsyslog-sender.pid")], { name: opts.name });
    try {
      const port = await waitFor(
        async () => {
          const text = await readFile(portFile, "utf8").catch(() => "");
          const n = Number.parseInt(text.trim(), 10);
          return Number.isInteger(n) && n > 0 ? n : undefined;
        },
        {
          timeoutMs: START_TIMEOUT_MS,
          what: `${opts.name} to open its injection port`,
          abort: () => (daemon.alive ? undefined : "rsyslogd exited"),
          context: () => daemon.describe(),
        },
      );
      return new RsyslogSender(daemon, port, join(wd, STATS_FILE));
    } catch (err) {
      await daemon.stop().catch(() => {});
      throw err;
    }
  }

  /** Hands `lines` (syslog messages without terminator) to rsyslog over one plain TCP connection. */
  send(lines: readonly string[]): Promise<void> {
    return sendLines(this.injectPort, lines);
  }

  /** rsyslog's own messages so far (TLS errors, suspended actions), from its stderr. */
  get internalMessages(): string {
    return this.daemon.logs;
  }

  /** The daemon, and the forwarding action's and queue's last counters: whether omfwd is
   * suspended, retrying or holding messages is what a failed delivery wait needs to know. */
  describe(): string {
    const stats = readFileSafe(this.statsFile).split("\n").filter((l) => / fwd( queue)?: /.test(l)).slice(-STATS_LINES);
    return `${this.daemon.describe()}\nimpstats (every second, last ${stats.length} lines):\n${stats.join("\n") || "(none yet)"}`;
  }

  stop(): Promise<ExitInfo> {
    return this.daemon.stop();
  }
}
