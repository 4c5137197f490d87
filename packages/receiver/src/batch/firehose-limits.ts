/**
 * Amazon Data Firehose Direct PUT limits and billing unit. These cannot be changed by a quota
 * request, so they are constants, not configuration.
 *
 * - PutRecordBatch: "up to 500 records … each record as large as 1,000 KB (before base64
 *   encoding), up to a limit of 4 MB for the entire request"
 *   https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 * - Record.Data: "Maximum length of 1024000" (1,000 KiB, before base64)
 *   https://docs.aws.amazon.com/firehose/latest/APIReference/API_Record.html
 * - Quota page: "4 MiB per call, whichever is smaller" (500 records / 4 MiB)
 *   https://docs.aws.amazon.com/firehose/latest/dev/limits.html
 * - Pricing: Direct PUT ingestion is "billed per GB ingested in 5KB increments (a 3KB record
 *   is billed as 5KB, a 12KB record is billed as 15KB)". We count a KB as 1,024 bytes, which
 *   can only over-estimate the bill. https://aws.amazon.com/firehose/pricing/
 */

/** Entries per PutRecordBatch call. */
export const MAX_RECORDS_PER_BATCH = 500;

/** Sum of the entries' Data bytes (before base64) per PutRecordBatch call: 4 MiB. */
export const MAX_BATCH_DATA_BYTES = 4 * 1024 * 1024;

/** Data bytes (before base64) per Firehose record: 1,000 KiB. */
export const MAX_RECORD_DATA_BYTES = 1_024_000;

/** Ingestion is billed per record rounded up to this many bytes. */
export const BILLING_INCREMENT_BYTES = 5 * 1024;

/** Bytes billed for one record of `dataBytes` (at least one increment, even when empty). */
export function billedBytes(dataBytes: number): number {
  return Math.max(1, Math.ceil(dataBytes / BILLING_INCREMENT_BYTES)) * BILLING_INCREMENT_BYTES;
}

/**
 * Worst-case gzip size of `n` input bytes: zlib's deflateBound() for the default window and
 * memLevel (n + n/2^12 + n/2^14 + n/2^25 + 7, plus 6 for the zlib wrapper it assumes) with the
 * gzip wrapper instead (10-byte header + 8-byte trailer). Incompressible input falls back to
 * stored blocks, so output can exceed input; this bound holds for every level.
 * https://github.com/madler/zlib/blob/develop/deflate.c (deflateBound)
 */
export function gzipBound(n: number): number {
  return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 7 + 18 + 8;
}

/**
 * Largest uncompressed NDJSON payload per Firehose record whose gzip member is guaranteed to
 * fit MAX_RECORD_DATA_BYTES even when the data does not compress at all (1,023,656 bytes; random bytes at level 1 gzip to 1,023,989).
 */
export const MAX_RECORD_PAYLOAD_BYTES = (() => {
  let n = MAX_RECORD_DATA_BYTES;
  while (gzipBound(n) > MAX_RECORD_DATA_BYTES) n -= 1;
  return n;
})();
