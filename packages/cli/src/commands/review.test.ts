import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo, type FakeIo } from "../testing/fake-io.js";
import { REVIEW_NOW, writeReviewArchive } from "../review/testing/review-archive.js";
import { startFakeAthena } from "../testing/fake-athena.js";

/**
 * `review` over a real Parquet archive written by the forwarder's archive writer from a week of
 * sample records (review/testing/review-archive.ts), run as a user runs it (main + argv).
 */
let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-review-"));
  await writeReviewArchive(join(cwd, ".data", "archive"));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; io: FakeIo }> {
  const io = fakeIo({ cwd, now: REVIEW_NOW });
  return { code: await main(["review", ...argv], io), io };
}

type Json = { since: string; until: string; sections: { id: string; truncated: boolean; rows: Record<string, unknown>[] }[] };
async function review(argv: string[] = []): Promise<Record<string, Record<string, unknown>[]>> {
  const { code, io } = await cli([...argv, "--format", "json"]);
  expect([code, io.err()]).toEqual([0, ""]);
  const report = JSON.parse(io.out()) as Json;
  return Object.fromEntries(report.sections.map((s) => [s.id, s.rows]));
}

describe("review over the local archive", () => {
  it("finds each kind of event of the last 7 days, and nothing outside the period", async () => {
    const r = await review();
    expect(r["auth_failures"]).toEqual([
      { host: "web-1", user_name: "root", remote: "203.0.113.5", failures: 3, first_seen: "2026-11-18T01:00:00Z", last_seen: "2026-11-18T01:14:00Z" },
      { host: "web-1", user_name: "admin", remote: "203.0.113.9", failures: 2, first_seen: "2026-11-18T02:00:00Z", last_seen: "2026-11-18T02:00:01Z" },
      { host: "web-1", user_name: "alice", remote: "198.51.100.20", failures: 2, first_seen: "2026-11-19T03:00:00Z", last_seen: "2026-11-19T03:07:00Z" },
    ]);
    expect(r["privilege_use"]!.map((p) => [p["host"], p["program"], p["user_name"], p["run_as"], p["command"], p["uses"], p["failures"]])).toEqual([
      ["web-1", "sudo", "alice", "root", "/usr/bin/systemctl restart nginx", 2, 0],
      ["db-1", "su", "carol", "root", null, 1, 0],
      ["db-1", "su", "dave", "root", null, 1, 1],
      ["web-1", "sudo", "bob", "root", "/bin/bash", 1, 1],
    ]);
    expect(r["onegate_failures"]!.map((o) => [o["user_name"], o["client_ip"], o["failures"]])).toEqual([
      ["u1", "192.0.2.10", 3], ["<b>eve|x</b>", "192.0.2.12", 1], ["u2", "192.0.2.11", 1],
    ]);
    expect(r["new_hosts"]!.map((h) => [h["host"], h["first_seen"], h["messages"]])).toEqual([
      ["new-1", "2026-11-20T00:00:00Z", 4], ["onegate", "2026-11-21T12:00:00Z", 10], ["10.0.0.99", "2026-11-23T11:00:00Z", 1],
    ]);
    // Silent: nothing in the last 24 h before the end of the period.
    expect(r["silent_hosts"]!.map((h) => h["host"])).toEqual(["old-1", "new-1", "onegate", "db-1"]);
    expect(r["volume"]!.map((v) => [v["host"], v["messages"], v["errors"]])).toEqual([
      ["web-1", 14, 1], ["onegate", 10, 0], ["new-1", 4, 0], ["db-1", 3, 1], ["10.0.0.99", 1, 0],
    ]);
  });

  it("takes the period, baseline and silence threshold from the command line", async () => {
    const r = await review(["--since", "2026-11-20", "--until", "2026-11-21T10:00:00Z", "--silent-after", "1h", "--baseline", "1d"]);
    expect(r["auth_failures"]).toEqual([]);
    expect(r["privilege_use"]!.map((p) => p["user_name"])).toEqual(["alice", "carol", "dave", "bob"]);
    // A 1-day baseline no longer reaches back to db-1's November 2 messages, so db-1 is new; web-1 spoke on the 19th.
    expect(r["new_hosts"]!.map((h) => h["host"])).toEqual(["new-1", "db-1"]);
    expect(r["silent_hosts"]!.map((h) => h["host"])).toEqual(["new-1", "web-1"]);
  });

  it("reads OneGate's fields under other names when told to", async () => {
    const r = await review(["--onegate-fields", "user=ip,ip=user", "--onegate-failure", "login failed"]);
    expect(r["onegate_failures"]!.map((o) => [o["user_name"], o["client_ip"], o["failures"]])).toEqual([["192.0.2.11", "u2", 1]]);
  });

  it("writes Markdown with text tables, escaping what would break a table", async () => {
    const { code, io } = await cli([]);
    expect(code).toBe(0);
    const md = io.out();
    expect(md).toMatch(/^# Log review: 2026-11-16T12:00:00Z to 2026-11-23T12:00:00Z\n/);
    expect(md).toContain("| Authentication failures | 3 |\n");
    expect(md).toContain("| web-1 | root | 203.0.113.5 | 3 | 2026-11-18T01:00:00Z | 2026-11-18T01:14:00Z |\n");
    expect(md).toContain("| <b>eve\\|x</b> | 192.0.2.12 | 1 |");
    expect(md).toContain("a host is silent when it sent nothing in the last 24 hours");
    expect(md).toContain("These names are assumptions");
  });

  it("writes one self-contained HTML file with inline SVG bar charts, escaped", async () => {
    const out = join(cwd, "review.html");
    const { code, io } = await cli(["--format", "html", "--out", out]);
    expect([code, io.out(), io.err()]).toEqual([0, "", ""]);
    const html = await readFile(out, "utf8");
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html.match(/<svg /g)).toHaveLength(3); // auth failures, OneGate failures, volume
    expect(html).toContain('<title>web-1: 14</title>');
    expect(html).toContain("&lt;b&gt;eve|x&lt;/b&gt;");
    expect(html).not.toContain("<b>eve");
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, "")).not.toContain("http");

    const again = await cli(["--format", "html", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.io.err()).toBe(`error: ${out} exists already (pass --force to replace it) [CLI_FILE_EXISTS]\n`);
    await writeFile(out, "old");
    expect((await cli(["--out", out, "--force"])).code).toBe(0);
    expect(await readFile(out, "utf8")).toMatch(/^# Log review/);
  });

  it("fails with CLI_FILE_NOT_FOUND when there is no archive", async () => {
    const { code, io } = await cli(["--data-dir", "nowhere"]);
    expect(code).toBe(1);
    expect(io.err()).toBe(`error: no archive at ${join(cwd, "nowhere", "archive")}: nothing to review (pass --data-dir, or --athena for the deployed archive) [CLI_FILE_NOT_FOUND]\n`);
  });

  it.each([
    [["--since", "last week"], /--since must be a duration back from now/],
    [["--since", "2026-11-20T10:00:00"], /has no time zone/],
    [["--since", "1d", "--until", "2d"], /--since must be before --until/],
    [["--format", "pdf"], /--format must be md, html or json/],
    [["--onegate-fields", "user=a'b"], /is not a JSON field name/],
    [["--onegate-fields", "name=x"], /--onegate-fields takes user=NAME/],
    [["--onegate-failure", "%"], /--onegate-failure may hold/],
    [["--workgroup", "w"], /--workgroup applies only with --athena/],
    [["--force"], /--force applies only with --out/],
    [["extra"], /unexpected argument "extra"/],
  ])("exits 2 on %j", async (args, message) => {
    const { code, io } = await cli(args);
    expect([code, io.out()]).toEqual([2, ""]);
    expect(io.err()).toMatch(message);
    expect(io.err()).toContain("[CLI_USAGE]");
  });
});

describe("review --athena on a terminal", () => {
  it("shows which section's query runs, with its state, and leaves stdout to the report", async () => {
    const athena = await startFakeAthena({ archiveDir: join(cwd, ".data", "archive"), workgroups: ["wg"] });
    try {
      const io = fakeIo({ cwd, now: REVIEW_NOW, tty: true, env: { AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_ATHENA: athena.endpoint, AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "test-secret" } });
      expect(await main(["review", "--athena", "--workgroup", "wg", "--database", "db"], io)).toBe(0);
      const updates = io.err().split("\r\u001b[2K").filter((u) => u !== "").map((u) => u.replace(/\u001b\[\d+m/g, ""));
      expect(updates[0]).toMatch(/^review 1\/6 Authentication failures: QUEUED {2}1\.0 KiB scanned {2}\d+\.\d s$/);
      expect(updates.at(-1)).toMatch(/^review 6\/6 Volume per host: SUCCEEDED {2}\d+\.\d KiB scanned/);
      expect(io.out()).toMatch(/^# Log review: .*\n\nGenerated 2026-11-23T12:00:00Z from Athena \(workgroup wg, database db\), 18\.0 KiB scanned\./);
    } finally {
      await athena.close();
    }
  });
});
