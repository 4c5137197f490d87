/**
 * The waiting values of one free-text (PLAIN BYTE_ARRAY) archive column, kept as UTF-8 bytes
 * from the moment a row arrives rather than as JS strings until its row group is encoded.
 *
 * Why: a row group waits for up to rowGroupRows rows, far longer than V8's young generation
 * holds anything, so every waiting string was copied by scavenges and then promoted, and a
 * string sliced out of the staging object's decoded text keeps that whole text alive. Bytes
 * written into a few off-heap buffers leave the strings to die young. Measured on Node 22
 * (archive bench, 100 MiB staging object, zstd, 16 MiB semi-space): peak RSS 327–342 → 187–194
 * MiB (backlog object over 48 hours: 398–412 → 297 MiB), scavenges 90 → 72 and their time
 * 0.59 → 0.34 s; CPU per row unchanged within the noise of a shared machine (the UTF-8 encode
 * moved, it did not go away). The bytes are those hyparquet-writer was given before, so the
 * files are byte-for-byte the same.
 */

import { ownString } from "@aws-syslog/record";
import type { ArchiveValue } from "./archive-schema.js";

/** First buffer of a column; later ones double up to MAX_CHUNK_BYTES. Small, because a staging
 * object spanning a backlog opens hundreds of parts at once, each with six text columns. */
const FIRST_CHUNK_BYTES = 4 << 10;
const MAX_CHUNK_BYTES = 1 << 20;
/** Per value: chunk index, start, byte length (-1 for null). */
const STRIDE = 3;

export class TextColumn {
  private chunks: Buffer[] = [];
  private chunk: Buffer | null = null;
  private used = 0;
  private nextChunkBytes = FIRST_CHUNK_BYTES;
  private slots = new Int32Array(STRIDE * 64);
  private count = 0;

  /** Values waiting. */
  get length(): number {
    return this.count;
  }

  /** A value that is not a string (the schema allows only null there) is stored as null. */
  push(value: ArchiveValue): void {
    if (this.count * STRIDE === this.slots.length) {
      const grown = new Int32Array(this.slots.length * 2);
      grown.set(this.slots);
      this.slots = grown;
    }
    const slot = this.count * STRIDE;
    this.count += 1;
    if (typeof value !== "string") {
      this.slots[slot + 2] = -1;
      return;
    }
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
    const upper = value.length * 3;
    if (this.chunk === null || this.used + upper > this.chunk.length) this.newChunk(upper);
    const chunk = this.chunk!;
    const n = chunk.write(value, this.used, "utf8");
    this.slots[slot] = this.chunks.length - 1;
    this.slots[slot + 1] = this.used;
    this.slots[slot + 2] = n;
    this.used += n;
  }

  /** The values as views into the column's buffers (null stays null), and the column emptied.
   * The views keep the buffers alive until the row group that consumes them is written. */
  take(): (Uint8Array | null)[] {
    const views: (Uint8Array | null)[] = new Array(this.count);
    const { chunks, slots } = this;
    for (let i = 0, slot = 0; i < this.count; i++, slot += STRIDE) {
      const n = slots[slot + 2]!;
      if (n < 0) {
        views[i] = null;
        continue;
      }
      // A plain Uint8Array over the chunk's memory: Buffer#subarray builds a Buffer through its
      // species constructor, ~1.3x the time for 1.2M views (Node 22 micro-benchmark).
      const chunk = chunks[slots[slot]!]!;
      views[i] = new Uint8Array(chunk.buffer, chunk.byteOffset + slots[slot + 1]!, n);
    }
    this.chunks = [];
    this.chunk = null;
    this.used = 0;
    this.count = 0;
    // Start small again: the next row group of this part may be a handful of rows, and the
    // memory bound (heldBytes) does not see a buffer's unused tail.
    this.nextChunkBytes = FIRST_CHUNK_BYTES;
    this.slots = new Int32Array(STRIDE * 64);
    return views;
  }

  private newChunk(atLeast: number): void {
    const bytes = Math.max(this.nextChunkBytes, atLeast);
    this.nextChunkBytes = Math.min(this.nextChunkBytes * 2, MAX_CHUNK_BYTES);
    this.chunk = Buffer.allocUnsafeSlow(bytes);
    this.chunks.push(this.chunk);
    this.used = 0;
  }
}

/**
 * The waiting values of one dictionary-encoded text column (host, app, facility names…): JS
 * strings, since the dictionary encoder dedupes strings faster than bytes, but each one of 13
 * characters or more a copy of its own, shared by every row with that value, from a table kept
 * per row group.
 *
 * Why a copy: a value of 13 characters or more cut out of a longer string (a RegExp capture, a
 * slice) is, in V8, a view that keeps the whole longer string alive, here the staging object's
 * decoded 64 KiB chunk. One `ip-10-0-1-23.eu-west-1.compute.internal` hostname per chunk kept
 * every chunk of the waiting rows in memory (archive bench with such hostnames, Node 22: peak
 * RSS 320–328 MiB instead of ~190).
 */
const MIN_VIEW_LENGTH = 13;

export class LabelColumn {
  private values: ArchiveValue[] = [];

  constructor(private readonly table: Map<string, string>) {}

  get length(): number {
    return this.values.length;
  }

  push(value: ArchiveValue): void {
    // Shorter strings are never views in V8 (SlicedString::kMinLength): most labels (facility,
    // severity, format, listener, IPv4 addresses) skip the table lookup.
    if (typeof value !== "string" || value.length < MIN_VIEW_LENGTH) {
      this.values.push(value);
      return;
    }
    let own = this.table.get(value);
    if (own === undefined) {
      own = ownString(value);
      this.table.set(own, own);
    }
    this.values.push(own);
  }

  /** The values, and the column emptied (the table is the writer's to clear). */
  take(): ArchiveValue[] {
    const values = this.values;
    this.values = [];
    return values;
  }
}
