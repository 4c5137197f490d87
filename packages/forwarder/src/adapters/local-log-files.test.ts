import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { serializeRecord } from "@aws-syslog/record";
import { LocalLogFilesWriter } from "./local-log-files.js";
import { LocalStagingObjects } from "./local-staging-objects.js";
import { forwardStagingObject } from "../core/forward-staging-object.js";
import { DEFAULT_ROUTES } from "../core/route.js";
import { sampleRecord } from "../testing/sample-record.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "fwd-local-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("LocalLogFilesWriter", () => {
  it("appends one event per line to <group without leading slash>/<stream>.log", async () => {
    const writer = new LocalLogFilesWriter(join(dir, "cloudwatch"));
    const batch = (messages: string[]) => ({ logGroup: "/var/log/messages", logStream: "web-1", events: messages.map((message) => ({ timestamp: 1, message })), bytes: 0 });
    expect((await writer.putLogEvents(batch(["a", "b\nc"]))).groupsCreated).toBe(1);
    expect((await writer.putLogEvents(batch(["d"]))).groupsCreated).toBe(0);
    expect(await readFile(join(dir, "cloudwatch/var/log/messages/web-1.log"), "utf8")).toBe("a\nb#012c\nd\n");
  });

  it("keeps sender-controlled stream names inside the group directory", async () => {
    const writer = new LocalLogFilesWriter(join(dir, "cw"));
    for (const stream of ["../../escape", "..", "a/b", "%2F"]) {
      await writer.putLogEvents({ logGroup: "/g", logStream: stream, events: [{ timestamp: 1, message: stream }], bytes: 0 });
    }
    expect((await readdir(join(dir, "cw/g"))).sort()).toEqual(["%252F.log", "%2E%2E.log", "..%2F..%2Fescape.log", "a%2Fb.log"]);
    expect(await readdir(dir)).toEqual(["cw"]);
  });
});

describe("local pipeline pieces: staging file → forwardStagingObject → files", () => {
  it("forwards once and skips the object on the next run", async () => {
    await mkdir(join(dir, "staging"));
    const now = new Date().toISOString();
    await writeFile(join(dir, "staging/obj.gz"), gzipSync(serializeRecord(sampleRecord({ timestamp: now, facility: 10, message: "hi" }))));
    const store = new LocalStagingObjects(join(dir, "staging"), join(dir, "forwarded/cloudwatch"));
    const writer = new LocalLogFilesWriter(join(dir, "cloudwatch"));
    const ref = { bucket: "local", key: "obj.gz", etag: null, size: null };
    const options = { routes: DEFAULT_ROUTES, logStreamTemplate: "{hostname}" };
    expect(await forwardStagingObject(ref, store, writer, options)).toMatchObject({ skipped: false, eventsSent: 1 });
    expect(await forwardStagingObject(ref, store, writer, options)).toEqual({ skipped: true });
    expect(await readFile(join(dir, "cloudwatch/var/log/secure/web-1.log"), "utf8")).toMatch(/ web-1 sshd\[123\]: hi\n$/);
    await expect(forwardStagingObject({ ...ref, key: "missing.gz" }, store, writer, options)).rejects.toMatchObject({ code: "FWD_S3_OBJECT_NOT_FOUND" });
    await expect(forwardStagingObject({ ...ref, key: "../outside.gz" }, store, writer, options)).rejects.toMatchObject({ code: "FWD_S3_OBJECT_NOT_FOUND" });
  });
});
