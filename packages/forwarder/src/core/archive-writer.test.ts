import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import * as zlib from "node:zlib";
import type { SyslogRecord } from "@aws-syslog/record";
import { sampleRecord } from "./archive-fixtures.js";
import { ParquetPartWriter, compressionSupported, type ArchiveCompression } from "./archive-writer.js";

/** How a record reads back from the archive (hyparquet returns TIMESTAMP as Date). */
function expectedRow(record: SyslogRecord): Record<string, unknown> {
  return {
    ...record,
    received_at: new Date(record.received_at),
    structured_data: record.structured_data === null ? null : JSON.stringify(record.structured_data),
    message_json: record.message_json === null ? null : JSON.stringify(record.message_json),
    truncated: record.truncated === true,
  };
}

const zstdDecompressSync = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;
const reader = {
  GZIP: (input: Uint8Array) => new Uint8Array(zlib.gunzipSync(input)),
  ...(zstdDecompressSync ? { ZSTD: (input: Uint8Array) => new Uint8Array(zstdDecompressSync(input)) } : {}),
};

async function readBack(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file, compressors: reader });
}

function write(records: SyslogRecord[], compression: ArchiveCompression, rowGroupRows = 1000, rowGroupBytes = 1 << 24): Uint8Array {
  const writer = new ParquetPartWriter({ compression, rowGroupRows, rowGroupBytes }, { staging_key: "k" });
  for (const record of records) writer.append(record);
  expect(writer.rows).toBe(records.length);
  return writer.finish();
}

describe("ParquetPartWriter", () => {
  const records = Array.from({ length: 2500 }, (_, i) => sampleRecord(i));

  it.each(["snappy", "gzip", "none"] as const)("round-trips every column with %s", async (compression) => {
    const bytes = write(records, compression);
    const rows = await readBack(bytes);
    expect(rows).toEqual(records.map(expectedRow));
    const codecs = new Set(parquetMetadata(bytes.buffer as ArrayBuffer).row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
    expect([...codecs]).toEqual([{ snappy: "SNAPPY", gzip: "GZIP", none: "UNCOMPRESSED" }[compression]]);
  });

  // The archive Lambda's codec (infra/forwarder-runtime.ts); node:zlib has zstd from Node 22.15.
  it.runIf(compressionSupported("zstd"))("round-trips every column with zstd, smaller than gzip", async () => {
    const bytes = write(records, "zstd");
    expect(await readBack(bytes)).toEqual(records.map(expectedRow));
    const codecs = new Set(parquetMetadata(bytes.buffer as ArrayBuffer).row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
    expect([...codecs]).toEqual(["ZSTD"]);
    expect(bytes.length).toBeLessThan(write(records, "gzip").length);
  });

  it("splits row groups by rows and by estimated bytes", () => {
    const byRows = parquetMetadata(write(records, "snappy", 1000).buffer as ArrayBuffer);
    expect(byRows.row_groups.map((g) => Number(g.num_rows))).toEqual([1000, 1000, 500]);
    // Each sample row is a few hundred estimated bytes, so 20 KiB holds well under 1000 rows.
    const byBytes = parquetMetadata(write(records, "snappy", 1000, 20_000).buffer as ArrayBuffer);
    expect(byBytes.row_groups.length).toBeGreaterThan(3);
    expect(byBytes.row_groups.reduce((n, g) => n + Number(g.num_rows), 0)).toBe(2500);
  });

  it("declares received_at as TIMESTAMP(MILLIS, UTC) and keeps file metadata", () => {
    const meta = parquetMetadata(write(records.slice(0, 3), "snappy").buffer as ArrayBuffer);
    const receivedAt = meta.schema.find((e) => e.name === "received_at");
    expect(receivedAt).toMatchObject({ type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" } });
    expect(meta.schema.find((e) => e.name === "message")).toMatchObject({ repetition_type: "REQUIRED", converted_type: "UTF8" });
    expect(meta.key_value_metadata).toContainEqual({ key: "staging_key", value: "k" });
    expect(Number(meta.num_rows)).toBe(3);
  });

  it("keeps min/max statistics where Athena can prune (received_at), PLAIN without them for free text", () => {
    const meta = parquetMetadata(write(records, "snappy").buffer as ArrayBuffer);
    const chunk = (name: string) => meta.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === name)!.meta_data!;
    expect(chunk("received_at").statistics?.min_value).toEqual(new Date(records[0]!.received_at));
    expect(chunk("message").encodings).toEqual(["PLAIN"]);
    expect(chunk("message").statistics?.min_value).toBeUndefined();
    expect(chunk("facility_name").encodings).toContain("RLE_DICTIONARY");
  });

  it("counts held bytes and releases raw rows once a row group is encoded", () => {
    const writer = new ParquetPartWriter({ compression: "snappy", rowGroupRows: 10, rowGroupBytes: 1 << 24 });
    for (let i = 0; i < 9; i++) writer.append(sampleRecord(i));
    expect(writer.encodedBytes).toBe(4); // only the PAR1 magic so far
    expect(writer.heldBytes).toBeGreaterThan(9 * 50);
    writer.append(sampleRecord(9));
    expect(writer.encodedBytes).toBeGreaterThan(4);
    expect(writer.heldBytes).toBe(writer.encodedBytes);
  });

  it("refuses use after finish", () => {
    const writer = new ParquetPartWriter({ compression: "none", rowGroupRows: 10, rowGroupBytes: 1 << 24 });
    writer.append(sampleRecord(1));
    writer.finish();
    expect(() => writer.append(sampleRecord(2))).toThrow(/after finish/);
    expect(() => writer.finish()).toThrow(/twice/);
  });

  it("says whether zstd exists in this Node (node:zlib has it from 22.15)", () => {
    expect(compressionSupported("snappy")).toBe(true);
    expect(compressionSupported("zstd")).toBe(typeof (zlib as Record<string, unknown>).zstdCompressSync === "function");
  });

  it("round-trips arbitrary strings and nulls (property)", async () => {
    const text = fc.string({ unit: "grapheme", maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ message: text, hostname: fc.option(text), raw: fc.option(text), key: fc.string({ maxLength: 8 }) }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (items, rowGroupRows) => {
          const input = items.map((item, i) =>
            sampleRecord(i, { message: item.message, hostname: item.hostname, raw: item.raw, message_json: { [item.key]: item.message } }),
          );
          const rows = await readBack(write(input, "snappy", rowGroupRows));
          expect(rows).toEqual(input.map(expectedRow));
        },
      ),
      { numRuns: 50 },
    );
  });
});
