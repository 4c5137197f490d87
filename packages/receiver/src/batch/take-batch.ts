import { MAX_BATCH_DATA_BYTES, MAX_RECORDS_PER_BATCH } from "./firehose-limits.js";

/** What the batch taker needs to know of a queued Firehose record. */
export interface QueuedRecord {
  /** The compressed record, or null while it is still being compressed. */
  readonly data: Uint8Array | null;
}

/**
 * How many records from the head of `queue` go into the next PutRecordBatch call: a prefix
 * (so records leave in queue order), of compressed records only (an older record still in the
 * compressor is never overtaken), within 500 entries and 4 MiB of data, and within `maxRecords`
 * (lowered after the service rejected a call as invalid). Returns 0 when the head is not ready.
 */
export function takeBatch(queue: readonly QueuedRecord[], maxRecords: number = MAX_RECORDS_PER_BATCH): number {
  const limit = Math.min(maxRecords, MAX_RECORDS_PER_BATCH, queue.length);
  let bytes = 0;
  let n = 0;
  while (n < limit) {
    const data = queue[n]?.data;
    if (!data) break;
    if (bytes + data.byteLength > MAX_BATCH_DATA_BYTES) break;
    bytes += data.byteLength;
    n += 1;
  }
  return n;
}
