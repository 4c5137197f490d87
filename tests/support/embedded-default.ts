import { join } from "node:path";
import { Daemon, type ExitInfo } from "./daemon.js";
import { REPO_ROOT } from "./receiver.js";
import { run } from "./run.js";
import { waitFor, waitForPort } from "./wait.js";
import type { CertFiles } from "./pki.js";

/** The built CLI, run as a user runs it (`pnpm start` is `node --openssl-config=packages/receiver/openssl.cnf packages/cli/dist/main.js start`). */
export const CLI_MAIN = join(REPO_ROOT, "packages/cli/dist/main.js");
/** The OpenSSL configuration the root package's start script passes to node (no session tickets). */
const OPENSSL_CONFIG = `--openssl-config=${join(REPO_ROOT, "packages/receiver/openssl.cnf")}`;

/** Start: development certificates, the receiver, then the pipeline's first pass over staging/. */
const START_TIMEOUT_MS = 30_000;
/** SIGINT: the receiver's drain budget (25 s by default) plus the pipeline's final pass. */
const INTERRUPT_TIMEOUT_MS = 45_000;
/** One `query` run: node, DuckDB, a scan of the local archive. */
const QUERY_TIMEOUT_MS = 30_000;

/** Variables that would change what the embedded default does; the tests start it with defaults
 * unless they pass their own, so the machine's environment cannot move the expectation. */
const SETTINGS = /^(RECEIVER_|FORWARDER_|SYSLOG_DATA_DIR$|LOG_LEVEL$)/;

/** process.env without RECEIVER_*, FORWARDER_*, SYSLOG_DATA_DIR and LOG_LEVEL, plus `extra`. */
export function embeddedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!SETTINGS.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export interface EmbeddedDefaultOptions {
  /** Short name for messages. */
  name?: string;
  /** `--data-dir`: everything the embedded default keeps (tls/, staging/, cloudwatch/, archive/). */
  dataDir: string;
  /** `--port`: a free port on 127.0.0.1 (see ports.ts). */
  port: number;
  /** `--mtls`: client certificate required, x509/name, permitted peer aws-syslog. */
  mtls?: boolean;
  /** The whole environment of the process (default: embeddedEnv()). */
  env?: NodeJS.ProcessEnv;
}

/** The development TLS files the embedded default writes on first start (DESIGN §9). */
export interface EmbeddedTlsFiles {
  dir: string;
  ca: string;
  server: CertFiles;
  /** CN=aws-syslog: the permitted peer of --mtls. */
  client: CertFiles;
}

export function embeddedTlsFiles(dataDir: string): EmbeddedTlsFiles {
  const dir = join(dataDir, "tls");
  const p = (name: string) => join(dir, name);
  return {
    dir,
    ca: p("ca.pem"),
    server: { cert: p("server.pem"), key: p("server.key") },
    client: { cert: p("client.pem"), key: p("client.key") },
  };
}

/** One row of `query --json`: DuckDB values as the CLI prints them. */
export type QueryRow = Record<string, unknown>;

/** Runs `node packages/cli/dist/main.js query --data-dir <dir> --json "<sql>"`; rejects on a
 * non-zero exit with the CLI's error output. */
export async function queryArchive(dataDir: string, sql: string, env: NodeJS.ProcessEnv = embeddedEnv()): Promise<QueryRow[]> {
  const result = await run(process.execPath, [CLI_MAIN, "query", "--data-dir", dataDir, "--json", sql], { env, timeoutMs: QUERY_TIMEOUT_MS });
  return result.stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as QueryRow);
}

/**
 * `pnpm start` in a child process of its own group: `node packages/cli/dist/main.js start --port
 * <port> --data-dir <dir>`. Ready once the port accepts and the start banner is out, which the
 * CLI prints only after the pipeline's first pass over what was already staged, so a test that
 * restarts over a data dir knows that pass has run.
 */
export class EmbeddedDefault {
  readonly tls: EmbeddedTlsFiles;

  private constructor(
    readonly daemon: Daemon,
    readonly dataDir: string,
    readonly port: number,
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.tls = embeddedTlsFiles(dataDir);
  }

  static async start(opts: EmbeddedDefaultOptions): Promise<EmbeddedDefault> {
    const env = opts.env ?? embeddedEnv();
    const args = [OPENSSL_CONFIG, CLI_MAIN, "start", "--port", String(opts.port), "--data-dir", opts.dataDir, ...(opts.mtls ? ["--mtls"] : [])];
    const daemon = new Daemon(process.execPath, args, { name: opts.name ?? "embedded default", env });
    const abort = () => (daemon.alive ? undefined : "it exited");
    try {
      await waitForPort(opts.port, { timeoutMs: START_TIMEOUT_MS, abort, context: () => daemon.describe() });
      await waitFor(() => (daemon.logs.includes(`TLS syslog on 127.0.0.1:${opts.port}`) ? true : undefined), {
        timeoutMs: START_TIMEOUT_MS,
        what: "the start banner (printed after the pipeline's first pass)",
        abort,
        context: () => daemon.describe(),
      });
    } catch (err) {
      await daemon.stop().catch(() => {});
      throw err;
    }
    return new EmbeddedDefault(daemon, opts.dataDir, opts.port, env);
  }

  query(sql: string): Promise<QueryRow[]> {
    return queryArchive(this.dataDir, sql, this.env);
  }

  /** Ctrl-C: SIGINT to the process group, then its exit status (SIGKILL after the timeout). */
  async interrupt(timeoutMs = INTERRUPT_TIMEOUT_MS): Promise<ExitInfo> {
    if (this.daemon.exit) return this.daemon.exit;
    process.kill(-this.daemon.pid, "SIGINT");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
    const result = await Promise.race([this.daemon.waitForExit(), timedOut]);
    clearTimeout(timer);
    if (result === "timeout") {
      await this.daemon.stop(1_000).catch(() => {});
      throw new Error(`${this.daemon.name} did not exit within ${timeoutMs} ms of SIGINT\n${this.describe()}`);
    }
    return result;
  }

  /** For DaemonSet cleanup: SIGTERM (or nothing when it has exited already). */
  stop(): Promise<ExitInfo> {
    return this.daemon.stop(INTERRUPT_TIMEOUT_MS);
  }

  describe(): string {
    return this.daemon.describe();
  }
}
