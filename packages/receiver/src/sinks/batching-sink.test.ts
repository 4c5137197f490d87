import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ReceiverEvents } from "../events.js";
import { Registry } from "../metrics.js";
import { BatchingSink } from "./batching-sink.js";
import { FileSink } from "./file.js";

const events = () => new ReceiverEvents(pino({ level: "silent" }), new Registry());

/** Stores into memory; `gate` holds a store open so backpressure can be observed. */
class MemorySink extends BatchingSink {
  readonly name = "memory";
  stored: Buffer[] = [];
  gate: Promise<void> = Promise.resolve();
  failNext = false;
  protected async store(chunks: Buffer[]): Promise<void> {
    await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error("disk full");
    }
    this.stored.push(Buffer.concat(chunks));
  }
  protected failed(): void {}
  protected async release(): Promise<void> {}
  text(): string {
    return Buffer.concat(this.stored).toString("utf8");
  }
}

afterEach(() => vi.useRealTimers());

describe("BatchingSink", () => {
  it("flushSoon cuts the linger to ackLingerMs once per batch; without it the linger holds", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const sink = new MemorySink({ budgetBytes: 1 << 20, batchBytes: 1 << 20, lingerMs: 1000, ackLingerMs: 100 });
    sink.flushSoon(); // nothing pending: nothing to hurry
    sink.write("a\n");
    sink.flushSoon();
    vi.advanceTimersByTime(60);
    sink.flushSoon(); // once per batch: the timer is not pushed back
    vi.advanceTimersByTime(39);
    await Promise.resolve();
    expect(sink.stored).toHaveLength(0);
    vi.advanceTimersByTime(1);
    await vi.waitFor(() => expect(sink.text()).toBe("a\n"));
    sink.write("b\n");
    vi.advanceTimersByTime(999);
    await Promise.resolve();
    expect(sink.text()).toBe("a\n");
    vi.advanceTimersByTime(1);
    await vi.waitFor(() => expect(sink.text()).toBe("a\nb\n"));
    const off = new MemorySink({ budgetBytes: 1 << 20, batchBytes: 1 << 20, lingerMs: 1000 });
    off.write("c\n");
    off.flushSoon(); // no ackLingerMs: a no-op
    vi.advanceTimersByTime(999);
    await Promise.resolve();
    expect(off.stored).toHaveLength(0);
    vi.advanceTimersByTime(1);
    await vi.waitFor(() => expect(off.text()).toBe("c\n"));
  });

  it("stores every line in order, whatever the sizes and characters", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: "binary", maxLength: 300_000 }), { maxLength: 40 }), async (texts) => {
        const sink = new MemorySink({ budgetBytes: 1 << 30, batchBytes: 100_000, lingerMs: 0 });
        const lines = texts.map((t) => JSON.stringify(t) + "\n");
        for (const l of lines) sink.write(l);
        await sink.close();
        expect(sink.text()).toBe(lines.join(""));
      }),
      { numRuns: 30 },
    );
  });

  it("acks after the store, with the error when the store failed", async () => {
    const sink = new MemorySink({ budgetBytes: 1 << 20, batchBytes: 1 << 20, lingerMs: 0 });
    const acks: Array<Error | null> = [];
    sink.failNext = true;
    sink.write("a\n", (e) => acks.push(e));
    await sink.flush();
    sink.write("b\n", (e) => acks.push(e));
    await sink.flush();
    expect(acks.map((e) => e?.message ?? null)).toEqual(["disk full", null]);
    expect(sink.text()).toBe("b\n");
    expect(sink.pendingBytes).toBe(0);
  });

  it("reports backpressure over its budget and drains at half of it", async () => {
    let open!: () => void;
    const sink = new MemorySink({ budgetBytes: 1000, batchBytes: 100, lingerMs: 0 });
    sink.gate = new Promise((r) => (open = r));
    let drained = 0;
    sink.on("drain", () => drained++);
    const results = Array.from({ length: 30 }, () => sink.write("x".repeat(99) + "\n"));
    expect(results.slice(0, 10).every(Boolean)).toBe(true);
    expect(results.at(-1)).toBe(false);
    expect(sink.pendingBytes).toBe(3000);
    open();
    await sink.flush();
    expect(drained).toBe(1);
    expect(sink.pendingBytes).toBe(0);
  });

  it("takes bytes written after reserve() only on commit(), interleaved with write() in order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.string({ unit: "binary", maxLength: 100_000 })), { maxLength: 30 }), async (ops) => {
        const sink = new MemorySink({ budgetBytes: 1 << 30, batchBytes: 50_000, lingerMs: 0 });
        const expected: string[] = [];
        for (const [direct, giveUp, text] of ops) {
          const line = JSON.stringify(text) + "\n";
          const bytes = Buffer.from(line);
          if (!direct) {
            sink.write(line);
            expected.push(line);
            continue;
          }
          const buf = sink.reserve(bytes.length);
          bytes.copy(buf, sink.reservedAt);
          if (giveUp) continue; // written into the buffer but never committed: not stored
          sink.commit(bytes.length);
          expected.push(line);
        }
        await sink.close();
        expect(sink.text()).toBe(expected.join(""));
      }),
      { numRuns: 40 },
    );
  });

  it("gives commit() write()'s backpressure and acks", async () => {
    let open!: () => void;
    const sink = new MemorySink({ budgetBytes: 1000, batchBytes: 100, lingerMs: 0 });
    sink.gate = new Promise((r) => (open = r));
    const acks: Array<Error | null> = [];
    const results = Array.from({ length: 30 }, () => {
      const buf = sink.reserve(100);
      buf.fill(0x78, sink.reservedAt, sink.reservedAt + 99);
      buf[sink.reservedAt + 99] = 0x0a;
      return sink.commit(100, (e) => acks.push(e));
    });
    expect(results.slice(0, 10).every(Boolean)).toBe(true);
    expect(results.at(-1)).toBe(false);
    expect(acks).toHaveLength(0);
    open();
    await sink.close();
    expect(acks).toEqual(Array(30).fill(null));
    expect(sink.text()).toBe(("x".repeat(99) + "\n").repeat(30));
    let error: Error | null = null;
    sink.reserve(10);
    expect(sink.commit(10, (e) => (error = e))).toBe(false);
    expect(error).toBeInstanceOf(Error);
  });

  it("refuses writes after close and acks them with an error", async () => {
    const sink = new MemorySink({ budgetBytes: 1000, batchBytes: 100, lingerMs: 0 });
    await sink.close();
    let error: Error | null = null;
    expect(sink.write("late\n", (e) => (error = e))).toBe(false);
    expect(error).toBeInstanceOf(Error);
  });
});

describe("FileSink", () => {
  it("appends lines to the file as they come", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "file-sink-")), "out.ndjson");
    const sink = await FileSink.open(path, events(), 1 << 20);
    sink.write('{"a":1}\n');
    sink.write('{"b":"é"}\n');
    await sink.flush();
    expect(readFileSync(path, "utf8")).toBe('{"a":1}\n{"b":"é"}\n');
    sink.write('{"c":3}\n');
    await sink.close();
    expect(readFileSync(path, "utf8").split("\n").filter(Boolean)).toHaveLength(3);
  });
});
