/** Spill buffers larger than this are released after use, so idle connections stay small. */
const KEEP_BYTES = 4096;
const MIN_BYTES = 256;

/**
 * The bytes of one frame that arrived in earlier chunks, copied (once) out of those chunks so the
 * framer keeps no reference to a caller's chunk. Grows by doubling up to `limit` bytes, which
 * bounds a connection's framing memory whatever the input says.
 */
export class SpillBuffer {
  private buf: Buffer | null = null;
  length = 0;

  constructor(private readonly limit: number) {}

  /** Appends src[s, e); the caller keeps length <= limit. */
  append(src: Buffer, s: number, e: number): void {
    const need = this.length + (e - s);
    if (this.buf === null || this.buf.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, Math.min(this.limit, Math.max(2 * (this.buf?.length ?? 0), MIN_BYTES))));
      if (this.buf !== null) this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    src.copy(this.buf, this.length, s, e);
    this.length = need;
  }

  /** The first n bytes, as a view valid until the next append or clear. */
  view(n: number = this.length): Buffer {
    return this.buf === null ? Buffer.alloc(0) : this.buf.subarray(0, n);
  }

  byteAt(i: number): number | undefined {
    return i < this.length ? this.buf?.[i] : undefined;
  }

  latin1(): string {
    return this.buf === null ? "" : this.buf.toString("latin1", 0, this.length);
  }

  /** Empties the buffer, releasing it when large. */
  clear(): void {
    this.length = 0;
    if (this.buf !== null && this.buf.length > KEEP_BYTES) this.buf = null;
  }

  release(): void {
    this.length = 0;
    this.buf = null;
  }
}
