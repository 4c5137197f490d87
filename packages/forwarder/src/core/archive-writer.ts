import * as zlib from "node:zlib";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { SchemaElement } from "hyparquet";
import type { SyslogRecord } from "@aws-syslog/record";
import { ARCHIVE_COLUMNS, type ArchiveColumn, type ArchiveValue } from "./archive-schema.js";
import { LabelColumn, TextColumn } from "./archive-text-column.js";

/**
 * Encodes archive records into one Parquet file, a row group at a time, with hyparquet-writer
 * (pure JS, no native build, so it runs as-is in Lambda). Rows wait as column arrays (free text
 * as UTF-8 bytes) until a row group is full; the row group is then encoded and compressed, and
 * only its bytes are kept. So memory per open file ≈ one row group of raw values + the
 * compressed groups so far.
 *
 * Codecs: SNAPPY is built into hyparquet-writer; GZIP uses node:zlib; ZSTD uses node:zlib's
 * zstd, which exists from Node 22.15 / 23.8 (not in Node 20): `compressionSupported("zstd")`
 * says whether this runtime has it, and config refuses it otherwise.
 */

export const ARCHIVE_COMPRESSIONS = ["snappy", "gzip", "zstd", "none"] as const;
export type ArchiveCompression = (typeof ARCHIVE_COMPRESSIONS)[number];

type ParquetCodec = "SNAPPY" | "GZIP" | "ZSTD" | "UNCOMPRESSED";
const CODECS: Record<ArchiveCompression, ParquetCodec> = { snappy: "SNAPPY", gzip: "GZIP", zstd: "ZSTD", none: "UNCOMPRESSED" };

type Compressor = (input: Uint8Array) => Uint8Array;
const zstdCompressSync = (zlib as unknown as { zstdCompressSync?: (input: Uint8Array) => Buffer }).zstdCompressSync;

const COMPRESSORS: Partial<Record<ParquetCodec, Compressor>> = {
  GZIP: (input) => zlib.gzipSync(input),
  ...(zstdCompressSync ? { ZSTD: (input: Uint8Array) => zstdCompressSync(input) } : {}),
};

export function compressionSupported(compression: ArchiveCompression): boolean {
  return compression !== "zstd" || zstdCompressSync !== undefined;
}

export interface ParquetPartOptions {
  compression: ArchiveCompression;
  /** A row group is encoded when it holds this many rows… */
  rowGroupRows: number;
  /** …or this many estimated raw bytes, whichever comes first. */
  rowGroupBytes: number;
}

/** Written into each file's key-value metadata, so a file says what produced it. */
export interface ParquetPartMetadata {
  [key: string]: string;
}

function schemaElement(column: ArchiveColumn): SchemaElement {
  const repetition_type = column.nullable ? "OPTIONAL" : "REQUIRED";
  const p = column.parquet;
  switch (p.physical) {
    case "INT32":
    case "BOOLEAN":
      return { name: column.name, type: p.physical, repetition_type };
    case "BYTE_ARRAY":
      return { name: column.name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type };
    case "INT64":
      // The converted type is kept for older readers; TIMESTAMP_MILLIS means UTC-adjusted.
      return {
        name: column.name,
        type: "INT64",
        converted_type: "TIMESTAMP_MILLIS",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
        repetition_type,
      };
  }
}

export const ARCHIVE_PARQUET_SCHEMA: readonly SchemaElement[] = [
  { name: "root", num_children: ARCHIVE_COLUMNS.length },
  ...ARCHIVE_COLUMNS.map(schemaElement),
];

/**
 * Per-column encoder options. Min/max statistics only where Athena can skip row groups with
 * them (time and the PRI fields); on free text they cost encode time (~3%) and never prune. Free
 * text is PLAIN: a dictionary would only be tried and rejected.
 */
type ColumnOptions = { encoding?: "PLAIN"; statistics: boolean };
const PLAIN_TEXT: ColumnOptions = { encoding: "PLAIN", statistics: false };
const STATISTICS = new Set(["received_at", "facility", "severity"]);
const PLAIN = new Set(["message", "raw", "structured_data", "message_json", "timestamp", "proc_id"]);
const COLUMN_OPTIONS: Record<string, ColumnOptions> = Object.fromEntries(
  ARCHIVE_COLUMNS.map((c) => [c.name, PLAIN.has(c.name) ? PLAIN_TEXT : { statistics: STATISTICS.has(c.name) }]),
);

/**
 * Free-text columns wait as UTF-8 bytes (archive-text-column.ts), and go to hyparquet-writer as
 * views into those bytes: it would otherwise call TextEncoder once per value, allocating an
 * ArrayBuffer each. The other text columns, short and repeated, wait as strings (which the
 * dictionary encoder dedupes faster than bytes) copied once per distinct value and row group;
 * numbers and booleans as JS values.
 */
type WaitingColumn = TextColumn | LabelColumn | ArchiveValue[];
function newColumns(labels: Map<string, string>): WaitingColumn[] {
  return ARCHIVE_COLUMNS.map((c) => (PLAIN.has(c.name) ? new TextColumn() : c.parquet.physical === "BYTE_ARRAY" ? new LabelColumn(labels) : []));
}

/**
 * Heap cost of a waiting value beyond its characters: a V8 string header plus its array slot
 * (~24 B), or a number/boolean slot (8 B). Without it the estimate undercounted the heap ~2x
 * (benchmark, 185k rows over 343 partitions: estimate < 96 MiB, RSS 290 MiB).
 */
const STRING_OVERHEAD_BYTES = 24;
const SCALAR_ESTIMATE_BYTES = 8;

/** One Parquet file being built. Not thread-safe, not reusable after finish(). */
export class ParquetPartWriter {
  private readonly writer = new ChunkedByteWriter();
  private readonly parquet: ParquetWriter;
  /** Distinct label values of the row group being filled (LabelColumn). */
  private readonly labels = new Map<string, string>();
  private columns: WaitingColumn[] = newColumns(this.labels);
  private pendingRows = 0;
  private pendingBytes = 0;
  private encodedRows = 0;
  private finished = false;

  constructor(private readonly options: ParquetPartOptions, metadata: ParquetPartMetadata = {}) {
    this.parquet = new ParquetWriter({
      writer: this.writer,
      schema: [...ARCHIVE_PARQUET_SCHEMA],
      codec: CODECS[options.compression],
      compressors: COMPRESSORS,
      kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      createdBy: "aws-syslog forwarder (hyparquet-writer)",
    });
  }

  /** Rows appended so far (encoded or waiting). */
  get rows(): number {
    return this.encodedRows + this.pendingRows;
  }

  /** Compressed bytes of the row groups encoded so far. */
  get encodedBytes(): number {
    return this.writer.offset;
  }

  /** Estimated memory held: raw values waiting for their row group + encoded bytes. */
  get heldBytes(): number {
    return this.pendingBytes + this.writer.offset;
  }

  append(record: SyslogRecord): void {
    if (this.finished) throw new Error("ParquetPartWriter: append after finish");
    let bytes = 0;
    for (let i = 0; i < ARCHIVE_COLUMNS.length; i++) {
      const value = ARCHIVE_COLUMNS[i]!.value(record);
      // The estimate is unchanged since text waits as bytes (it now overstates the heap), so
      // parts close where they did and an object's keys stay the same across this change.
      bytes += typeof value === "string" ? value.length + STRING_OVERHEAD_BYTES : SCALAR_ESTIMATE_BYTES;
      this.columns[i]!.push(value);
    }
    this.pendingRows += 1;
    this.pendingBytes += bytes;
    if (this.pendingRows >= this.options.rowGroupRows || this.pendingBytes >= this.options.rowGroupBytes) {
      this.encodeRowGroup();
    }
  }

  /** Encodes what is waiting, writes the footer, returns the whole file. */
  finish(): Uint8Array {
    if (this.finished) throw new Error("ParquetPartWriter: finish twice");
    this.encodeRowGroup();
    this.finished = true;
    void this.parquet.finish();
    return this.writer.takeBytes();
  }

  private encodeRowGroup(): void {
    if (this.pendingRows === 0) return;
    const columnData = ARCHIVE_COLUMNS.map((column, i) => {
      const waiting = this.columns[i]!;
      const data = Array.isArray(waiting) ? waiting : waiting.take();
      return { name: column.name, data, ...COLUMN_OPTIONS[column.name] };
    });
    // One call = one row group: rowGroupSize is the whole pending batch.
    void this.parquet.write({ columnData, rowGroupSize: this.pendingRows });
    this.encodedRows += this.pendingRows;
    this.columns = this.columns.map((c) => (Array.isArray(c) ? [] : c));
    this.labels.clear();
    this.pendingRows = 0;
    this.pendingBytes = 0;
  }
}

/**
 * A ByteWriter whose flush (called by ParquetWriter after each row group) moves the bytes into
 * an exact-size chunk and reuses its buffer: a growing ArrayBuffer would double, and copy, up
 * to twice the file size. `offset` keeps counting, so file offsets in the footer stay right.
 */
/** Small: a staging object spanning a backlog can open hundreds of parts at once. */
const INITIAL_BUFFER_BYTES = 64 << 10;

class ChunkedByteWriter extends ByteWriter {
  private readonly chunks: Uint8Array[] = [];

  constructor() {
    super(INITIAL_BUFFER_BYTES);
  }

  flush(): void {
    if (this.index === 0) return;
    this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
    this.index = 0;
    // A large row group grew the buffer; do not keep that much idle per open file.
    if (this.buffer.byteLength > INITIAL_BUFFER_BYTES * 16) {
      this.buffer = new ArrayBuffer(INITIAL_BUFFER_BYTES);
      this.view = new DataView(this.buffer);
    }
  }

  override finish(): void {
    this.flush();
  }

  takeBytes(): Uint8Array {
    this.flush();
    // A fresh Uint8Array, not Buffer.concat: a small Buffer can sit inside Node's shared pool,
    // and then `.buffer` would not be this file.
    const bytes = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of this.chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    this.chunks.length = 0;
    return bytes;
  }
}
