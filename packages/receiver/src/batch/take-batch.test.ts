import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { gzipBound, MAX_BATCH_DATA_BYTES, MAX_RECORD_DATA_BYTES, MAX_RECORD_PAYLOAD_BYTES, billedBytes } from "./firehose-limits.js";
import { takeBatch } from "./take-batch.js";

const rec = (bytes: number) => ({ data: new Uint8Array(bytes) });

describe("takeBatch", () => {
  it("takes exactly 500 records, not 501", () => {
    expect(takeBatch(Array.from({ length: 500 }, () => rec(10)))).toBe(500);
    expect(takeBatch(Array.from({ length: 501 }, () => rec(10)))).toBe(500);
  });

  it("takes exactly 4 MiB of data, not one byte more", () => {
    const exact = [rec(MAX_RECORD_DATA_BYTES), rec(MAX_RECORD_DATA_BYTES), rec(MAX_RECORD_DATA_BYTES), rec(MAX_RECORD_DATA_BYTES), rec(MAX_BATCH_DATA_BYTES - 4 * MAX_RECORD_DATA_BYTES)];
    expect(takeBatch(exact)).toBe(5);
    const over = [...exact.slice(0, 4), rec(MAX_BATCH_DATA_BYTES - 4 * MAX_RECORD_DATA_BYTES + 1)];
    expect(takeBatch(over)).toBe(4);
  });

  it("stops at a record still being compressed, and honours a lowered cap", () => {
    expect(takeBatch([rec(1), { data: null }, rec(1)])).toBe(1);
    expect(takeBatch([{ data: null }, rec(1)])).toBe(0);
    expect(takeBatch([rec(1), rec(1), rec(1)], 2)).toBe(2);
  });
});

describe("Firehose limits", () => {
  it("the record payload limit gzips within 1,000 KiB even for random bytes, at every level", () => {
    const data = randomBytes(MAX_RECORD_PAYLOAD_BYTES);
    for (const level of [1, 6, 9]) expect(gzipSync(data, { level }).byteLength).toBeLessThanOrEqual(MAX_RECORD_DATA_BYTES);
    expect(gzipBound(MAX_RECORD_PAYLOAD_BYTES)).toBeLessThanOrEqual(MAX_RECORD_DATA_BYTES);
    expect(gzipBound(MAX_RECORD_PAYLOAD_BYTES + 1)).toBeGreaterThan(MAX_RECORD_DATA_BYTES);
  });

  it("bills each record rounded up to 5 KB", () => {
    expect([0, 1, 5120, 5121, 3 * 1024, 12 * 1024].map(billedBytes)).toEqual([5120, 5120, 5120, 10240, 5120, 15360]);
  });
});
