import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli } from "../client-config/testing/built-cli.js";
import { startFakeFilterLogEvents, type FakeFilterLogEvents } from "../tail/testing/fake-filter-log-events.js";

/** tail --live as a user runs it: the built CLI, piped, against a Live Tail endpoint on loopback.
 * The process must end on --count (its session closed), not hang on the open stream. */
let cwd: string;
let logs: FakeFilterLogEvents;
beforeAll(async () => {
  ensureBuilt(["tail"]);
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-tail-spawn-"));
  logs = await startFakeFilterLogEvents();
  logs.add("/var/log/secure", "web01", Date.now() - 60_000, "w1 history");
}, 180_000);
afterAll(async () => {
  await logs.close();
  await rm(cwd, { recursive: true, force: true });
});

describe("tail --cloudwatch --follow --live (built CLI)", () => {
  it("prints history and pushed events, then exits 0 at --count", async () => {
    logs.onCall = (_n, target) => {
      if (target === "Logs_20140328.StartLiveTail") setTimeout(() => logs.add("/var/log/secure", "web02", Date.now(), "w2 pushed"), 300);
    };
    const r = await runCli(cwd, ["tail", "/var/log/secure", "--cloudwatch", "-f", "--live", "--count", "2", "--timeout", "30s"], {
      AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.endpoint, AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "test-secret",
      AWS_SESSION_TOKEN: "", AWS_PROFILE: "", AWS_EC2_METADATA_DISABLED: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(/^\S+Z web01 w1 history\n\S+Z web02 w2 pushed\n$/);
  });
});
