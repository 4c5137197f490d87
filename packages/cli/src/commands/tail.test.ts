import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo, type FakeIo } from "../testing/fake-io.js";

let cwd: string;
const group = (g: string) => join(cwd, ".data/cloudwatch", g);
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-tail-"));
  await mkdir(group("var/log/messages"), { recursive: true });
  await writeFile(join(group("var/log/messages"), "web01.log"), "Nov 23 10:00:01 web01 app: w1\nNov 23 10:00:02 web01 app: w2\nNov 23 10:00:03 web01 app: w3\n");
  await writeFile(join(group("var/log/messages"), "db01.log"), "Nov 23 10:00:01 db01 pg: d1\nNov 23 10:00:02 db01 pg: d2\n");
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; io: FakeIo }> {
  const io = fakeIo({ cwd });
  return { code: await main(["tail", ...argv], io), io };
}

describe("tail, local", () => {
  it("prints the last lines of each stream, stream name first", async () => {
    const { code, io } = await cli(["/var/log/messages", "--lines", "2"]);
    expect([code, io.err()]).toEqual([0, ""]);
    expect(io.out()).toBe("db01 Nov 23 10:00:01 db01 pg: d1\ndb01 Nov 23 10:00:02 db01 pg: d2\nweb01 Nov 23 10:00:02 web01 app: w2\nweb01 Nov 23 10:00:03 web01 app: w3\n");
  });

  it("selects streams by prefix and lines by text, and writes JSON", async () => {
    const { code, io } = await cli(["/var/log/messages", "--stream", "web", "--filter", "w1", "--json"]);
    expect(code).toBe(0);
    expect(io.out().trim().split("\n").map((l) => JSON.parse(l))).toEqual([{ logGroup: "/var/log/messages", logStream: "web01", message: "Nov 23 10:00:01 web01 app: w1" }]);
  });

  it("follows until --count events were printed, each once", async () => {
    const running = cli(["/var/log/messages", "--stream", "web", "--lines", "100", "-f", "--count", "6", "--timeout", "20s"]);
    // Whether these land before or after the first read, each line is printed exactly once.
    await appendFile(join(group("var/log/messages"), "web01.log"), "Nov 23 10:00:04 web01 app: w4\nNov 23 10:00:05 web");
    await writeFile(join(group("var/log/messages"), "web02.log"), "Nov 23 10:00:06 web02 app: x1\n");
    await appendFile(join(group("var/log/messages"), "web01.log"), "01 app: w5\n");
    const { code, io } = await running;
    expect([code, io.err()]).toEqual([0, ""]);
    expect(io.out().trim().split("\n").map((l) => l.split(": ")[1]).sort()).toEqual(["w1", "w2", "w3", "w4", "w5", "x1"]);
  });

  it("exits 1 (CLI_TAIL_TIMEOUT) when --count is not reached within --timeout", async () => {
    const { code, io } = await cli(["/var/log/messages", "--lines", "0", "-f", "--count", "1", "--timeout", "300ms"]);
    expect([code, io.out(), io.err()]).toEqual([1, "", "error: saw 0 of 1 events in /var/log/messages within 300ms [CLI_TAIL_TIMEOUT]\n"]);
  });

  it("waits for a group that does not exist yet when following, and fails at once when not", async () => {
    const followed = await cli(["/var/log/secure", "-f", "--timeout", "300ms"]);
    expect(followed.code).toBe(0);
    expect(followed.io.err()).toMatch(/^warning: no log group \/var\/log\/secure: .* does not exist \(nothing routed to it yet\?\); waiting for it\n$/);
    const once = await cli(["/var/log/secure"]);
    expect(once.code).toBe(1);
    expect(once.io.err()).toContain("[CLI_LOG_GROUP_NOT_FOUND]");
  });

  it.each([
    [[], /give one log group, e\.g\. pnpm cli tail \/var\/log\/messages\. Local log groups: \/var\/log\/messages/],
    [["/var/log/messages", "--lines", "ten"], /--lines must be a whole number from 0/],
    [["/var/log/messages", "--timeout", "5s"], /--timeout and --count apply only with --follow/],
    [["/var/log/messages", "-f", "--timeout", "soon"], /--timeout must be a duration such as 30s/],
    [["/var/log/messages", "--since", "1h"], /--since applies only with --cloudwatch/],
  ])("exits 2 on %j", async (args, message) => {
    const { code, io } = await cli(args);
    expect(code).toBe(2);
    expect(io.err()).toMatch(message);
  });
});
