import { openSync, closeSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { RECEIVER_MAIN, RECEIVER_SCRIPT, RECEIVER_START_TIMEOUT_MS } from "./receiver.js";
import { waitForPort } from "./wait.js";
import type { TestPki } from "./pki.js";
import { existsSync } from "node:fs";

/**
 * The product receiver (bench/receiver.sh → node, one pid thanks to exec) with its whole log
 * in a file, for tests that must search every log line (the interop Daemon keeps only a tail)
 * and read the process's memory from /proc.
 */
export interface LoggedReceiver {
  port: number;
  tcpPort: number | undefined;
  outFile: string;
  logFile: string;
  pid: number;
  alive(): boolean;
  /** VmRSS (now) and VmHWM (peak) in KiB. */
  memory(): { rssKb: number; peakKb: number };
  logs(): Promise<string>;
  /** SIGTERM, wait (SIGKILL after 20 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface LoggedReceiverOptions {
  pki: TestPki;
  workDir: string;
  tcp?: boolean;
  env?: Record<string, string>;
}

const STOP_TIMEOUT_MS = 20_000;

export async function startLoggedReceiver(opts: LoggedReceiverOptions): Promise<LoggedReceiver> {
  if (!existsSync(RECEIVER_MAIN)) throw new Error(`${RECEIVER_MAIN} is missing: build the receiver first`);
  const port = await freePort();
  const tcpPort = opts.tcp ? await freePort() : undefined;
  const outFile = join(opts.workDir, "out.ndjson");
  const logFile = join(opts.workDir, "receiver.log");
  const fd = openSync(logFile, "a");
  const child: ChildProcess = spawn("bash", [RECEIVER_SCRIPT], {
    cwd: opts.workDir,
    detached: true,
    stdio: ["ignore", fd, fd],
    env: {
      ...process.env,
      PORT: String(port),
      CERT_DIR: opts.pki.dir,
      OUT_FILE: outFile,
      ...(tcpPort !== undefined ? { RECEIVER_TCP_PORT: String(tcpPort) } : {}),
      ...opts.env,
    },
  });
  closeSync(fd);
  const pid = child.pid!;
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve((exitCode = code))));
  const rx: LoggedReceiver = {
    port,
    tcpPort,
    outFile,
    logFile,
    pid,
    alive: () => exitCode === undefined,
    memory() {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
      return { rssKb: kb("VmRSS"), peakKb: kb("VmHWM") };
    },
    logs: () => readFile(logFile, "utf8"),
    async stop() {
      if (exitCode !== undefined) return exitCode;
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        return exitCode ?? null;
      }
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<null>((resolve) => {
        timer = setTimeout(() => {
          try {
            process.kill(-pid, "SIGKILL");
          } catch {
            // gone already
          }
          resolve(null);
        }, STOP_TIMEOUT_MS);
      });
      const code = await Promise.race([exited, killed]);
      clearTimeout(timer);
      return code;
    },
  };
  try {
    for (const p of [port, tcpPort]) {
      if (p === undefined) continue;
      await waitForPort(p, {
        timeoutMs: RECEIVER_START_TIMEOUT_MS,
        abort: () => (rx.alive() ? undefined : "the receiver exited"),
        context: () => readFileSync(logFile, "utf8").slice(-4000),
      });
    }
  } catch (err) {
    await rx.stop();
    throw err;
  }
  return rx;
}
