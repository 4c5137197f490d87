import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig as loadForwarderConfig, type ForwarderConfig } from "@aws-syslog/forwarder";
import { DaemonSet } from "../support/daemon.js";
import { EmbeddedDefault, embeddedEnv } from "../support/embedded-default.js";
import { countEvents, diffLines, readLogFiles } from "../support/log-files.js";
import { freePort } from "../support/ports.js";
import { RsyslogSender } from "../support/rsyslog-sender.js";
import { waitFor } from "../support/wait.js";
import type { TestPki } from "../support/pki.js";
import { makePlan, type Plan } from "./message-plan.js";
import { sendHandWritten } from "./hand-written.js";

/** Messages through the whole pipeline: many TLS records, several staging objects' worth of
 * rsyslog queue batches, every route of the default table. */
const N = 3_000;
/** Bound on each wait for the pipeline: generous for 2 busy cores, finite so nothing hangs. */
const DELIVERY_TIMEOUT_MS = 60_000;
/** `query` starts node and DuckDB: at most one run per this interval while waiting. */
const QUERY_INTERVAL_MS = 1_000;

const env = embeddedEnv();
// What the spawned process loads from the same environment: the default routes and stream template.
const config: ForwarderConfig = loadForwarderConfig(env);

let root: string;
const daemons = new DaemonSet();
let dirs = 0;
const newDir = async (name: string) => mkdtemp(join(root, `${++dirs}-${name}-`));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "pipeline-e2e-"));
});
afterEach(() => daemons.stopAll());
afterAll(async () => {
  await daemons.stopAll();
  if (process.env.INTEROP_KEEP === "1") console.log(`pipeline e2e: kept ${root}`);
  else await rm(root, { recursive: true, force: true });
});

async function start(dataDir: string, mtls = false): Promise<EmbeddedDefault> {
  return daemons.add(await EmbeddedDefault.start({ dataDir, port: await freePort(), mtls, env }));
}

/** Waits (bounded) until `select count(*)` over the archive reaches `count`; returns the count,
 * which may be higher (a duplicate) for the caller to assert. */
async function archived(app: EmbeddedDefault, count: number, describe: () => string): Promise<number> {
  let last = 0;
  let lastRun = 0;
  let lastError = "";
  return waitFor(
    async () => {
      if (Date.now() - lastRun < QUERY_INTERVAL_MS) return undefined;
      lastRun = Date.now();
      try {
        const [row] = await app.query("select count(*) as n from logs");
        last = Number(row?.["n"]);
        lastError = "";
      } catch (err) {
        lastError = (err as Error).message;
      }
      return last >= count ? last : undefined;
    },
    {
      timeoutMs: DELIVERY_TIMEOUT_MS,
      what: `${count} records in the archive`,
      abort: () => (app.daemon.alive ? undefined : "the embedded default exited"),
      context: () => `(had ${last})${lastError ? `\nlast query error: ${lastError}` : ""}\n${describe()}`,
    },
  );
}

/** What a restart must leave untouched: every log file's lines, every archive file. */
async function snapshot(dataDir: string): Promise<{ logs: Map<string, string[]>; archive: Record<string, string> }> {
  const archiveDir = join(dataDir, "archive");
  const archive: Record<string, string> = {};
  for (const e of await readdir(archiveDir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const s = await stat(path);
    archive[path.slice(archiveDir.length)] = `${s.size} bytes, mtime ${s.mtimeMs}`;
  }
  return { logs: await readLogFiles(join(dataDir, "cloudwatch")), archive };
}

function expectedEvents(plan: Plan): number {
  return plan.messages.reduce((n, m) => n + m.files.length, 0);
}

describe("embedded default end to end", () => {
  it(`rsyslog (ossl, RFC 5424, octet counting, client certificate) → ${N} messages → log files and Parquet, each once and in its routed group; a restart does not redo them`, async () => {
    const dataDir = await newDir("data");
    const app = await start(dataDir, true);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const plan = makePlan(N, at, config);
    // RsyslogSender reads only the CA from its PKI; here it is the embedded default's own.
    const pki = { ca: app.tls.ca } as TestPki;
    const sender = daemons.add(await RsyslogSender.start({
      name: "rsyslog-ossl sender", workDir: await newDir("rsyslog"), pki, targetPort: app.port,
      driver: "ossl", framing: "octet-counted", format: "rfc5424",
      authMode: "x509/name", clientCert: app.tls.client, localHostName: "relay-1",
    }));
    const context = () => `${sender.describe()}\n---\n${app.describe()}`;
    await sender.send(plan.messages.map((m) => m.line));

    // Cheap first: the log files fill before the archive half of each staging object runs.
    const cloudwatch = join(dataDir, "cloudwatch");
    const events = expectedEvents(plan);
    await waitFor(async () => (countEvents(await readLogFiles(cloudwatch)) >= events ? true : undefined), {
      timeoutMs: DELIVERY_TIMEOUT_MS, what: `${events} events in ${cloudwatch}`, context,
      abort: () => (app.daemon.alive ? undefined : "the embedded default exited"),
    });
    expect(await archived(app, N, context)).toBe(N);

    // Every sequence number exactly once, under its routed partition, with the client's name.
    const rows = await app.query(
      `select regexp_extract(message, 'seq=([0-9]+)', 1) as seq, route, tls_peer, hostname, format from logs where contains(message, '${plan.tag}')`,
    );
    const seen = new Map<number, string>();
    const problems: string[] = [];
    for (const r of rows) {
      const seq = Number(r["seq"]);
      if (seen.has(seq)) problems.push(`seq ${seq} archived twice`);
      seen.set(seq, String(r["route"]));
      if (r["tls_peer"] !== "aws-syslog" || r["format"] !== "rfc5424") problems.push(`seq ${seq}: ${JSON.stringify(r)}`);
    }
    for (const m of plan.messages) {
      if (!seen.has(m.seq)) problems.push(`seq ${m.seq} (${m.kind.label}) not archived`);
      else if (seen.get(m.seq) !== m.archiveRoute) problems.push(`seq ${m.seq} (${m.kind.label}) under route=${seen.get(m.seq)}, expected ${m.archiveRoute}`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
    const byRoute = await app.query("select route, count(*) as n from logs group by route order by route");
    expect(Object.fromEntries(byRoute.map((r) => [r["route"], Number(r["n"])]))).toEqual(plan.routeCounts);
    // The plan reaches every route of the default table and records no route selects; local7.info
    // is archived once, under its first route (messages), and written to boot.log as well.
    expect(Object.keys(plan.routeCounts).sort()).toEqual(["cron", "maillog", "messages", "onegate", "secure", "unrouted"]);
    expect([...plan.syslogLines.keys()]).toContain("var/log/boot.log/web-2.log");

    // OneGate's JSON MSG is queryable as JSON.
    const users = await app.query(
      "select cast(message_json->>'seq' as integer) as seq, message_json->>'user' as user, message_json->>'event' as event from logs where route = 'onegate' order by seq",
    );
    const oneGate = plan.messages.filter((m) => m.kind.json);
    expect(users).toEqual(oneGate.map((m) => ({ seq: m.seq, user: `user${m.seq}@example.com`, event: "login" })));

    // Every event in the right log file: exact classic lines, JSON events with the message's own fields.
    const files = await readLogFiles(cloudwatch);
    expect([...files.keys()].sort()).toEqual([...plan.syslogLines.keys(), ...plan.jsonSeqs.keys()].sort());
    for (const [file, lines] of plan.syslogLines) {
      expect(diffLines(files.get(file) ?? [], lines), file).toBe("");
    }
    for (const [file, seqs] of plan.jsonSeqs) {
      const got = (files.get(file) ?? []).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(got.map((e) => e["seq"]).sort((a, b) => Number(a) - Number(b)), file).toEqual(seqs);
      for (const e of got) {
        expect(e).toMatchObject({
          hostname: "onegate", app_name: "OneGate", facility_name: "local0", severity_name: "info",
          tls_peer: "aws-syslog", user: `user${e["seq"]}@example.com`, event: "login", tenant: "example",
        });
        expect(Date.parse(String(e["timestamp"]))).toBe(at.getTime());
      }
    }

    // Ctrl-C: drains and exits 0. A restart over the same data redoes nothing.
    await sender.stop();
    expect(await app.interrupt(), app.describe()).toEqual({ code: 0, signal: null });
    const before = await snapshot(dataDir);
    const again = await start(dataDir, true);
    expect(await again.interrupt(), again.describe()).toEqual({ code: 0, signal: null });
    const after = await snapshot(dataDir);
    expect(after.archive, "archive files rewritten by the restart").toEqual(before.archive);
    for (const [file, lines] of before.logs) expect(after.logs.get(file)?.length, `${file} after the restart`).toBe(lines.length);
    expect([...after.logs.keys()]).toEqual([...before.logs.keys()]);
    const [count] = await again.query("select count(*) as n from logs");
    expect(Number(count?.["n"])).toBe(N);
  });

  it("openssl s_client: hand-written lines, LF framed, each in its routed group", async () => {
    const dataDir = await newDir("data");
    const app = await start(dataDir);
    const sent = await sendHandWritten(app, config);
    expect(await archived(app, sent.length, () => app.describe())).toBe(sent.length);

    const rows = await app.query("select route, message, format from logs");
    const files = await readLogFiles(join(dataDir, "cloudwatch"));
    for (const line of sent) {
      expect({ route: line.route, files: [...line.files].sort() }, `${line.marker}: the table and the forwarder's routing disagree`)
        .toEqual({ route: line.computed.route, files: [...line.computed.files].sort() });
      const archivedAs = rows.filter((r) => String(r["message"]).includes(line.marker));
      expect(archivedAs.map((r) => [r["route"], r["format"]]), line.marker).toEqual([[line.route, line.format]]);
      const holding = [...files].filter(([, lines]) => lines.some((l) => l.includes(line.marker))).map(([f]) => f);
      expect(holding.sort(), line.marker).toEqual([...line.files].sort());
    }
    expect(await app.interrupt(), app.describe()).toEqual({ code: 0, signal: null });
  });
});
