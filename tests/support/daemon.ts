import { spawn, type ChildProcess } from "node:child_process";

/** How long a daemon gets after SIGTERM before its process group is killed. */
export const STOP_TIMEOUT_MS = 15_000;
/** Bytes of a daemon's stdout+stderr kept for failure messages (the tail is what matters). */
const LOG_TAIL_BYTES = 16 * 1024;

export interface DaemonOptions {
  /** Short name for messages: "receiver", "rsyslog-ossl sender". */
  name: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A long-running process started in its own process group (detached), so `stop()` reaches
 * every process it spawned (bench/receiver.sh → node) and nothing else, and its output is kept
 * for failure messages.
 */
export class Daemon {
  readonly name: string;
  readonly pid: number;
  private readonly child: ChildProcess;
  private output = "";
  private exitInfo: ExitInfo | undefined;
  private readonly exited: Promise<ExitInfo>;

  constructor(cmd: string, args: readonly string[], opts: DaemonOptions) {
    this.name = opts.name;
    this.child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (this.child.pid === undefined) throw new Error(`${this.name}: could not spawn ${cmd}`);
    this.pid = this.child.pid;
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString("utf8")).slice(-LOG_TAIL_BYTES);
    };
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      this.child.on("error", (err) => {
        keep(Buffer.from(`spawn error: ${err.message}\n`));
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
    });
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Exit status once it has exited, else undefined. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** The tail of its stdout and stderr. */
  get logs(): string {
    return this.output;
  }

  /** A message naming the daemon, its state and its output tail, for assertion failures. */
  describe(): string {
    const state = this.exitInfo ? `exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal})` : "running";
    return `${this.name} [pid ${this.pid}, ${state}]; output tail:\n${this.output || "(none)"}`;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is gone already.
    }
  }

  /** SIGTERM to the process group, wait for the exit; SIGKILL after timeoutMs. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<ExitInfo> {
    if (this.exitInfo) {
      this.signalGroup("SIGKILL"); // children it may have left behind
      return this.exitInfo;
    }
    this.signalGroup("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
    const result = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (result === "timeout") {
      this.signalGroup("SIGKILL");
      const info = await this.exited;
      throw new Error(`${this.name} did not exit within ${timeoutMs} ms of SIGTERM (killed; ${info.signal})\n${this.describe()}`);
    }
    this.signalGroup("SIGKILL");
    return result;
  }

  /** Resolves when the process exits (for tests that expect it to). */
  waitForExit(): Promise<ExitInfo> {
    return this.exited;
  }
}

/** Keeps track of the daemons a test starts so afterEach can stop all of them. */
export class DaemonSet {
  private readonly daemons: { stop(): Promise<unknown> }[] = [];

  add<T extends { stop(): Promise<unknown> }>(daemon: T): T {
    this.daemons.push(daemon);
    return daemon;
  }

  /** Stops every daemon (latest first, so senders go before the receiver); reports all errors. */
  async stopAll(): Promise<void> {
    const errors: unknown[] = [];
    while (this.daemons.length > 0) {
      const d = this.daemons.pop()!;
      try {
        await d.stop();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} daemons failed to stop cleanly`);
  }
}
