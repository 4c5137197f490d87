import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Daemon } from "./daemon.js";
import { freePort } from "./ports.js";
import { waitForPort } from "./wait.js";
import type { TestPki } from "./pki.js";
import { startRsyslogReceiver } from "./rsyslog-receiver.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const RECEIVER_SCRIPT = join(REPO_ROOT, "bench/receiver.sh");
export const RECEIVER_MAIN = join(REPO_ROOT, "packages/receiver/dist/main.js");

/** How long a receiver gets to accept connections after it is spawned. */
export const RECEIVER_START_TIMEOUT_MS = 20_000;

/**
 * Which receiver the interop tests drive: "product" (bench/receiver.sh, the default) or
 * "rsyslog" (rsyslogd configured with the same TLS settings: the reference the sender side of
 * the harness was proven against; its records lack tls_peer and use rsyslog's field values).
 */
export type ReceiverKind = "product" | "rsyslog";

export function receiverKind(): ReceiverKind {
  const kind = process.env.INTEROP_RECEIVER ?? "product";
  if (kind !== "product" && kind !== "rsyslog") throw new Error(`INTEROP_RECEIVER must be "product" or "rsyslog", not ${JSON.stringify(kind)}`);
  return kind;
}

export interface ReceiverOptions {
  pki: TestPki;
  /** An empty directory for this receiver's output and scratch files. */
  workDir: string;
  /** MTLS=1: client certificate required, x509/name with permitted peer aws-syslog. */
  mtls?: boolean;
  /** Also open the plain TCP listener (RECEIVER_TCP_PORT) on a free port. */
  tcp?: boolean;
  /** RECEIVER_* / LOG_LEVEL settings passed through bench/receiver.sh. */
  env?: Record<string, string>;
  /** TLS port to listen on (a restarted receiver keeps its senders' target); a free port by default. */
  port?: number;
}

export interface RunningReceiver {
  kind: ReceiverKind;
  /** TLS port on 127.0.0.1. */
  port: number;
  /** Plain TCP port on 127.0.0.1 when `tcp` was asked for. */
  tcpPort: number | undefined;
  /** One record per line. */
  outFile: string;
  daemon: Daemon;
  /** SIGTERM, wait for the exit; rejects when it does not exit 0 (the contract says flush, exit 0).
   * The output file stays (the work directory belongs to the caller). */
  stop(): Promise<void>;
  describe(): string;
}

/** Starts the receiver selected by INTEROP_RECEIVER and waits until every port accepts. */
export async function startReceiver(opts: ReceiverOptions): Promise<RunningReceiver> {
  const { workDir } = opts;
  const outFile = join(workDir, "out.ndjson");
  const port = opts.port ?? (await freePort());
  const tcpPort = opts.tcp ? await freePort() : undefined;
  const kind = receiverKind();

  let daemon: Daemon;
  if (kind === "rsyslog") {
    daemon = await startRsyslogReceiver({ ...opts, outFile, port, tcpPort });
  } else {
    if (!existsSync(RECEIVER_MAIN)) {
      throw new Error(`${RECEIVER_MAIN} is missing: build the receiver (pnpm install builds dist/), or set INTEROP_RECEIVER=rsyslog`);
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      CERT_DIR: opts.pki.dir,
      OUT_FILE: outFile,
      MTLS: opts.mtls ? "1" : "0",
      ...(tcpPort !== undefined ? { RECEIVER_TCP_PORT: String(tcpPort) } : {}),
      ...opts.env,
    };
    daemon = new Daemon("bash", [RECEIVER_SCRIPT], { name: "receiver (bench/receiver.sh)", env, cwd: workDir });
  }

  const receiver: RunningReceiver = {
    kind,
    port,
    tcpPort,
    outFile,
    daemon,
    describe: () => daemon.describe(),
    async stop() {
      const exit = await daemon.stop();
      if (exit.code !== 0) throw new Error(`receiver exited with ${exit.code ?? exit.signal} on SIGTERM (expected 0)\n${daemon.describe()}`);
    },
  };
  try {
    for (const p of [port, tcpPort]) {
      if (p === undefined) continue;
      await waitForPort(p, {
        timeoutMs: RECEIVER_START_TIMEOUT_MS,
        what: `the receiver to listen on 127.0.0.1:${p}`,
        abort: () => (daemon.alive ? undefined : "the receiver exited"),
        context: () => daemon.describe(),
      });
    }
  } catch (err) {
    await daemon.stop().catch(() => {});
    throw err;
  }
  return receiver;
}
