import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, runCli } from "../client-config/testing/built-cli.js";
import { startFakeAthena, type CannedAnswer, type FakeAthena } from "../testing/fake-athena.js";
import { startFakeInsights, type FakeInsights } from "../testing/fake-insights.js";
import { REVIEW_NOW, writeReviewArchive } from "../review/testing/review-archive.js";

/**
 * query --athena, query --insights and review --athena as a user runs them: the built CLI in a
 * child process, piped (so no progress line and no colour), against Athena and Logs Insights
 * fakes on 127.0.0.1 reached through AWS_ENDPOINT_URL_ATHENA / AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.
 */
const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
let cwd: string;
let archiveDir: string;
beforeAll(async () => {
  ensureBuilt(["query", "review"]);
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-query-spawn-"));
  archiveDir = join(cwd, ".data", "archive");
  await writeReviewArchive(archiveDir);
}, 180_000);
afterAll(() => rm(cwd, { recursive: true, force: true }));

let athena: FakeAthena | undefined;
let insights: FakeInsights | undefined;
afterEach(async () => {
  await athena?.close();
  await insights?.close();
  athena = insights = undefined;
});

function awsEnv(keyId = KEY_ID): NodeJS.ProcessEnv {
  return {
    AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: "test-secret", AWS_SESSION_TOKEN: "", AWS_PROFILE: "",
    AWS_EC2_METADATA_DISABLED: "true", SYSLOG_ATHENA_WORKGROUP: "", SYSLOG_ATHENA_DATABASE: "",
    // The SDK's notice that its 2027 releases will need Node 22 (the project runs on Node 20).
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...(athena ? { AWS_ENDPOINT_URL_ATHENA: athena.endpoint } : {}),
    ...(insights ? { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: insights.endpoint } : {}),
  };
}

const HOSTS: CannedAnswer = {
  columns: [{ name: "hostname", type: "varchar" }, { name: "messages", type: "bigint" }, { name: "last", type: "timestamp" }],
  rows: [["web-1", "14", "2026-11-23 11:30:00.000"], ["db,1", "3", null], ["n-3", "1", "2026-11-20 00:00:00.000"], ["n-4", "1", null], ["n-5", "9007199254740993", null]],
};

describe("query --athena", () => {
  it("starts the query in the workgroup and database, waits through QUEUED and RUNNING, and prints every page", async () => {
    athena = await startFakeAthena({ workgroups: ["app-prod-syslog"], accessKeyIds: [KEY_ID], pageSize: 2, answer: () => HOSTS });
    const sql = "select hostname, count(*) as messages from logs where dt = '2026-11-23' group by 1";
    const r = await runCli(cwd, ["query", "--athena", "--workgroup", "app-prod-syslog", "--database", "app_prod_syslog", sql], awsEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      "hostname  messages          last",
      "--------  ----------------  -----------------------",
      "web-1     14                2026-11-23 11:30:00.000",
      "db,1      3",
      "n-3       1                 2026-11-20 00:00:00.000",
      "n-4       1",
      "n-5       9007199254740993",
      "(5 rows)",
      "",
    ].join("\n"));
    expect(r.stderr).toMatch(/^Athena query 00000000-0000-4000-8000-000000000001: 3\.0 KiB scanned in 0\.3 s\n$/);
    const ops = athena.calls.map((c) => c.op);
    expect(ops).toEqual(["StartQueryExecution", "GetQueryExecution", "GetQueryExecution", "GetQueryExecution", "GetQueryResults", "GetQueryResults", "GetQueryResults"]);
    expect(athena.calls[0]!.input).toEqual({ QueryString: sql, WorkGroup: "app-prod-syslog", QueryExecutionContext: { Database: "app_prod_syslog" }, ClientRequestToken: expect.any(String) });
    expect(athena.calls[5]!.input).toMatchObject({ NextToken: "2" });
  });

  it("writes CSV and JSON (numbers as numbers, a bigint beyond 2^53 as a string), defaults from the environment", async () => {
    athena = await startFakeAthena({ workgroups: ["wg-env"], answer: () => HOSTS });
    const env = { ...awsEnv(), SYSLOG_ATHENA_WORKGROUP: "wg-env", SYSLOG_ATHENA_DATABASE: "db_env" };
    const csv = await runCli(cwd, ["query", "--athena", "--csv", "select 1"], env);
    expect([csv.code, csv.stderr]).toEqual([0, ""]);
    expect(csv.stdout.split("\r\n").slice(0, 3)).toEqual(["hostname,messages,last", "web-1,14,2026-11-23 11:30:00.000", '"db,1",3,']);
    const json = await runCli(cwd, ["query", "--athena", "--format", "json", "select 1"], env);
    expect(json.stdout.trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      { hostname: "web-1", messages: 14, last: "2026-11-23 11:30:00.000" }, { hostname: "db,1", messages: 3, last: null },
      { hostname: "n-3", messages: 1, last: "2026-11-20 00:00:00.000" }, { hostname: "n-4", messages: 1, last: null },
      { hostname: "n-5", messages: "9007199254740993", last: null },
    ]);
    expect(athena.calls[0]!.input).toMatchObject({ WorkGroup: "wg-env", QueryExecutionContext: { Database: "db_env" } });
  });

  it("exits 1 with Athena's StateChangeReason when the query FAILED", async () => {
    athena = await startFakeAthena({
      answer: () => ({ states: ["QUEUED", "RUNNING", "FAILED"], reason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved" }),
    });
    const r = await runCli(cwd, ["query", "--athena", "select nope from logs"], awsEnv());
    expect([r.code, r.stdout]).toEqual([1, ""]);
    expect(r.stderr).toBe("error: Athena query 00000000-0000-4000-8000-000000000001 FAILED: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved [CLI_QUERY_FAILED]\n");
  });

  it("says to pass --database when Athena finds no table logs and none was given", async () => {
    athena = await startFakeAthena({ answer: () => ({ states: ["FAILED"], reason: "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.logs' does not exist" }) });
    const r = await runCli(cwd, ["query", "--athena", "select * from logs"], awsEnv());
    expect([r.code, r.stderr]).toEqual([1, "error: Athena query 00000000-0000-4000-8000-000000000001 FAILED: TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.logs' does not exist (no --database given: pass the stack output glueDatabase) [CLI_QUERY_FAILED]\n"]);
  });

  it("exits 1 for a CANCELLED query, and for bad SQL run by the engine behind the fake", async () => {
    athena = await startFakeAthena({ archiveDir: "/nonexistent", answer: (sql) => (sql.includes("cancel") ? { states: ["RUNNING", "CANCELLED"], reason: "Query cancelled by user" } : undefined) });
    const cancelled = await runCli(cwd, ["query", "--athena", "select 'cancel'"], awsEnv());
    expect([cancelled.code, cancelled.stderr]).toEqual([1, "error: Athena query 00000000-0000-4000-8000-000000000001 CANCELLED: Query cancelled by user [CLI_QUERY_FAILED]\n"]);
    const bad = await runCli(cwd, ["query", "--athena", "--json", "selec 1"], awsEnv());
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stderr)).toEqual({ error: { code: "CLI_QUERY_FAILED", message: expect.stringMatching(/^Athena query \S+ FAILED: SYNTAX_ERROR: .*syntax error/) } });
  });

  it("exits 1 with CLI_AWS_FAILED for an unknown workgroup and for credentials Athena rejects", async () => {
    athena = await startFakeAthena({ workgroups: ["primary"], accessKeyIds: [KEY_ID] });
    const wg = await runCli(cwd, ["query", "--athena", "--workgroup", "nope", "select 1"], awsEnv());
    expect([wg.code, wg.stderr]).toEqual([1, 'error: Athena has no workgroup "nope" (WorkGroup nope is not found.); check --workgroup and the region [CLI_AWS_FAILED]\n']);
    const creds = await runCli(cwd, ["query", "--athena", "select 1"], awsEnv("AKIAWRONGWRONGWRONG0"));
    expect(creds.code).toBe(1);
    expect(creds.stderr).toBe("error: Athena: the AWS credentials were not accepted (UnrecognizedClientException: The security token included in the request is invalid.); set AWS_PROFILE or log in again [CLI_AWS_FAILED]\n");
  });

  it("stops a query still running at --timeout and exits 1 with CLI_QUERY_TIMEOUT", async () => {
    athena = await startFakeAthena({ answer: () => ({ states: ["QUEUED", "RUNNING"] }) });
    const r = await runCli(cwd, ["query", "--athena", "--timeout", "1s", "select 1"], awsEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Athena query 00000000-0000-4000-8000-000000000001 was still RUNNING after \d+ s; stopped it \(raise --timeout, or narrow the query by dt\) \[CLI_QUERY_TIMEOUT\]\n$/);
    expect(athena.calls.at(-1)).toEqual({ op: "StopQueryExecution", input: { QueryExecutionId: "00000000-0000-4000-8000-000000000001" } });
  });

  it.each([
    [["--athena", "--insights", "select 1"], /choose one of --athena and --insights/],
    [["--athena", "--log-group", "/x", "select 1"], /--log-group applies only with --insights or locally/],
    [["--athena", "--output-location", "/tmp/x", "select 1"], /--output-location must be an S3 URI/],
    [["--athena", "--timeout", "soon", "select 1"], /--timeout must be a duration/],
    [["--workgroup", "w", "select 1"], /--workgroup applies only with --athena or --insights/],
    [["--csv", "--format", "json", "select 1"], /choose one of --json, --csv and --format/],
  ])("exits 2 on %j", async (args, message) => {
    const r = await runCli(cwd, ["query", ...args], awsEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("review --athena", () => {
  it("renders the same report from Athena's SQL as from DuckDB's over the same archive", async () => {
    // The fake runs what the CLI sends to Athena in DuckDB, with the Trino functions as macros.
    athena = await startFakeAthena({ archiveDir, workgroups: ["app-prod-syslog"], pageSize: 4 });
    const period = ["--since", "2026-11-16T12:00:00Z", "--until", REVIEW_NOW.toISOString(), "--format", "json"];
    const local = await runCli(cwd, ["review", ...period], awsEnv());
    const remote = await runCli(cwd, ["review", "--athena", "--workgroup", "app-prod-syslog", "--database", "app_prod_syslog", ...period], awsEnv());
    expect([local.code, local.stderr, remote.code, remote.stderr]).toEqual([0, "", 0, ""]);
    const sections = (out: string) => (JSON.parse(out) as { sections: unknown[] }).sections;
    expect(sections(remote.stdout)).toEqual(sections(local.stdout));
    expect(JSON.parse(remote.stdout).engine).toMatch(/^Athena \(workgroup app-prod-syslog, database app_prod_syslog\), \d+\.\d KiB scanned$/);
    const starts = athena.calls.filter((c) => c.op === "StartQueryExecution").map((c) => String(c.input["QueryString"]));
    expect(starts).toHaveLength(6);
    for (const sql of starts) expect(sql).toMatch(/dt BETWEEN '20\d\d-\d\d-\d\d' AND '2026-11-23'/);
    expect(starts.join("\n")).toContain("json_extract_scalar(message_json, '$.user')");
    expect(starts.join("\n")).not.toContain("json_extract_string");
  });

  it("names the section whose query failed, and exits 1", async () => {
    athena = await startFakeAthena({ answer: (sql) => (sql.includes("sudo") ? { states: ["FAILED"], reason: "HIVE_BAD_DATA: broken file" } : { columns: [], rows: [] }) });
    const r = await runCli(cwd, ["review", "--athena"], awsEnv());
    expect([r.code, r.stdout]).toEqual([1, ""]);
    expect(r.stderr).toMatch(/^error: review, section "sudo and su": Athena query \S+ FAILED: HIVE_BAD_DATA: broken file \[CLI_QUERY_FAILED\]\n$/);
  });
});

describe("query --insights", () => {
  const ROWS = [
    [{ field: "user", value: "u1" }, { field: "ip", value: "192.0.2.10" }, { field: "failures", value: "3" }, { field: "@ptr", value: "xyz" }],
    [{ field: "user", value: "u2" }, { field: "failures", value: "1" }],
  ];

  it("runs the query over the log groups and time range, waits until Complete, and shows the statistics", async () => {
    insights = await startFakeInsights({ logGroups: ["/aws-syslog/onegate", "/var/log/secure"], answer: () => ({ results: ROWS }) });
    const q = "fields user, ip | filter result like /fail/ | stats count(*) as failures by user, ip";
    const r = await runCli(cwd, ["query", "--insights", "--log-group", "/aws-syslog/onegate", "--log-group", "/var/log/secure", "--since", "2026-11-16T00:00:00Z", "--until", "2026-11-23", q], awsEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("user  ip          failures\n----  ----------  --------\nu1    192.0.2.10  3\nu2                1\n(2 rows)\n");
    expect(r.stderr).toBe("Logs Insights query q-1: 2 records matched, 300 scanned, 12.0 KiB\n");
    expect(insights.calls.map((c) => c.op)).toEqual(["StartQuery", "GetQueryResults", "GetQueryResults", "GetQueryResults"]);
    expect(insights.calls[0]!.input).toEqual({ logGroupNames: ["/aws-syslog/onegate", "/var/log/secure"], queryString: q, startTime: 1794787200, endTime: 1795392000 });
  });

  it("writes JSON rows; exits 1 for a malformed query, an unknown log group and a Failed query", async () => {
    insights = await startFakeInsights({ logGroups: ["/var/log/secure"], answer: (q) => (q.includes("boom") ? { statuses: ["Running", "Failed"] } : { results: ROWS }) });
    const json = await runCli(cwd, ["query", "--insights", "--log-group", "/var/log/secure", "--json", "--limit", "50", "stats count(*)"], awsEnv());
    expect([json.code, json.stderr]).toEqual([0, ""]);
    expect(json.stdout.trim().split("\n").map((l) => JSON.parse(l))).toEqual([{ user: "u1", ip: "192.0.2.10", failures: "3" }, { user: "u2", ip: null, failures: "1" }]);
    expect(insights.calls[0]!.input).toMatchObject({ limit: 50 });

    const malformed = await runCli(cwd, ["query", "--insights", "--log-group", "/var/log/secure", "@malformed"], awsEnv());
    expect([malformed.code, malformed.stderr]).toEqual([1, "error: Logs Insights cannot parse the query: unexpected symbol found @malformed at line 1 and position 1 [CLI_QUERY_FAILED]\n"]);
    const missing = await runCli(cwd, ["query", "--insights", "--log-group", "/var/log/nope", "fields @message"], awsEnv());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Log group '/var/log/nope' does not exist");
    expect(missing.stderr).toContain("[CLI_LOG_GROUP_NOT_FOUND]");
    const failed = await runCli(cwd, ["query", "--insights", "--log-group", "/var/log/secure", "boom"], awsEnv());
    expect([failed.code, failed.stderr]).toEqual([1, "error: Logs Insights query q-2 ended Failed [CLI_QUERY_FAILED]\n"]);
  });

  it.each([
    [["--insights", "fields @message"], /name at least one --log-group/],
    [["--insights", "--log-group", "/x", "--since", "1h", "--until", "2h", "f"], /--since must be before --until/],
    [["--insights", "--log-group", "/x", "--limit", "0", "f"], /--limit must be a whole number from 1 to 10000/],
    [["--insights", "--log-group", "/x", "--database", "d", "f"], /--database applies only with --athena/],
  ])("exits 2 on %j", async (args, message) => {
    const r = await runCli(cwd, ["query", ...args], awsEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("query, local", () => {
  it("still runs DuckDB over the archive, and exits 1 on bad SQL", async () => {
    const ok = await runCli(cwd, ["query", "--json", "select count(*)::INTEGER as n from logs where route = 'onegate'"], awsEnv());
    expect([ok.code, ok.stderr, ok.stdout]).toEqual([0, "", '{"n":10}\n']);
    const bad = await runCli(cwd, ["query", "selec 1"], awsEnv());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: Parser Error: syntax error at or near "selec".*\[CLI_QUERY_FAILED\]\n$/s);
  });

  it("warns, and answers from an empty table, when there is no archive yet", async () => {
    const r = await runCli(cwd, ["query", "--data-dir", "fresh", "select count(*) as n from logs"], awsEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("0\n(1 row)");
    expect(r.stderr).toBe(`warning: no archive at ${join(cwd, "fresh", "archive")} yet (run pnpm start and send something, or pass --data-dir); "logs" is empty\n`);
  });
});
