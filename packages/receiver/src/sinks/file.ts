import { open, type FileHandle } from "node:fs/promises";
import type { ReceiverEvents } from "../events.js";
import { BatchingSink } from "./batching-sink.js";

/**
 * Appends each record as one NDJSON line to a file ("-" = stdout). Lines are written as they
 * arrive: whatever accumulated during one turn of the event loop goes out in one write, so a
 * reader tailing the file sees records within a millisecond or so. Acks fire after the write.
 */
const BATCH_BYTES = 1 << 20;

export class FileSink extends BatchingSink {
  readonly name = "file";

  private constructor(
    private readonly handle: FileHandle | null,
    private readonly events: ReceiverEvents,
    budgetBytes: number,
  ) {
    super({ budgetBytes, batchBytes: BATCH_BYTES, lingerMs: 0 });
  }

  static async open(path: string, events: ReceiverEvents, budgetBytes: number): Promise<FileSink> {
    const handle = path === "-" ? null : await open(path, "a", 0o640);
    return new FileSink(handle, events, budgetBytes);
  }

  protected async store(chunks: Buffer[]): Promise<void> {
    if (this.handle) {
      await this.handle.writev(chunks);
      return;
    }
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    await new Promise<void>((resolve, reject) => process.stdout.write(data, (err) => (err ? reject(err) : resolve())));
  }

  protected failed(error: Error, bytes: number): void {
    this.events.drops.inc({ reason: "RCV_SINK_FAILED" });
    this.events.logger.error({ event: "sink_failed", code: "RCV_SINK_FAILED", sink: this.name, bytes, err: error }, "file sink write failed: records lost");
  }

  protected async release(): Promise<void> {
    await this.handle?.close();
  }
}
