import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalArchiveSink } from "./local-archive.js";
import { ArchivePutError } from "../errors.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "local-archive-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("LocalArchiveSink", () => {
  it("writes a key as a file under the root, creating directories", async () => {
    const sink = new LocalArchiveSink(root);
    await sink.put("route=messages/dt=2024-05-06/hour=07/ab-0000.parquet", new Uint8Array([1, 2, 3]), "application/vnd.apache.parquet");
    const bytes = await readFile(join(root, "route=messages/dt=2024-05-06/hour=07/ab-0000.parquet"));
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it("replaces a file whole on a second put and leaves no temporary file", async () => {
    const sink = new LocalArchiveSink(root);
    await sink.put("errors/ab-0000.ndjson", Buffer.from("first, longer content\n"), "application/x-ndjson");
    await sink.put("errors/ab-0000.ndjson", Buffer.from("second\n"), "application/x-ndjson");
    expect(await readFile(join(root, "errors/ab-0000.ndjson"), "utf8")).toBe("second\n");
    expect(await readdir(join(root, "errors"))).toEqual(["ab-0000.ndjson"]);
  });

  it.each(["../escape.parquet", "a/../../b.parquet", "/etc/x", "a//b", ""])("refuses key %j that would leave the root", async (key) => {
    const sink = new LocalArchiveSink(root);
    await expect(sink.put(key, new Uint8Array(1), "x")).rejects.toMatchObject({ code: "FWD_ARCHIVE_PUT_FAILED", retryable: false });
  });

  it("reports a write failure as a typed error", async () => {
    const sink = new LocalArchiveSink(root);
    await sink.put("a", new Uint8Array(1), "x"); // a file where the next key needs a directory
    const err = await sink.put("a/y.parquet", new Uint8Array(1), "x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchivePutError);
    expect(err).toMatchObject({ code: "FWD_ARCHIVE_PUT_FAILED", retryable: true });
    expect((err as Error).cause).toMatchObject({ code: "EEXIST" });
    expect(await readdir(root)).toEqual(["a"]);
  });
});
