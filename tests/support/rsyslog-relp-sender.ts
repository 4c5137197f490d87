import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { requireBinary } from "./binaries.js";
import { Daemon, type ExitInfo } from "./daemon.js";
import type { CertFiles, TestPki } from "./pki.js";
import { sendLines } from "./send-lines.js";
import { waitFor } from "./wait.js";

export interface RsyslogRelpSenderOptions {
  name: string;
  workDir: string;
  pki: TestPki;
  targetPort: number;
  /** RELP over TLS (omrelp tls="on"); plain RELP when false. */
  tls: boolean;
  /** How omrelp checks the server: "anon", or "name" with permitted peer localhost. */
  authMode?: "anon" | "name";
  /** Client certificate to present over TLS. */
  clientCert?: CertFiles;
  /** omrelp windowSize: unacknowledged messages in flight (omrelp's default is 128). */
  windowSize?: number;
  /** librelp's TLS library (omrelp module parameter): "gnutls" (the default) or "openssl". */
  tlsLib?: "gnutls" | "openssl";
}

/** How long rsyslog gets to open its injection port. */
const START_TIMEOUT_MS = 15_000;

/**
 * A real rsyslogd forwarding with omrelp (Debian rsyslog-relp), fed like RsyslogSender through
 * a plain imtcp input on 127.0.0.1 bound to its own ruleset.
 *
 * The action queue is disk-assisted (queue.filename in the work directory, saved on shutdown)
 * and retries forever, as a zero-loss relay is configured: when the receiver goes away, omrelp
 * keeps every unacknowledged message and resends it after reconnecting. RFC 5424 format, so the
 * records' fields are those the test wrote.
 */
export class RsyslogRelpSender {
  private constructor(
    readonly daemon: Daemon,
    readonly injectPort: number,
  ) {}

  static async start(opts: RsyslogRelpSenderOptions): Promise<RsyslogRelpSender> {
    const rsyslogd = requireBinary("rsyslogd");
    const wd = opts.workDir;
    const portFile = join(wd, "inject.port");
    const tls = opts.tls
      ? [
          `tls="on"`,
          `tls.caCert="${opts.pki.ca}"`,
          opts.clientCert ? `tls.myCert="${opts.clientCert.cert}" tls.myPrivKey="${opts.clientCert.key}"` : "",
          // No tls.authMode is omrelp's anonymous mode (it refuses the value "anon").
          opts.authMode === "name" ? `tls.authMode="name" tls.permittedPeer=["localhost"]` : "",
        ].join(" ")
      : "";
    const conf = `
global(workDirectory="${wd}" localHostName="interop-relp-sender" maxMessageSize="64k")
module(load="imtcp")
module(load="omrelp"${opts.tlsLib ? ` tls.tlslib="${opts.tlsLib}"` : ""})
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="${portFile}" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omrelp" target="127.0.0.1" port="${opts.targetPort}" template="RSYSLOG_SyslogProtocol23Format"
    ${tls}
    windowSize="${opts.windowSize ?? 128}" timeout="10" conn.timeout="5"
    queue.type="LinkedList" queue.size="200000" queue.filename="relp-queue" queue.saveOnShutdown="on"
    queue.timeoutShutdown="200" queue.timeoutActionCompletion="200"
    action.resumeRetryCount="-1" action.resumeInterval="1")
}
`;
    const confFile = join(wd, "rsyslog-relp-sender.conf");
    await writeFile(confFile, conf);
    const daemon = new Daemon(rsyslogd, ["-n", "-f", confFile, "-i", join(wd, "rsyslog-relp-sender.pid")], { name: opts.name });
    try {
      const port = await waitFor(
        async () => {
          const n = Number.parseInt((await readFile(portFile, "utf8").catch(() => "")).trim(), 10);
          return Number.isInteger(n) && n > 0 ? n : undefined;
        },
        { timeoutMs: START_TIMEOUT_MS, what: `${opts.name} to open its injection port`, abort: () => (daemon.alive ? undefined : "rsyslogd exited"), context: () => daemon.describe() },
      );
      return new RsyslogRelpSender(daemon, port);
    } catch (err) {
      await daemon.stop().catch(() => {});
      throw err;
    }
  }

  /** Hands `lines` (syslog messages without terminator) to rsyslog over one plain TCP connection. */
  send(lines: readonly string[]): Promise<void> {
    return sendLines(this.injectPort, lines);
  }

  describe(): string {
    return this.daemon.describe();
  }

  stop(): Promise<ExitInfo> {
    return this.daemon.stop();
  }
}
