import { gunzipSync } from "node:zlib";
import type { FakeFirehose } from "../fakes/firehose-server.js";
import { safeParseRecord } from "../../packages/record/src/index.js";
import { parseNumbered } from "./numbered-tls-sender.js";

/**
 * Copies of each numbered message ("<tag> c=<conn> seq=<n>") that a fake Firehose accepted,
 * read incrementally (each accepted record is gunzipped once), for tests that count what
 * arrived per connection: distinct, duplicates, and the gap-free prefix of each connection.
 */
export class FirehoseTally {
  readonly copies = new Map<number, Map<number, number>>();
  distinct = 0;
  duplicates = 0;
  /** Lines that were not valid schema-v1 records. */
  invalid = 0;
  private seen = 0;

  constructor(private readonly fake: FakeFirehose, private readonly tag: string) {}

  update(): this {
    for (; this.seen < this.fake.records.length; this.seen += 1) {
      const lines = gunzipSync(this.fake.records[this.seen]!.data).toString("utf8").split("\n").slice(0, -1);
      for (const line of lines) {
        const parsed = safeParseRecord(line);
        if (!parsed.success) {
          this.invalid += 1;
          continue;
        }
        const n = parseNumbered(parsed.record.message);
        if (n?.tag !== this.tag) continue;
        let conn = this.copies.get(n.conn);
        if (!conn) this.copies.set(n.conn, (conn = new Map()));
        const c = conn.get(n.seq) ?? 0;
        conn.set(n.seq, c + 1);
        if (c === 0) this.distinct += 1;
        else this.duplicates += 1;
      }
    }
    return this;
  }

  /** Largest k such that seqs 1..k of `conn` all arrived, and every seq that arrived beyond it. */
  prefix(conn: number): { k: number; beyond: number[] } {
    const seqs = this.copies.get(conn) ?? new Map<number, number>();
    let k = 0;
    while (seqs.has(k + 1)) k += 1;
    return { k, beyond: [...seqs.keys()].filter((s) => s > k).sort((a, b) => a - b) };
  }
}
