import { readFile, stat } from "node:fs/promises";
import type { Batch } from "./messages.js";
import type { RunningReceiver } from "./receiver.js";
import { readRecords, type ReadRecord } from "./records.js";
import { waitFor } from "./wait.js";

/**
 * The "receiver stopped mid-stream, then restarted" scenario shared by the RELP interop test and
 * the TCP-vs-RELP reliability table: a real rsyslog sender with a disk-assisted queue is handed
 * N numbered messages at once, the receiver is stopped (SIGTERM, or SIGKILL for a crash) once a
 * tenth has arrived, and started again on the same ports; rsyslog resends what it still holds.
 */
export interface StopRestartOptions {
  /** Starts the receiver, and again after the stop: same ports, same output file. */
  start(): Promise<RunningReceiver>;
  /** Hands messages to the sender (its injection port), in order. */
  send(lines: readonly string[]): Promise<void>;
  /** The numbered batch and its messages as sent. */
  batch: Batch;
  lines: readonly string[];
  signal: "SIGTERM" | "SIGKILL";
  /**
   * When the run is over after the restart. "all": every message arrived (a protocol that
   * promises no loss; the wait fails after timeoutMs with the count). Sentinels: messages sent
   * behind the batch, one a second, until one arrives; a sender with one in-order queue has then
   * delivered all it still held, so what is missing was lost. One is not enough over plain TCP:
   * omfwd learns that its connection is dead only from a failed write, so the first message
   * after the receiver went away is written into the dead socket and lost like the batch's.
   */
  settle: "all" | { sentinel: (attempt: number) => string; tag: string };
  timeoutMs: number;
  /** The sender's state, for a failure message. */
  describeSender(): string;
}

export interface StopRestartFigures {
  sent: number;
  /** Distinct messages in the output when the stopped receiver had exited. */
  beforeStop: number;
  /** Distinct messages in the end. */
  received: number;
  /** Extra copies. */
  duplicates: number;
  lost: number;
}

const SENTINEL_INTERVAL_MS = 1_000;

/** Distinct texts of the batch in the output, and how many extra copies. */
export async function tallyBatch(outFile: string, batch: Batch): Promise<{ records: ReadRecord[]; distinct: number; duplicates: number }> {
  const { records } = await readRecords(outFile, false);
  const seen = new Map<string, number>();
  for (const r of records) if (typeof r.message === "string" && r.message.includes(batch.tag)) seen.set(r.message, (seen.get(r.message) ?? 0) + 1);
  let duplicates = 0;
  for (const n of seen.values()) duplicates += n - 1;
  return { records, distinct: seen.size, duplicates };
}

/** Runs the scenario; resolves with the figures and the restarted receiver (the caller stops it). */
export async function stopMidStreamAndRestart(opts: StopRestartOptions): Promise<{ figures: StopRestartFigures; receiver: RunningReceiver }> {
  const { batch, timeoutMs } = opts;
  const sent = batch.texts.length;
  let rx = await opts.start();
  const sending = opts.send(opts.lines);
  // The first tenth, judged by the output's size (one record line per message): cheap enough
  // to poll while a burst arrives, where parsing the whole file each time would let the
  // sender finish before the signal.
  let tenthBytes = 0;
  await waitFor(
    async () => {
      const size = await stat(rx.outFile).then((s) => s.size, () => 0);
      if (tenthBytes === 0 && size > 0) {
        const first = (await readFile(rx.outFile, "utf8")).split("\n", 1)[0]!;
        if (first.length > 0) tenthBytes = Math.ceil(sent / 10) * (Buffer.byteLength(first) + 1);
      }
      return tenthBytes > 0 && size >= tenthBytes ? true : undefined;
    },
    { timeoutMs, what: "the first tenth to arrive", context: () => `${rx.describe()}\n${opts.describeSender()}` },
  );
  if (opts.signal === "SIGTERM") {
    await rx.stop(); // rejects unless it exits 0 (drained)
  } else {
    process.kill(-rx.daemon.pid, "SIGKILL");
    await rx.daemon.waitForExit();
  }
  const beforeStop = (await tallyBatch(rx.outFile, batch)).distinct;
  await sending;
  rx = await opts.start();
  const restarted = rx;
  let last = 0;
  const settle = opts.settle;
  if (settle === "all") {
    await waitFor(async () => ((last = (await tallyBatch(restarted.outFile, batch)).distinct) >= sent ? true : undefined), {
      timeoutMs,
      what: `${sent} distinct records tagged ${batch.tag}`,
      context: () => `${last} so far\n${restarted.describe()}\n${opts.describeSender()}`,
    });
  } else {
    let attempt = 0;
    let nextAt = 0;
    await waitFor(
      async () => {
        if ((await readRecords(restarted.outFile, false)).records.some((r) => typeof r.message === "string" && r.message.includes(settle.tag))) return true;
        if (Date.now() >= nextAt) {
          nextAt = Date.now() + SENTINEL_INTERVAL_MS;
          await opts.send([settle.sentinel(++attempt)]);
        }
        return undefined;
      },
      { timeoutMs, what: `a sentinel ${settle.tag} sent after the batch (${attempt} sent)`, context: () => `${restarted.describe()}\n${opts.describeSender()}` },
    );
  }
  const { distinct, duplicates } = await tallyBatch(restarted.outFile, batch);
  return { figures: { sent, beforeStop, received: distinct, duplicates, lost: sent - distinct }, receiver: restarted };
}
