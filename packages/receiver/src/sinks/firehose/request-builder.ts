import type { PutRecordBatchCommandInput } from "@aws-sdk/client-firehose";
import { MAX_BATCH_DATA_BYTES, MAX_RECORD_DATA_BYTES, MAX_RECORDS_PER_BATCH } from "../../batch/firehose-limits.js";

/**
 * The PutRecordBatch request for `records` (each a gzip member of whole NDJSON lines). The
 * batch taker already keeps within the limits; this re-checks them because a request over a
 * limit is refused whole (InvalidArgumentException) and would stall the stream: failing here
 * names the bug instead.
 */
export function buildPutRecordBatchInput(stream: string, records: readonly Uint8Array[]): PutRecordBatchCommandInput {
  if (records.length === 0 || records.length > MAX_RECORDS_PER_BATCH) {
    throw new RangeError(`PutRecordBatch takes 1–${MAX_RECORDS_PER_BATCH} records, got ${records.length}`);
  }
  let total = 0;
  for (const data of records) {
    if (data.byteLength > MAX_RECORD_DATA_BYTES) throw new RangeError(`Firehose record of ${data.byteLength} bytes exceeds ${MAX_RECORD_DATA_BYTES}`);
    total += data.byteLength;
  }
  if (total > MAX_BATCH_DATA_BYTES) throw new RangeError(`PutRecordBatch of ${total} bytes exceeds ${MAX_BATCH_DATA_BYTES}`);
  return { DeliveryStreamName: stream, Records: records.map((Data) => ({ Data })) };
}
