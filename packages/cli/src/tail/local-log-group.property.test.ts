import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastLines } from "./local-log-group.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "aws-syslog-cli-lastlines-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What lastLines must return, computed the obvious way on the whole text. */
function expected(text: string, n: number, accept: (l: string) => boolean): { lines: string[]; offset: number } {
  const end = text.lastIndexOf("\n") + 1;
  const complete = end === 0 ? [] : text.slice(0, end - 1).split("\n");
  return { lines: complete.filter(accept).slice(n === 0 ? complete.length : -n), offset: Buffer.byteLength(text.slice(0, end)) };
}

describe("lastLines", () => {
  it("equals the whole-file answer for any content, block size and count (reading backwards is invisible)", async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constantFrom("\n", "a", "bc", "é", "ok", "x\n"), fc.string({ maxLength: 6 })), { maxLength: 40 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        async (pieces, n, blockBytes, filtered) => {
          const text = pieces.join("");
          const path = join(dir, `f${i++}.log`);
          await writeFile(path, text);
          const accept = filtered ? (l: string) => l.includes("a") || l.includes("é") : () => true;
          const got = await lastLines(path, n, accept, blockBytes);
          // A UTF-8 character cut by a block edge is put back together before decoding.
          expect(got).toEqual(expected(text, n, accept));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("leaves a line still being written (no LF yet) to the follower", async () => {
    const path = join(dir, "partial.log");
    await writeFile(path, "one\ntwo\nthr");
    expect(await lastLines(path, 5)).toEqual({ lines: ["one", "two"], offset: 8 });
  });
});
