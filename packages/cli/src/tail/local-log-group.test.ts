import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalLogFilesWriter } from "@aws-syslog/forwarder";
import { decodeStreamFile, listLocalGroups, listLocalStreams, LocalGroupFollower, localGroupDir } from "./local-log-group.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "aws-syslog-cli-local-group-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("local log groups", () => {
  it("finds the files the forwarder's local writer writes, and decodes stream names", async () => {
    const writer = new LocalLogFilesWriter(root);
    const batch = (logGroup: string, logStream: string) => ({ logGroup, logStream, events: [{ timestamp: 0, message: "m" }], bytes: 27 });
    await writer.putLogEvents(batch("/var/log/messages", "web01"));
    await writer.putLogEvents(batch("/var/log/messages", "odd/name%"));
    await writer.putLogEvents(batch("/aws-syslog/onegate", "gw"));
    expect(localGroupDir(root, "/var/log/messages")).toBe(join(root, "var/log/messages"));
    expect((await listLocalStreams(localGroupDir(root, "/var/log/messages"), "/var/log/messages")).map((s) => s.name)).toEqual(["odd/name%", "web01"]);
    expect(await listLocalGroups(root)).toEqual(["/aws-syslog/onegate", "/var/log/messages"]);
    expect(decodeStreamFile("a%2Fb%25.log")).toBe("a/b%");
  });

  it("a missing group is CLI_LOG_GROUP_NOT_FOUND", async () => {
    await expect(listLocalStreams(join(root, "nope"), "/nope")).rejects.toMatchObject({ code: "CLI_LOG_GROUP_NOT_FOUND" });
  });
});

describe("LocalGroupFollower", () => {
  it("returns complete new lines once, new streams from their start, and rereads a truncated file", async () => {
    const dir = join(root, "g");
    await mkdir(dir);
    await writeFile(join(dir, "a.log"), "old\n");
    const follower = new LocalGroupFollower(dir, "/g", () => true);
    follower.startAt(join(dir, "a.log"), 4);
    expect(await follower.poll()).toEqual([]);
    await appendFile(join(dir, "a.log"), "one\ntw");
    await writeFile(join(dir, "b.log"), "first\n");
    expect((await follower.poll()).map((e) => `${e.logStream}:${e.message}`)).toEqual(["a:one", "b:first"]);
    await appendFile(join(dir, "a.log"), "o\n");
    expect((await follower.poll()).map((e) => e.message)).toEqual(["two"]);
    expect(await follower.poll()).toEqual([]);
    await writeFile(join(dir, "a.log"), "new\n"); // replaced by a shorter file
    expect((await follower.poll()).map((e) => e.message)).toEqual(["new"]);
  });

  it("keeps a UTF-8 character split between two polls whole", async () => {
    const dir = join(root, "u");
    await mkdir(dir);
    const bytes = Buffer.from("é\n");
    await writeFile(join(dir, "s.log"), bytes.subarray(0, 1));
    const follower = new LocalGroupFollower(dir, "/u", () => true);
    expect(await follower.poll()).toEqual([]);
    await appendFile(join(dir, "s.log"), bytes.subarray(1));
    expect((await follower.poll()).map((e) => e.message)).toEqual(["é"]);
  });

  it("skips streams the filter excludes", async () => {
    const dir = join(root, "f");
    await mkdir(dir);
    await writeFile(join(dir, "web01.log"), "w\n");
    await writeFile(join(dir, "db01.log"), "d\n");
    const follower = new LocalGroupFollower(dir, "/f", (name) => name.startsWith("web"));
    expect((await follower.poll()).map((e) => e.logStream)).toEqual(["web01"]);
  });
});
