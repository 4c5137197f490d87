import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo } from "../testing/fake-io.js";
import { startFakeAthena, type FakeAthena } from "../testing/fake-athena.js";
import { formatBytes } from "../query/progress-line.js";
import { parseTimeBound } from "../query/time-bound.js";

/** The progress line of query --athena: on a terminal only, rewritten in place, then cleared. */
let cwd: string;
let athena: FakeAthena;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-query-"));
  athena = await startFakeAthena({
    answer: () => ({ states: ["QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"], columns: [{ name: "n", type: "bigint" }], rows: [["42"]] }),
  });
});
afterAll(async () => {
  await athena.close();
  await rm(cwd, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({
  AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_ATHENA: athena.endpoint, AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "test-secret", ...extra,
});

describe("query --athena progress", () => {
  it("shows state, bytes scanned and time on a terminal, in place, and clears the line at the end", async () => {
    const io = fakeIo({ cwd, tty: true, env: env() });
    expect(await main(["query", "--athena", "select 42 as n"], io)).toBe(0);
    const err = io.err();
    const updates = err.split("\r\u001b[2K").filter((s) => s !== "");
    expect(updates.slice(0, 4).map((u) => /: (\w+) /.exec(u)?.[1])).toEqual(["QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"]);
    expect(updates[1]).toMatch(/^\u001b\[2mAthena \S+: RUNNING {2}2\.0 KiB scanned {2}\d+\.\d s\u001b\[22m$/);
    expect(updates.at(-1)).toMatch(/^Athena query \S+: 4\.0 KiB scanned in 0\.4 s\n$/);
    expect(io.out()).toBe("n\n--\n42\n(1 row)\n");
  });

  it("prints no progress line when NO_COLOR is set or stdout is not a terminal", async () => {
    for (const io of [fakeIo({ cwd, tty: true, env: env({ NO_COLOR: "1" }) }), fakeIo({ cwd, env: env() })]) {
      expect(await main(["query", "--athena", "select 42 as n"], io)).toBe(0);
      expect(io.err()).toMatch(/^Athena query \S+: 4\.0 KiB scanned in 0\.4 s\n$/);
    }
  });
});

describe("time bounds and sizes", () => {
  const now = new Date("2026-11-23T12:00:00.000Z");
  it("reads durations back from now, dates as UTC midnight, and times with their offset", () => {
    expect(parseTimeBound("--since", "36h", now)).toBe(Date.parse("2026-11-22T00:00:00Z"));
    expect(parseTimeBound("--since", "2026-11-16", now)).toBe(Date.parse("2026-11-16T00:00:00Z"));
    expect(parseTimeBound("--since", "2026-11-16T09:00:00+09:00", now)).toBe(Date.parse("2026-11-16T00:00:00Z"));
    expect(() => parseTimeBound("--since", "2026-13-45", now)).toThrow(/not a valid date/);
  });
  it("formats bytes in binary units", () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(["0 B", "1023 B", "1.5 KiB", "5.0 GiB"]);
  });
});
