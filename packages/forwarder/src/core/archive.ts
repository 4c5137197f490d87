import type { Readable } from "node:stream";
import { SCHEMA_VERSION, type SyslogRecord } from "@aws-syslog/record";
import { ArchiveEncodeError, ForwarderError } from "../errors.js";
import { ParquetPartWriter, type ArchiveCompression } from "./archive-writer.js";
import {
  archiveErrorKey,
  archiveObjectKey,
  normalizeEtag,
  partitionId,
  partitionOf,
  stagingObjectId,
  type Partition,
  type StagingObjectIdentity,
} from "./partition.js";
import { archiveRouteName, type RouteTable } from "./route.js";
import { readStagingObjectChunks, type StagingLine } from "./staging-object.js";

/** Where finished archive objects go: S3 (adapters/s3-archive.ts) or a directory
 * (adapters/local-archive.ts). `put` overwrites: that is what makes redelivery idempotent. */
export interface ArchiveSink {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
}

export const PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet";
export const NDJSON_CONTENT_TYPE = "application/x-ndjson";

export interface ArchiveOptions {
  readonly routes: RouteTable;
  /** Key prefix, "" for none (see partition.ts for the layout). */
  readonly prefix: string;
  readonly compression: ArchiveCompression;
  /** A part (one Parquet object) is closed at this many rows… */
  readonly rowsPerPart: number;
  /** …or once its compressed row groups reach this many bytes. */
  readonly maxPartBytes: number;
  readonly rowGroupRows: number;
  /** Estimated raw bytes of one row group (see ParquetPartWriter). */
  readonly rowGroupBytes: number;
  /** Memory bound over all open parts (raw rows waiting + compressed row groups + invalid
   * lines): above it, the largest open part is closed early. */
  readonly maxBufferBytes: number;
}

export interface ArchivedObject {
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
}

/** What one staging object produced; the handler logs it as the run's counters. */
export interface ArchiveResult {
  readonly objectId: string;
  /** Records archived (= rows over all Parquet objects). */
  readonly records: number;
  /** Staging lines that were not schema-v1 records; written to `errors/`, not to Parquet. */
  readonly invalidLines: number;
  readonly objects: readonly ArchivedObject[];
  /** Parts closed early because maxBufferBytes was reached (a sign to raise memory or lower
   * rowGroupBytes, since more, smaller files cost Athena time). */
  readonly earlyCloses: number;
}

interface OpenPart {
  readonly partition: Partition;
  readonly part: number;
  readonly writer: ParquetPartWriter;
}

/** Staging object body (gzip NDJSON) → Parquet objects in `sink`. See archiveStagingLines. */
export async function archiveStagingObject(
  ref: StagingObjectIdentity,
  body: Readable | AsyncIterable<Uint8Array>,
  sink: ArchiveSink,
  options: ArchiveOptions,
): Promise<ArchiveResult> {
  return archiveStagingLines(ref, readStagingObjectChunks(body), sink, options);
}

/**
 * Archives the lines of one staging object (in chunks, as readStagingObjectChunks yields them:
 * one async step per decompressed chunk, not per line): each record once, under its first matching route
 * (or "unrouted"), partitioned by received_at, as Parquet parts whose keys derive from `ref` and
 * a part number counted per partition in input order. The same object and options therefore
 * always give the same keys, and a retry overwrites what an earlier, failed run left.
 * (Changing rowsPerPart/maxPartBytes/maxBufferBytes between two runs of one object can change
 * the part count; a run never deletes parts, so a larger earlier count leaves extra parts.)
 *
 * Lines that are not records are kept as NDJSON under `errors/` (with the staging key, line
 * number and reason), never dropped. Memory stays under maxBufferBytes plus one row group being
 * encoded and one part being uploaded, whatever the object's size.
 */
export async function archiveStagingLines(
  ref: StagingObjectIdentity,
  chunks: AsyncIterable<readonly StagingLine[]>,
  sink: ArchiveSink,
  options: ArchiveOptions,
): Promise<ArchiveResult> {
  const objectId = stagingObjectId(ref);
  const open = new Map<string, OpenPart>();
  const nextPart = new Map<string, number>();
  const objects: ArchivedObject[] = [];
  const errors = new ErrorLines(ref, options.maxPartBytes);
  const ids = new PartitionIds();
  let records = 0;
  let invalidLines = 0;
  let earlyCloses = 0;
  /** Σ heldBytes of the open parts, kept current on every append and close. */
  let partsHeldBytes = 0;

  const close = async (id: string, entry: OpenPart): Promise<void> => {
    open.delete(id);
    partsHeldBytes -= entry.writer.heldBytes;
    const rows = entry.writer.rows;
    const bytes = encode(() => entry.writer.finish());
    const key = archiveObjectKey(options.prefix, entry.partition, objectId, entry.part);
    await sink.put(key, bytes, PARQUET_CONTENT_TYPE);
    objects.push({ key, rows, bytes: bytes.length });
  };
  const flushErrors = async (): Promise<void> => {
    const part = errors.take();
    if (part === null) return;
    const key = archiveErrorKey(options.prefix, objectId, part.part);
    await sink.put(key, part.bytes, NDJSON_CONTENT_TYPE);
    objects.push({ key, rows: part.lines, bytes: part.bytes.length });
  };

  for await (const lines of chunks) {
    for (const line of lines) {
      if (!line.ok) {
        invalidLines += 1;
        if (errors.add(line)) await flushErrors();
        continue;
      }
      records += 1;
      const route = archiveRouteName(options.routes, line.record);
      const id = ids.of(line.record, route);
      let entry = open.get(id);
      if (entry === undefined) {
        const partition = partitionOf(line.record, route);
        const part = nextPart.get(id) ?? 0;
        nextPart.set(id, part + 1);
        entry = { partition, part, writer: newPart(ref, part, options) };
        open.set(id, entry);
      }
      const before = entry.writer.heldBytes;
      append(entry.writer, line.record);
      partsHeldBytes += entry.writer.heldBytes - before;
      if (entry.writer.rows >= options.rowsPerPart || entry.writer.encodedBytes >= options.maxPartBytes) {
        await close(id, entry);
      }
      while (partsHeldBytes + errors.heldBytes > options.maxBufferBytes && open.size > 0) {
        const [largestId, largest] = largestPart(open);
        earlyCloses += 1;
        await close(largestId, largest);
      }
    }
  }
  for (const [id, entry] of [...open]) await close(id, entry);
  await flushErrors();
  return { objectId, records, invalidLines, objects, earlyCloses };
}

function newPart(ref: StagingObjectIdentity, part: number, options: ArchiveOptions): ParquetPartWriter {
  return new ParquetPartWriter(
    { compression: options.compression, rowGroupRows: options.rowGroupRows, rowGroupBytes: options.rowGroupBytes },
    {
      "aws_syslog.schema_version": String(SCHEMA_VERSION),
      "aws_syslog.staging_object": `s3://${ref.bucket}/${ref.key}`,
      "aws_syslog.staging_etag": normalizeEtag(ref.etag) ?? "",
      "aws_syslog.part": String(part),
    },
  );
}

/** encode() inlined: no closure allocated per row. */
function append(writer: ParquetPartWriter, record: SyslogRecord): void {
  try {
    writer.append(record);
  } catch (err) {
    throw encodeError(err);
  }
}

/** Records are validated against schema v1 before they get here, so an encoder failure is a
 * defect (or a writer limit), not bad input: typed, not retryable, the message goes to the DLQ. */
function encode<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw encodeError(err);
  }
}

function encodeError(err: unknown): ForwarderError {
  return err instanceof ForwarderError ? err : new ArchiveEncodeError(`Parquet encoding failed: ${(err as Error).message}`, { cause: err });
}

/**
 * Partition ids by route and received_at hour (`YYYY-MM-DDTHH`, one slice of the schema-v1
 * UTC time): building the id (percent-encoding and concatenation) for every row cost more than
 * the two lookups that now find it.
 */
class PartitionIds {
  private readonly byRoute = new Map<string, Map<string, string>>();

  of(record: SyslogRecord, route: string): string {
    let byHour = this.byRoute.get(route);
    if (byHour === undefined) {
      byHour = new Map();
      this.byRoute.set(route, byHour);
    }
    const hour = record.received_at.slice(0, 13);
    let id = byHour.get(hour);
    if (id === undefined) {
      id = partitionId(partitionOf(record, route));
      byHour.set(hour, id);
    }
    return id;
  }
}

function largestPart(open: Map<string, OpenPart>): [string, OpenPart] {
  let best: [string, OpenPart] | undefined;
  for (const pair of open) {
    if (best === undefined || pair[1].writer.heldBytes > best[1].writer.heldBytes) best = pair;
  }
  return best!;
}

/** Invalid staging lines, as NDJSON, in parts of at most maxPartBytes (estimated). */
class ErrorLines {
  private lines: string[] = [];
  private bytes = 0;
  private part = 0;

  constructor(private readonly ref: StagingObjectIdentity, private readonly maxPartBytes: number) {}

  get heldBytes(): number {
    return this.bytes;
  }

  /** Adds a line; true when the part is full and should be flushed. */
  add(line: Extract<StagingLine, { ok: false }>): boolean {
    const json = JSON.stringify({
      staging_bucket: this.ref.bucket,
      staging_key: this.ref.key,
      staging_etag: normalizeEtag(this.ref.etag),
      line_number: line.lineNumber,
      error: line.error,
      text: line.text,
    });
    this.lines.push(json);
    this.bytes += json.length + 1;
    return this.bytes >= this.maxPartBytes;
  }

  take(): { part: number; lines: number; bytes: Uint8Array } | null {
    if (this.lines.length === 0) return null;
    const result = { part: this.part, lines: this.lines.length, bytes: Buffer.from(this.lines.join("\n") + "\n", "utf8") };
    this.part += 1;
    this.lines = [];
    this.bytes = 0;
    return result;
  }
}
