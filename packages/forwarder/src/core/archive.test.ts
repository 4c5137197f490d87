import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parquetReadObjects } from "hyparquet";
import { serializeRecord, type SyslogRecord } from "@aws-syslog/record";
import { archiveStagingObject, type ArchiveOptions, type ArchiveSink } from "./archive.js";
import { sampleRecord } from "./archive-fixtures.js";
import { archiveRouteName, DEFAULT_ROUTES } from "./route.js";
import { stagingObjectId } from "./partition.js";

class MemorySink implements ArchiveSink {
  readonly objects = new Map<string, { bytes: Uint8Array; contentType: string }>();
  puts = 0;
  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    this.puts += 1;
    this.objects.set(key, { bytes, contentType });
  }
}

const ref = { bucket: "staging-bucket", key: "2024/05/06/07/aws-syslog-1-2024-05-06-07-00-00-abc.gz", etag: "9f86d081884c7d65" };
const options: ArchiveOptions = {
  routes: DEFAULT_ROUTES,
  prefix: "",
  compression: "snappy",
  rowsPerPart: 1_000_000,
  maxPartBytes: 64 << 20,
  rowGroupRows: 1000,
  rowGroupBytes: 8 << 20,
  maxBufferBytes: 128 << 20,
};

/** gzip NDJSON, as several concatenated members, the way Firehose may write it. */
function stagingBody(lines: string[], members = 2): Readable {
  const per = Math.ceil(lines.length / members) || 1;
  const chunks: Buffer[] = [];
  for (let i = 0; i < lines.length; i += per) chunks.push(gzipSync(lines.slice(i, i + per).join("")));
  return Readable.from(chunks.length > 0 ? chunks : [gzipSync("")]);
}

async function rowsOf(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
}

/** Every archived row with the partition values parsed back from its key. */
async function archivedRows(sink: MemorySink): Promise<Array<Record<string, unknown>>> {
  const all: Array<Record<string, unknown>> = [];
  for (const [key, { bytes }] of sink.objects) {
    if (!key.endsWith(".parquet")) continue;
    const m = /^route=([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/[0-9a-f]{16}-\d{4}\.parquet$/.exec(key);
    expect(m, key).not.toBeNull();
    for (const row of await rowsOf(bytes)) all.push({ ...row, route: m![1], dt: m![2], hour: m![3] });
  }
  return all;
}

function records(n: number, from = 0): SyslogRecord[] {
  return Array.from({ length: n }, (_, i) => sampleRecord(from + i));
}

describe("archiveStagingObject", () => {
  it("archives every record once, under its first route and received_at's UTC hour", async () => {
    const input = records(7300); // 07:00:00 → 09:01:39, three hours, every facility
    const sink = new MemorySink();
    const result = await archiveStagingObject(ref, stagingBody(input.map(serializeRecord), 3), sink, options);
    expect(result).toMatchObject({ records: 7300, invalidLines: 0, objectId: stagingObjectId(ref), earlyCloses: 0 });
    const rows = await archivedRows(sink);
    expect(rows).toHaveLength(7300);
    const byPort = new Map(rows.map((r) => [r.source_port, r]));
    for (const record of input) {
      const row = byPort.get(record.source_port)!;
      expect(row.message).toBe(record.message);
      expect(row.route).toBe(archiveRouteName(DEFAULT_ROUTES, record));
      expect(`${row.dt}T${row.hour}`).toBe(record.received_at.slice(0, 13));
    }
    expect(new Set(rows.map((r) => r.route))).toEqual(new Set(["messages", "secure", "maillog", "cron", "boot", "onegate", "unrouted"]));
    expect([...sink.objects.values()].every((o) => o.contentType === "application/vnd.apache.parquet")).toBe(true);
  });

  it("writes the same keys and bytes when the same staging object is archived again", async () => {
    const lines = records(3000).map(serializeRecord);
    const body = () => stagingBody(lines);
    const first = new MemorySink();
    const second = new MemorySink();
    await archiveStagingObject(ref, body(), first, { ...options, rowsPerPart: 100 });
    await archiveStagingObject({ ...ref, etag: `"${ref.etag.toUpperCase()}"` }, body(), second, { ...options, rowsPerPart: 100 });
    expect([...second.objects.keys()].sort()).toEqual([...first.objects.keys()].sort());
    for (const [key, { bytes }] of first.objects) expect(Buffer.compare(second.objects.get(key)!.bytes, bytes), key).toBe(0);
    // Another staging object never writes over this one's parts.
    const other = new MemorySink();
    await archiveStagingObject({ ...ref, key: ref.key + "2" }, body(), other, options);
    for (const key of other.objects.keys()) expect(first.objects.has(key)).toBe(false);
  });

  it("numbers parts per partition from 0 when rowsPerPart is reached", async () => {
    const sink = new MemorySink();
    // 250 records within 07:00–07:04: messages route only for facility 1 (user) …
    const input = records(250).map((r) => ({ ...r, facility: 1, facility_name: "user", severity: 6, severity_name: "info" }));
    const result = await archiveStagingObject(ref, stagingBody(input.map(serializeRecord)), sink, { ...options, rowsPerPart: 100 });
    const id = stagingObjectId(ref);
    expect([...sink.objects.keys()].sort()).toEqual([0, 1, 2].map((p) => `route=messages/dt=2024-05-06/hour=07/${id}-000${p}.parquet`));
    expect(result.objects.map((o) => o.rows)).toEqual([100, 100, 50]);
  });

  it("keeps invalid lines as NDJSON under errors/ with their line numbers and reasons", async () => {
    const lines = [serializeRecord(sampleRecord(1)), "not json\n", "\n", '{"v":2}\n', serializeRecord(sampleRecord(2))];
    const sink = new MemorySink();
    const result = await archiveStagingObject(ref, stagingBody(lines, 1), sink, { ...options, prefix: "archive" });
    expect(result).toMatchObject({ records: 2, invalidLines: 2 });
    const errorKey = `archive/errors/${stagingObjectId(ref)}-0000.ndjson`;
    const stored = sink.objects.get(errorKey)!;
    expect(stored.contentType).toBe("application/x-ndjson");
    const entries = Buffer.from(stored.bytes).toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(entries.map((e) => [e.line_number, e.text])).toEqual([[2, "not json"], [4, '{"v":2}']]);
    expect(entries[0]).toMatchObject({ staging_bucket: ref.bucket, staging_key: ref.key, staging_etag: ref.etag });
    expect(entries[0].error).toMatch(/not JSON/);
    expect(result.objects.find((o) => o.key === errorKey)).toMatchObject({ rows: 2 });
  });

  it("closes the largest open part early when maxBufferBytes is reached, losing nothing", async () => {
    const input = records(5000);
    const sink = new MemorySink();
    const result = await archiveStagingObject(ref, stagingBody(input.map(serializeRecord)), sink, {
      ...options,
      rowGroupRows: 200,
      maxBufferBytes: 200_000,
    });
    expect(result.earlyCloses).toBeGreaterThan(0);
    expect(await archivedRows(sink)).toHaveLength(5000);
  });

  it("stops and rethrows when the sink fails, without writing later parts", async () => {
    const failing: ArchiveSink = {
      put: async () => {
        throw new Error("boom");
      },
    };
    await expect(archiveStagingObject(ref, stagingBody(records(300).map(serializeRecord)), failing, { ...options, rowsPerPart: 10 })).rejects.toThrow("boom");
  });

  it("archives nothing for an empty object", async () => {
    const sink = new MemorySink();
    const result = await archiveStagingObject(ref, Readable.from([gzipSync("")]), sink, options);
    expect(result).toMatchObject({ records: 0, invalidLines: 0, objects: [] });
    expect(sink.puts).toBe(0);
  });

  it("loses and duplicates nothing under any part/row-group/memory limits (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1_000, max: 200_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        async (n, rowsPerPart, rowGroupRows, maxBufferBytes, start) => {
          const input = records(n, start * 97);
          const sink = new MemorySink();
          const result = await archiveStagingObject(ref, stagingBody(input.map(serializeRecord)), sink, {
            ...options,
            rowsPerPart,
            rowGroupRows,
            maxBufferBytes,
          });
          const rows = await archivedRows(sink);
          expect(rows.map((r) => r.source_port).sort()).toEqual(input.map((r) => r.source_port).sort());
          expect(result.records).toBe(n);
          expect(sink.puts).toBe(sink.objects.size); // no key written twice within one run
          for (const o of result.objects) expect(o.rows).toBeLessThanOrEqual(rowsPerPart);
        },
      ),
      { numRuns: 25 },
    );
  });
});
