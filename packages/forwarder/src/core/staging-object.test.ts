import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { Readable } from "node:stream";
import { serializeRecord } from "@aws-syslog/record";
import { sampleRecord } from "../testing/sample-record.js";
import { readStagingObject, type StagingLine } from "./staging-object.js";

async function collect(body: Readable | AsyncIterable<Uint8Array>): Promise<StagingLine[]> {
  const lines: StagingLine[] = [];
  for await (const line of readStagingObject(body)) lines.push(line);
  return lines;
}

function chunked(bytes: Buffer, cuts: number[]): AsyncIterable<Uint8Array> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  return (async function* () {
    let start = 0;
    for (const p of [...points, bytes.length]) {
      if (p > start) yield bytes.subarray(start, p);
      start = Math.max(start, p);
    }
  })();
}

/** Printable ASCII without `"` and `\\` (which JSON escapes). */
const PRINTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

describe("readStagingObject", () => {
  it("reads records from concatenated gzip members and reports bad lines as values", async () => {
    const a = sampleRecord({ message: "first" });
    const b = sampleRecord({ message: "second" });
    const body = Buffer.concat([
      gzipSync(serializeRecord(a) + "\n"),
      gzipSync("not json\n" + JSON.stringify({ v: 2 }) + "\n" + serializeRecord(b).trimEnd()),
    ]);
    const lines = await collect(Readable.from([body]));
    expect(lines.map((l) => l.lineNumber)).toEqual([1, 3, 4, 5]);
    expect(lines[0]).toEqual({ ok: true, record: a, lineNumber: 1, printable: true });
    expect(lines[1]).toMatchObject({ ok: false, text: "not json", error: expect.stringContaining("not JSON") });
    expect(lines[2]).toMatchObject({ ok: false, text: '{"v":2}' });
    expect(lines[3]).toEqual({ ok: true, record: b, lineNumber: 5, printable: true });
  });

  it("marks a line printable only when every string field is printable ASCII", async () => {
    const cases: Array<[string, boolean]> = [
      [serializeRecord(sampleRecord({ message: "plain text" })), true],
      [serializeRecord(sampleRecord({ message: 'say "hi"' })), false],
      [serializeRecord(sampleRecord({ message: "tab\there" })), false],
      [serializeRecord(sampleRecord({ message: "del\x7f" })), false],
      [serializeRecord(sampleRecord({ message: "ascii", hostname: "a\\b" })), false],
      // Valid, but not in the receiver's field order: parsed by JSON.parse, not known printable.
      [JSON.stringify({ ...sampleRecord({ message: "plain text" }), v: undefined, version: undefined }).replace("}", ',"v":1}') + "\n", false],
    ];
    for (const [line, printable] of cases) {
      const lines = await collect(Readable.from([gzipSync(line)]));
      expect(lines, line).toMatchObject([{ ok: true, printable }]);
    }
    // One non-ASCII character in a chunk: its lines are not known printable.
    const mixed = await collect(Readable.from([gzipSync(serializeRecord(sampleRecord({ message: "plain" })) + serializeRecord(sampleRecord({ message: "é" })))]));
    expect(mixed.map((l) => l.ok && l.printable)).toEqual([false, false]);
  });

  it("throws FWD_STAGING_CORRUPT on bytes that are not gzip", async () => {
    await expect(collect(Readable.from([Buffer.from("plain text, not gzip\n")]))).rejects.toMatchObject({
      code: "FWD_STAGING_CORRUPT",
      retryable: false,
    });
  });

  it("rethrows a source stream error as it is", async () => {
    const failing = (async function* () {
      yield gzipSync(serializeRecord(sampleRecord())).subarray(0, 10);
      throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    })();
    await expect(collect(failing)).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("keeps multi-byte characters and lines whole across decompressed chunks (64 KiB each)", async () => {
    // Odd lengths of 2-, 3- and 4-byte characters put chunk ends inside characters and lines.
    const records = Array.from({ length: 60 }, (_, i) => sampleRecord({ message: "é✓😀".repeat(500 + i * 37) + ` #${i}` }));
    const bytes = gzipSync(records.map(serializeRecord).join("") + "\r\n\n" + "not json");
    const lines = await collect(Readable.from([bytes]));
    expect(lines.slice(0, 60)).toEqual(records.map((record, i) => ({ ok: true, record, lineNumber: i + 1, printable: false })));
    expect(lines.slice(60)).toMatchObject([{ ok: false, lineNumber: 63, text: "not json" }]);
  });

  it("yields the same lines however the compressed bytes are split", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: "binary", maxLength: 40 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (messages, cuts) => {
          const records = messages.map((message) => sampleRecord({ message }));
          const bytes = gzipSync(records.map(serializeRecord).join(""));
          const lines = await collect(chunked(bytes, cuts));
          expect(lines.map((l) => (l.ok ? { ok: true, record: l.record, lineNumber: l.lineNumber } : l))).toEqual(records.map((record, i) => ({ ok: true, record, lineNumber: i + 1 })));
          // `printable` is never claimed wrongly, and is found whenever the whole object is ASCII
          // (a non-ASCII chunk marks its lines not printable, so then only soundness holds).
          const allAscii = records.every((r) => /^[\x00-\x7f]*$/.test(serializeRecord(r)));
          lines.forEach((line, i) => {
            const expected = PRINTABLE.test(messages[i]!);
            if (line.ok && line.printable) expect(expected).toBe(true);
            if (line.ok && allAscii) expect(line.printable).toBe(expected);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
