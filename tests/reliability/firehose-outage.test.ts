import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeFirehose, type FakeFirehose } from "../fakes/firehose-server.js";
import { FirehoseTally } from "../support/firehose-tally.js";
import { metric, procMemoryBytes, readMetrics, type MetricsJson } from "../support/receiver-metrics.js";
import { rfc5424 } from "../support/messages.js";
import { NumberedTlsSender } from "../support/numbered-tls-sender.js";
import { makeTestPki, type TestPki } from "../support/pki.js";
import { freePort } from "../support/ports.js";
import { receiverKind, startReceiver, type RunningReceiver } from "../support/receiver.js";
import { RsyslogSender } from "../support/rsyslog-sender.js";
import { waitFor } from "../support/wait.js";

/**
 * Item 1 of the reliability issue: Firehose fails every call for 60 s by the clock, then
 * recovers. The production receiver process (SINK=firehose, real SDK) is fed by TLS senders with
 * numbered messages: rsyslog with a disk-assisted queue (omfwd, ossl) and node senders that
 * write with backpressure. Checked: nothing reaches Firehose during the outage; the receiver
 * stops reading once its byte budget is full (the senders are pushed back: they hold the data,
 * rsyslog in its queue), its RSS is sampled from /proc every 200 ms all along; after recovery
 * every message of every connection arrives; duplicates are counted; nothing is given up.
 */
const OUTAGE_MS = 60_000;
/** RECEIVER_BUFFER_BYTES of this run: the receiver's byte budget for unstored records. */
const BUFFER_BYTES = 8 * 1024 * 1024;
const NODE_CONNS = 4;
const NODE_N = 30_000;
const RSYSLOG_CONN = 100;
const RSYSLOG_N = 20_000;
const N = NODE_CONNS * NODE_N + RSYSLOG_N;
/** After the outage: retries back off up to RECEIVER_FIREHOSE_RETRY_MAX_MS (10 s), then drain. */
const RECOVERY_TIMEOUT_MS = 120_000;
const RSS_SAMPLE_MS = 200;

const statusKib = (pid: number, field: "VmRSS" | "VmHWM"): number => procMemoryBytes(pid, field) / 1024;
const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

let pki: TestPki;
let workDir: string;
let fake: FakeFirehose | undefined;
let receiver: RunningReceiver | undefined;
let rsyslog: RsyslogSender | undefined;
const senders: NumberedTlsSender[] = [];

beforeAll(async () => {
  pki = await makeTestPki();
  workDir = await mkdtemp(join(tmpdir(), "firehose-outage-"));
});
afterEach(async () => {
  for (const s of senders.splice(0)) s.destroy();
  await rsyslog?.stop().catch(() => {});
  if (receiver?.daemon.alive) await receiver.daemon.stop().catch(() => {});
  await fake?.close();
  rsyslog = receiver = fake = undefined;
});
afterAll(async () => {
  await pki?.remove();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe.skipIf(receiverKind() !== "product")("Firehose outage of 60 s by the clock: pushed back, bounded memory, all delivered after recovery", () => {
  it("rsyslog (disk-assisted queue) and node TLS senders lose nothing through a 60 s Firehose outage", async () => {
    fake = await startFakeFirehose({ seed: 44 });
    const healthPort = await freePort();
    receiver = await startReceiver({
      pki,
      workDir: await mkdtemp(join(workDir, "rx-")),
      env: {
        SINK: "firehose", FIREHOSE_STREAMS: "a,b", AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_FIREHOSE: fake.url,
        AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", RECEIVER_HEALTH_PORT: String(healthPort),
        RECEIVER_BUFFER_BYTES: String(BUFFER_BYTES), LOG_LEVEL: "warn",
      },
    });
    const rx = receiver;
    const pid = rx.daemon.pid;
    expect((await readFile(`/proc/${pid}/comm`, "utf8")).trim()).toBe("node");
    const baselineKib = statusKib(pid, "VmRSS");
    let peakKib = baselineKib;
    const sample = () => {
      try {
        const kib = statusKib(pid, "VmRSS");
        if (Number.isFinite(kib)) peakKib = Math.max(peakKib, kib);
      } catch {
        // exited: the test's own checks report it
      }
    };
    const sampler = setInterval(sample, RSS_SAMPLE_MS);

    try {
      const tag = `outage-${randomBytes(4).toString("hex")}`;
      const rsWork = join(workDir, "rsyslog");
      await mkdir(rsWork);
      rsyslog = await RsyslogSender.start({ name: "rsyslog-ossl disk-queue sender", workDir: rsWork, pki, targetPort: rx.port, driver: "ossl", framing: "octet-counted", format: "rfc5424", authMode: "anon", diskQueue: true });
      const header = { facility: 16, severity: 6, hostname: "outage-rsyslog", appName: "numbered", procId: "1", msgId: "SEQ" };
      const rsLines = Array.from({ length: RSYSLOG_N }, (_, i) => rfc5424(header, "2026-11-23T12:00:00.000Z", `${tag} c=${RSYSLOG_CONN} seq=${i + 1} ${"y".repeat(250)}`));
      const sentBytes = NODE_CONNS * NODE_N * 380 + RSYSLOG_N * 330; // ~ frame sizes on the wire

      // The outage starts now, by the clock, before the first message is sent.
      const outageStart = Date.now();
      fake.options.outageUntilMs = outageStart + OUTAGE_MS;
      for (let c = 0; c < NODE_CONNS; c += 1) senders.push(await NumberedTlsSender.start({ port: rx.port, caFile: pki.ca, tag, conn: c, count: NODE_N }));
      await rsyslog.send(rsLines); // rsyslog takes them all into its queue at once

      // During the outage: sample the sink's backlog and what the receiver has read.
      let maxPending = 0;
      let outageMetrics: MetricsJson | undefined;
      await waitFor(
        async () => {
          const m = await readMetrics(healthPort);
          maxPending = Math.max(maxPending, metric(m, "receiver_firehose_pending_bytes"));
          outageMetrics = m;
          return Date.now() >= outageStart + OUTAGE_MS - 1_000 ? true : undefined;
        },
        { timeoutMs: OUTAGE_MS + 10_000, what: "the end of the outage", abort: () => (rx.daemon.alive ? undefined : "the receiver exited"), context: () => rx.describe() },
      );
      const readDuringOutage = metric(outageMetrics!, "receiver_bytes_total");
      const peakDuringOutageKib = peakKib;
      expect(fake.records).toHaveLength(0); // nothing got through
      expect(fake.stats.outageCalls).toBeGreaterThan(0);
      expect(metric(outageMetrics!, "receiver_backpressure_pauses_total")).toBeGreaterThan(0);
      expect(maxPending).toBeLessThanOrEqual(2 * BUFFER_BYTES);
      expect(readDuringOutage).toBeLessThan(sentBytes / 2); // pushed back on the senders
      expect(metric(outageMetrics!, "receiver_firehose_give_up_lines_total")).toBe(0);

      // Recovery: the fake answers normally from outageUntilMs on.
      const tally = new FirehoseTally(fake, tag);
      let last = 0;
      await waitFor(() => ((last = tally.update().distinct) >= N ? true : undefined), {
        timeoutMs: RECOVERY_TIMEOUT_MS,
        what: `${N} distinct numbered messages at the fake Firehose after recovery`,
        abort: () => (rx.daemon.alive ? undefined : "the receiver exited"),
        context: () => `${last} so far\n${rx.describe()}\n${rsyslog!.describe()}`,
      });
      const recoveredMs = Date.now() - (outageStart + OUTAGE_MS);
      const results = await Promise.all(senders.map((s) => s.done));
      expect(results.map((r) => r.sent)).toEqual(Array(NODE_CONNS).fill(NODE_N));
      const quiet = await waitFor(
        async () => {
          const m = await readMetrics(healthPort);
          return metric(m, "receiver_firehose_in_flight_batches") === 0 && metric(m, "receiver_firehose_pending_bytes") === 0 ? m : undefined;
        },
        { timeoutMs: RECOVERY_TIMEOUT_MS, what: "the Firehose sink to have nothing in flight or pending" },
      );
      const hwmKib = statusKib(pid, "VmHWM");
      sample();
      clearInterval(sampler);
      await rx.stop(); // exit 0: drained
      tally.update();
      for (let c = 0; c < NODE_CONNS; c += 1) expect({ conn: c, ...tally.prefix(c) }).toEqual({ conn: c, k: NODE_N, beyond: [] });
      expect({ conn: RSYSLOG_CONN, ...tally.prefix(RSYSLOG_CONN) }).toEqual({ conn: RSYSLOG_CONN, k: RSYSLOG_N, beyond: [] });
      expect(tally.distinct).toBe(N);
      expect(tally.invalid).toBe(0);
      expect(metric(quiet, "receiver_firehose_give_up_lines_total")).toBe(0);
      expect(fake.stats.limitViolations).toBe(0);
      // Duplicates come only from answers the sink could not be sure of; the fake loses none
      // here and fails calls whole, so the count is expected to be 0, and is reported either way.
      expect(tally.duplicates).toBeLessThanOrEqual(metric(quiet, "receiver_firehose_duplicate_lines_possible_total"));
      const figures = {
        sent: N, received: tally.distinct, duplicates: tally.duplicates, lost: N - tally.distinct,
        rssBaselineMiB: mib(baselineKib * 1024), peakRssOutageMiB: mib(peakDuringOutageKib * 1024), peakRssMiB: mib(peakKib * 1024), vmHwmMiB: mib(hwmKib * 1024),
        readDuringOutageMiB: mib(readDuringOutage), offeredMiB: mib(sentBytes), maxPendingMiB: mib(maxPending), outageCalls: fake.stats.outageCalls, recoveredAfterMs: recoveredMs,
      };
      console.log(`[firehose-outage] ${JSON.stringify(figures)}`);
      console.log(`| Firehose outage 60 s (test) | ${NODE_CONNS} node TLS + 1 rsyslog (disk queue) | every PutRecordBatch fails for 60 s (${fake.stats.outageCalls} calls), then recovers | ${N} | ${tally.distinct} | ${tally.duplicates} | ${N - tally.distinct} | ${figures.peakRssMiB} MiB |`);
    } finally {
      clearInterval(sampler);
    }
  });
});
