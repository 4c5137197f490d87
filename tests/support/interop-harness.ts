import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DaemonSet } from "./daemon.js";
import { makeTestPki, type TestPki } from "./pki.js";
import { startReceiver, type ReceiverOptions, type RunningReceiver } from "./receiver.js";
import { RsyslogSender, type RsyslogSenderOptions } from "./rsyslog-sender.js";
import { SyslogNgSender, type SyslogNgSenderOptions } from "./syslog-ng-sender.js";
import { readRecords, waitForTagged, type ExpectedFields, type ReadRecord } from "./records.js";

/** Fields the rsyslog stand-in receiver cannot fill as the product does: not checked against it. */
const NOT_FROM_RSYSLOG = ["tls_peer", "structured_data", "msg_id", "timestamp", "source_port", "message_json", "raw"];

/** The expected fields that apply to this receiver (all of them for the product; rsyslog writes
 * "-" or "" where the record has null, so null expectations are not checked against it). */
export function expectedFor(rx: RunningReceiver, fields: ExpectedFields): ExpectedFields {
  if (rx.kind === "product") return fields;
  return Object.fromEntries(Object.entries(fields).filter(([k, v]) => !NOT_FROM_RSYSLOG.includes(k) && v !== null));
}

/** Bound on waiting for a batch to land: generous for 2 busy cores, finite so nothing hangs. */
export const DELIVERY_TIMEOUT_MS = 60_000;

/**
 * Everything one interop test file needs: a temp root, one throwaway PKI (made once per file:
 * RSA key generation is the slow part), and the daemons each test starts, stopped in afterEach
 * (senders before the receiver) even when the test failed.
 */
export class InteropHarness {
  private readonly daemons = new DaemonSet();
  private dirs = 0;
  private readonly describers: (() => Promise<string> | string)[] = [];

  private constructor(readonly root: string, readonly pki: TestPki) {}

  static async create(): Promise<InteropHarness> {
    const root = await mkdtemp(join(tmpdir(), "interop-"));
    const pki = await makeTestPki();
    return new InteropHarness(root, pki);
  }

  /** A fresh, empty directory under the root. */
  async dir(name: string): Promise<string> {
    const d = join(this.root, `${++this.dirs}-${name}`);
    await mkdir(d, { recursive: true });
    return d;
  }

  async receiver(opts: Omit<ReceiverOptions, "pki" | "workDir"> = {}): Promise<RunningReceiver> {
    const rx = await startReceiver({ ...opts, pki: this.pki, workDir: await this.dir("receiver") });
    this.describers.push(() => rx.describe());
    return this.daemons.add(rx);
  }

  async rsyslogSender(opts: Omit<RsyslogSenderOptions, "pki" | "workDir">): Promise<RsyslogSender> {
    const sender = await RsyslogSender.start({ ...opts, pki: this.pki, workDir: await this.dir(opts.name.replace(/\W+/g, "-")) });
    this.describers.push(() => sender.describe());
    return this.daemons.add(sender);
  }

  async syslogNgSender(opts: Omit<SyslogNgSenderOptions, "pki" | "workDir">): Promise<SyslogNgSender> {
    const sender = await SyslogNgSender.start({ ...opts, pki: this.pki, workDir: await this.dir(opts.name.replace(/\W+/g, "-")) });
    this.describers.push(() => sender.describe());
    return this.daemons.add(sender);
  }

  /** State and log tails of every daemon started in this test, for failure messages. */
  async describe(): Promise<string> {
    const parts = await Promise.all(this.describers.map((d) => d()));
    return parts.join("\n---\n");
  }

  /**
   * Waits until `count` records tagged `tag` are in the receiver's output (failing with every
   * daemon's log tail otherwise), then returns all records, parsed.
   */
  async delivered(rx: RunningReceiver, tag: string, count: number): Promise<ReadRecord[]> {
    let context = "";
    try {
      await waitForTagged(rx.outFile, tag, count, {
        timeoutMs: DELIVERY_TIMEOUT_MS,
        abort: () => (rx.daemon.alive ? undefined : "the receiver exited"),
      });
    } catch (err) {
      context = await this.describe();
      throw new Error(`${(err as Error).message}\n${context}`);
    }
    return this.records(rx);
  }

  /** Every record in the receiver's output; invalid lines fail the test. */
  async records(rx: RunningReceiver): Promise<ReadRecord[]> {
    const { records, invalid } = await readRecords(rx.outFile, rx.kind === "product");
    if (invalid.length > 0) throw new Error(`${invalid.length} invalid output lines:\n${invalid.slice(0, 5).join("\n")}`);
    return records;
  }

  /** afterEach: stops this test's daemons, senders first. */
  async cleanup(): Promise<void> {
    this.describers.length = 0;
    await this.daemons.stopAll();
  }

  /** afterAll: removes the PKI and every work directory (kept with INTEROP_KEEP=1, for
   * reading configs, daemon logs and receiver output after a failure). */
  async dispose(): Promise<void> {
    await this.daemons.stopAll();
    if (process.env.INTEROP_KEEP === "1") {
      console.log(`interop: kept ${this.root} and ${this.pki.dir}`);
      return;
    }
    await this.pki.remove();
    await rm(this.root, { recursive: true, force: true });
  }
}
