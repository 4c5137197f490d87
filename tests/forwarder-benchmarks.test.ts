import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The forwarder benchmarks behind docs/PERFORMANCE.md still run against the built core and
 * count what they claim to, on small objects. No figure is checked: speed is measured by
 * running them, never asserted in a test. Each run generates its object into a fresh temp dir
 * (the scripts cache objects in the OS temp dir by size).
 */

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "forwarder-bench-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function bench(script: string, args: string[], env: Record<string, string> = {}): Record<string, any> {
  const run = spawnSync(process.execPath, [join(root, "packages/forwarder/bench", script), ...args], {
    cwd: root,
    env: { ...process.env, TMPDIR: scratch, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, any>;
}

describe("forwarder benchmarks", () => {
  it("CloudWatch half: every event of every round reaches the writer, first and warm rounds reported", () => {
    const all = bench("cloudwatch-core.bench.mjs", [], { BENCH_OBJECT_MB: "1", BENCH_ROUNDS: "2" });
    expect(all.records).toBeGreaterThan(5_000);
    expect(all.events).toBeGreaterThan(0);
    expect(all.eventsSent).toBe(all.events); // the bench's writer rejects nothing
    expect(all.batches).toBeGreaterThan(0);
    expect(all.rounds).toHaveLength(2);
    expect(all.first).toEqual(all.rounds[0]);
    expect(all.warm).toEqual(all.rounds[1]);
    expect(all.rounds.map((r: { eventsSent: number }) => r.eventsSent)).toEqual([all.events, all.events]);
    expect(all.first.eventsPerCpuSecond).toBeGreaterThan(0);

    const decode = bench("cloudwatch-core.bench.mjs", [], { BENCH_OBJECT_MB: "1", BENCH_STAGE: "decode" });
    expect(decode.records).toBe(all.records); // same cached object, every line a record
  });

  it("archive: the same rows in every round, Parquet written, decode-only and full runs agree", () => {
    const result = bench("archive.bench.mjs", ["--mb", "1", "--rounds", "2", "--compression", "gzip"]);
    expect(result.stagingObject.records).toBeGreaterThan(1_000);
    expect(result.stagingObject.ndjsonBytes).toBeGreaterThanOrEqual(1024 * 1024);
    for (const run of [result.archive, result.decodeOnly]) {
      expect([run.first.records, run.warm.records]).toEqual([result.stagingObject.records, result.stagingObject.records]);
      expect(run.first.rowsPerCpuSecond).toBeGreaterThan(0);
      expect(run.warm.rowsPerCpuSecond).toBeGreaterThan(0);
    }
    expect(result.archive.parquetObjects).toBeGreaterThan(0);
    expect(result.archive.parquetBytes).toBeGreaterThan(0);
    expect(result.archive.earlyCloses).toBe(0);
  });
});
