import { randomUUID } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { ReceiverEvents } from "../events.js";
import { BatchingSink } from "./batching-sink.js";

const gzipAsync = promisify(gzip);
/** A RELP sender waiting on answers (Sink.flushSoon) gets its object written this soon instead
 * of after flushMs: at most ~10 extra local objects per second, which cost nothing to bill. */
const STAGING_ACK_LINGER_MS = 100;

/**
 * The local stand-in for Firehose → S3 in the embedded default: batches of NDJSON lines are
 * written as gzip objects under `<dir>/YYYY/MM/DD/HH/` (UTC), named like Firehose names its S3
 * objects. Each object is written to a temporary name and renamed, so the local forwarder never
 * sees half an object. Flushes on size or after `flushMs`, like Firehose's buffering hints.
 */
export class StagingSink extends BatchingSink {
  readonly name = "staging";
  private readonly streamName = "local";

  constructor(
    private readonly dir: string,
    private readonly events: ReceiverEvents,
    options: { budgetBytes: number; maxObjectBytes: number; flushMs: number },
  ) {
    super({ budgetBytes: options.budgetBytes, batchBytes: options.maxObjectBytes, lingerMs: options.flushMs, ackLingerMs: STAGING_ACK_LINGER_MS });
  }

  protected async store(chunks: Buffer[]): Promise<void> {
    const now = new Date();
    const iso = now.toISOString();
    const [y, mo, d, h, mi, s] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13), iso.slice(14, 16), iso.slice(17, 19)];
    const folder = join(this.dir, y, mo, d, h);
    const name = `${this.streamName}-1-${y}-${mo}-${d}-${h}-${mi}-${s}-${randomUUID()}.gz`;
    const body = await gzipAsync(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), { level: 6 });
    await mkdir(folder, { recursive: true });
    const tmp = join(folder, `.${name}.tmp`);
    await writeFile(tmp, body, { mode: 0o640 });
    await rename(tmp, join(folder, name));
  }

  protected failed(error: Error, bytes: number): void {
    this.events.drops.inc({ reason: "RCV_SINK_FAILED" });
    this.events.logger.error({ event: "sink_failed", code: "RCV_SINK_FAILED", sink: this.name, bytes, err: error }, "staging sink write failed: records lost");
  }

  protected async release(): Promise<void> {}
}
