import { connect } from "node:net";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Daemon, type ExitInfo } from "./daemon.js";
import { requireBinary, syslogNgEnv } from "./binaries.js";
import { sendLines } from "./send-lines.js";
import { waitFor } from "./wait.js";
import type { CertFiles, TestPki } from "./pki.js";

/**
 * syslog-ng's two TLS destinations: `syslog()` sends RFC 5424 with RFC 5425 octet counting;
 * `network()` sends the legacy BSD (RFC 3164) format, one message per LF-terminated line.
 */
export type SyslogNgDriver = "syslog" | "network";

export interface SyslogNgSenderOptions {
  name: string;
  workDir: string;
  pki: TestPki;
  targetPort: number;
  driver: SyslogNgDriver;
  clientCert?: CertFiles;
}

const START_TIMEOUT_MS = 15_000;

/**
 * A real syslog-ng (the one unpacked into SNG_ROOT) forwarding over TLS, fed through a
 * `unix-stream()` source in its work directory: no port to race for. A Unix source expects
 * messages without HOSTNAME (libc syslog() writes none), so flags(expect-hostname) makes it
 * parse the one the test wrote, and keep-hostname(yes) forwards it; flow-control makes the source
 * wait for the destination instead of dropping when the TLS connection is slow to start.
 */
export class SyslogNgSender {
  private constructor(
    readonly daemon: Daemon,
    readonly socketPath: string,
    private readonly internalLog: string,
  ) {}

  static async start(opts: SyslogNgSenderOptions): Promise<SyslogNgSender> {
    const syslogNg = requireBinary("syslog-ng");
    const wd = opts.workDir;
    const socketPath = join(wd, "in.sock");
    const internalLog = join(wd, "internal.log");
    const client = opts.clientCert ? ` cert-file("${opts.clientCert.cert}") key-file("${opts.clientCert.key}")` : "";
    const conf = `@version: 3.38
options { use-dns(no); use-fqdn(no); keep-hostname(yes); chain-hostnames(no); stats-freq(0); log-fifo-size(200000); };
source s_in { unix-stream("${socketPath}" max-connections(4) log-iw-size(20000) flags(expect-hostname)); };
source s_internal { internal(); };
destination d_tls {
  ${opts.driver}("127.0.0.1" port(${opts.targetPort}) transport("tls")
    tls(ca-file("${opts.pki.ca}") peer-verify(required-trusted)${client}));
};
destination d_internal { file("${internalLog}"); };
log { source(s_in); destination(d_tls); flags(flow-control); };
log { source(s_internal); destination(d_internal); };
`;
    const confFile = join(wd, "syslog-ng.conf");
    await writeFile(confFile, conf);
    const daemon = new Daemon(
      syslogNg,
      ["-F", "--no-caps", "-f", confFile, "-R", join(wd, "syslog-ng.persist"), "-p", join(wd, "syslog-ng.pid"), "-c", join(wd, "syslog-ng.ctl")],
      { name: opts.name, env: syslogNgEnv() },
    );
    try {
      await waitFor(() => socketAccepts(socketPath).then((ok) => (ok ? true : undefined)), {
        timeoutMs: START_TIMEOUT_MS,
        what: `${opts.name} to open ${socketPath}`,
        abort: () => (daemon.alive ? undefined : "syslog-ng exited"),
        context: () => daemon.describe(),
      });
      return new SyslogNgSender(daemon, socketPath, internalLog);
    } catch (err) {
      await daemon.stop().catch(() => {});
      throw err;
    }
  }

  /** Hands `lines` (RFC 3164 messages without terminator) to syslog-ng over its Unix socket. */
  send(lines: readonly string[]): Promise<void> {
    return sendLines(this.socketPath, lines);
  }

  async describe(): Promise<string> {
    const internal = await readFile(this.internalLog, "utf8").catch(() => "");
    return `${this.daemon.describe()}\ninternal messages:\n${internal.slice(-4000) || "(none)"}`;
  }

  stop(): Promise<ExitInfo> {
    return this.daemon.stop();
  }
}

function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
