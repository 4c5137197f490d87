import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo, type FakeIo } from "../testing/fake-io.js";
import { quotedTerm } from "./cloudwatch-tail.js";
import { startFakeFilterLogEvents, type FakeFilterLogEvents } from "./testing/fake-filter-log-events.js";

/**
 * `tail --cloudwatch` as a user runs it, against a FilterLogEvents endpoint on loopback reached
 * through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS (placeholder credentials, no other network).
 */
let cwd: string;
let logs: FakeFilterLogEvents;
const now = new Date("2026-11-23T12:00:00.000Z");
const at = (minutesAgo: number) => now.getTime() - minutesAgo * 60_000;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-tail-cw-"));
  logs = await startFakeFilterLogEvents({ pageSize: 2 });
  logs.add("/var/log/secure", "web01", at(90), "too old");
  logs.add("/var/log/secure", "web01", at(50), "w1 sshd: Accepted publickey");
  logs.add("/var/log/secure", "web01", at(10), "w2 sudo: session opened");
  logs.add("/var/log/secure", "db01", at(30), "d1 sshd: Failed password");
  logs.add("/var/log/secure", "db01", at(5), "d2 sshd: Accepted password");
});
afterEach(async () => {
  await logs.close();
  await rm(cwd, { recursive: true, force: true });
});

async function cli(argv: string[], clock = now): Promise<{ code: number; io: FakeIo }> {
  const io = fakeIo({
    cwd,
    now: clock,
    env: { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.endpoint, AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "test-secret" },
  });
  return { code: await main(["tail", ...argv], io), io };
}

describe("tail --cloudwatch", () => {
  it("prints the last events since --since in time order across streams and pages", async () => {
    const { code, io } = await cli(["/var/log/secure", "--cloudwatch", "--lines", "3"]);
    expect([code, io.err()]).toEqual([0, ""]);
    expect(io.out()).toBe([
      "2026-11-23T11:30:00.000Z db01 d1 sshd: Failed password",
      "2026-11-23T11:50:00.000Z web01 w2 sudo: session opened",
      "2026-11-23T11:55:00.000Z db01 d2 sshd: Accepted password",
      "",
    ].join("\n"));
    expect(logs.calls.length).toBe(2); // 4 events in the last hour, 2 per page
    expect(logs.calls[0]).toMatchObject({ logGroupName: "/var/log/secure", startTime: at(60) });
  });

  it("passes --stream as a prefix and --filter as a quoted term, and writes JSON with timestamps", async () => {
    const { code, io } = await cli(["/var/log/secure", "--cloudwatch", "--since", "2h", "--stream", "web", "--filter", "sshd", "--json"]);
    expect(code).toBe(0);
    expect(logs.calls[0]).toMatchObject({ logStreamNamePrefix: "web", filterPattern: '"sshd"', startTime: at(120) });
    expect(io.out().trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      { logGroup: "/var/log/secure", logStream: "web01", message: "w1 sshd: Accepted publickey", timestamp: at(50) },
    ]);
    expect(quotedTerm('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it("follows: new events once each, although every poll looks back over events already shown", async () => {
    logs.onCall = (n) => {
      if (n === 3) logs.add("/var/log/secure", "web01", at(1), "w3 new");
      // Ingested after w3 but stamped 20 s before it: inside the look-back, so not missed.
      if (n === 5) logs.add("/var/log/secure", "db01", at(1) - 20_000, "d3 late arrival, older than w3");
    };
    const { code, io } = await cli(["/var/log/secure", "--cloudwatch", "--lines", "2", "-f", "--count", "4", "--timeout", "60s"]);
    expect([code, io.err()]).toEqual([0, ""]);
    expect(io.out().trim().split("\n").map((l) => l.split(" ")[2])).toEqual(["w2", "d2", "w3", "d3"]);
  });

  it("CLI_LOG_GROUP_NOT_FOUND for a group CloudWatch does not have", async () => {
    const { code, io } = await cli(["/var/log/nope", "--cloudwatch"]);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/^error: no log group \/var\/log\/nope in CloudWatch Logs \(The specified log group does not exist\.\); check the name and the region \[CLI_LOG_GROUP_NOT_FOUND\]\n$/);
  });

  it("CLI_AWS_FAILED when access is denied", async () => {
    logs.failNext("AccessDeniedException", "User is not authorized to perform: logs:FilterLogEvents");
    const { code, io } = await cli(["/var/log/secure", "--cloudwatch"]);
    expect(code).toBe(1);
    expect(io.err()).toBe("error: CloudWatch Logs refused logs:FilterLogEvents on /var/log/secure: User is not authorized to perform: logs:FilterLogEvents [CLI_AWS_FAILED]\n");
  });
});

describe("tail --cloudwatch --follow --live", () => {
  const starts = () => logs.calls.filter((c) => "logGroupIdentifiers" in c);

  it("opens a Live Tail session on the group's ARN, prints the last lines, then what the session pushes, each once", async () => {
    let historyRead = false;
    logs.onCall = (_n, target) => {
      // Arrives after the session opened and before the history is read: in both, printed once.
      if (target === "Logs_20140328.StartLiveTail") logs.add("/var/log/secure", "web01", at(2), "w3 between");
      if (target === "Logs_20140328.FilterLogEvents" && !historyRead) {
        historyRead = true; // the history takes several pages (calls)
        setTimeout(() => logs.add("/var/log/secure", "db01", at(1), "d3 live"), 100);
        setTimeout(() => logs.add("/var/log/secure", "web01", at(0), "w4 live"), 200);
      }
    };
    const { code, io } = await cli(["/var/log/secure", "--cloudwatch", "--lines", "2", "-f", "--live", "--count", "4", "--timeout", "30s"]);
    expect([code, io.err()]).toEqual([0, ""]);
    expect(io.out().trim().split("\n").map((l) => l.split(" ")[2])).toEqual(["d2", "w3", "d3", "w4"]);
    expect(starts()).toEqual([{ logGroupIdentifiers: ["arn:aws:logs:eu-west-1:000000000000:log-group:/var/log/secure"] }]);
  });

  it("passes --stream and --filter to the session, and prints only what it selects", async () => {
    logs.onCall = (_n, target) => {
      if (target !== "Logs_20140328.StartLiveTail") return;
      setTimeout(() => {
        logs.add("/var/log/secure", "db01", at(0), "d9 sshd: not this stream");
        logs.add("/var/log/secure", "web02", at(0), "w9 cron: not this text");
        logs.add("/var/log/secure", "web02", at(0), "w9 sshd: this one");
      }, 100);
    };
    const { code, io } = await cli(["/var/log/secure", "--cloudwatch", "--lines", "0", "-f", "--live", "--stream", "web", "--filter", "sshd", "--count", "1", "--timeout", "30s", "--json"]);
    expect([code, io.err()]).toEqual([0, ""]);
    expect(JSON.parse(io.out())).toEqual({ logGroup: "/var/log/secure", logStream: "web02", message: "w9 sshd: this one", timestamp: at(0) });
    expect(starts()[0]).toEqual({ logGroupIdentifiers: [expect.stringMatching(/:log-group:\/var\/log\/secure$/)], logStreamNamePrefixes: ["web"], logEventFilterPattern: '"sshd"' });
  });

  it("starts a new session when one times out, and warns once that the service samples", async () => {
    logs.liveSessionMs = 150;
    logs.liveSampled = true;
    logs.onCall = (_n, target) => {
      if (target === "Logs_20140328.StartLiveTail" && starts().length === 2) setTimeout(() => logs.add("/var/log/secure", "web01", at(0), "w5 after restart"), 100);
    };
    const { code, io } = await cli(["/var/log/secure", "--cloudwatch", "--lines", "0", "-f", "--live", "--count", "1", "--timeout", "30s"]);
    expect(code).toBe(0);
    expect(io.out()).toMatch(/ web01 w5 after restart\n$/);
    expect(io.err()).toBe("warning: Live Tail is sending a sample: more than 500 events a second match (narrow it with --stream or --filter)\n");
    expect(starts().length).toBeGreaterThanOrEqual(2);
  });

  it("exits 1 when the session is refused or the group does not exist", async () => {
    logs.failLiveWith = "AccessDeniedException";
    const denied = await cli(["/var/log/secure", "--cloudwatch", "-f", "--live", "--timeout", "30s"]);
    expect([denied.code, denied.io.err()]).toEqual([1, "error: CloudWatch Logs refused logs:StartLiveTail on /var/log/secure: injected live tail failure [CLI_AWS_FAILED]\n"]);
    const missing = await cli(["/var/log/nope", "--cloudwatch", "-f", "--live", "--timeout", "30s"]);
    expect([missing.code, missing.io.err()]).toEqual([1, "error: no log group /var/log/nope in CloudWatch Logs; check the name and the region [CLI_LOG_GROUP_NOT_FOUND]\n"]);
  });

  it("exits 2 when --live is given without --cloudwatch and --follow", async () => {
    for (const args of [["/var/log/secure", "--cloudwatch", "--live"], ["/var/log/secure", "-f", "--live"]]) {
      const { code, io } = await cli(args);
      expect([code, io.err()]).toEqual([2, "error: tail: --live applies only with --cloudwatch and --follow [CLI_USAGE]\n"]);
    }
  });
});
