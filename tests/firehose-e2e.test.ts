import { mkdtemp, mkdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeFirehose, type FakeFirehose } from "./fakes/firehose-server.js";
import { FirehoseTally } from "./support/firehose-tally.js";
import { NumberedTlsSender, type NumberedSenderResult } from "./support/numbered-tls-sender.js";
import { metric, procMemoryBytes, readMetrics } from "./support/receiver-metrics.js";
import { makeTestPki, type TestPki } from "./support/pki.js";
import { freePort } from "./support/ports.js";
import { receiverKind, startReceiver, type RunningReceiver } from "./support/receiver.js";
import { RsyslogSender } from "./support/rsyslog-sender.js";
import { octetCounted, rfc5424 } from "./support/messages.js";
import { waitFor } from "./support/wait.js";

/**
 * The production receiver process (bench/receiver.sh, SINK=firehose, streams a and b) through
 * the real SDK to a fake Firehose on loopback that fails entries and throttles calls, fed by
 * real TLS senders (rsyslog and Node clients) with numbered messages. What the fake accepted
 * is gunzipped and counted per connection: every message present, duplicates counted.
 */
const DELIVERY_TIMEOUT_MS = 120_000;
/** RECEIVER_DRAIN_TIMEOUT_MS of these tests: under the harness's stop timeout, unlike the 25 s default. */
const DRAIN_MS = 10_000;
/**
 * The mid-stream stop's deadline. Its two stubborn senders keep writing after the half-close and
 * hold the drain to its connection share (60%) while they compete for the throttled sink with
 * the senders that honour the half-close; on a loaded 2-core machine 10 s (6 + 1 s for
 * connections) once left a well-behaved sender ~700 KB short when the deadline cut it.
 */
const MIDSTREAM_DRAIN_MS = 20_000;

let pki: TestPki;
let workDir: string;
let fake: FakeFirehose | undefined;
let receiver: RunningReceiver | undefined;
const senders: { destroy(): void }[] = [];
const rsyslogs: RsyslogSender[] = [];

beforeAll(async () => {
  pki = await makeTestPki();
});
afterAll(async () => {
  await pki?.remove();
});
afterEach(async () => {
  for (const s of senders.splice(0)) s.destroy();
  for (const r of rsyslogs.splice(0)) await r.stop().catch(() => {});
  if (receiver?.daemon.alive) await receiver.daemon.stop().catch(() => {});
  receiver = undefined;
  await fake?.close();
  fake = undefined;
  await rm(workDir, { recursive: true, force: true });
});

async function start(fakeOptions: Parameters<typeof startFakeFirehose>[0], env: Record<string, string> = {}) {
  workDir = await mkdtemp(join(tmpdir(), "firehose-e2e-"));
  fake = await startFakeFirehose(fakeOptions);
  const healthPort = await freePort();
  receiver = await startReceiver({
    pki,
    workDir,
    env: {
      SINK: "firehose",
      FIREHOSE_STREAMS: "a,b",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_FIREHOSE: fake.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      RECEIVER_HEALTH_PORT: String(healthPort),
      LOG_LEVEL: "warn",
      ...env,
    },
  });
  return { fake, receiver, healthPort, tag: `fh-e2e-${randomBytes(4).toString("hex")}` };
}

async function nodeSenders(port: number, tag: string, conns: number, count: number, ignoreHalfClose = (_c: number) => false): Promise<NumberedTlsSender[]> {
  const out: NumberedTlsSender[] = [];
  for (let c = 0; c < conns; c += 1) out.push(await NumberedTlsSender.start({ port, caFile: pki.ca, tag, conn: c, count, ignoreHalfClose: ignoreHalfClose(c) }));
  senders.push(...out);
  return out;
}

function waitForAll(tally: FirehoseTally, n: number, rx: RunningReceiver): Promise<true> {
  return waitFor(() => (tally.update().distinct >= n ? true : undefined), {
    timeoutMs: DELIVERY_TIMEOUT_MS,
    what: `${n} distinct numbered lines at the fake Firehose (have ${tally.distinct})`,
    abort: () => (rx.daemon.alive ? undefined : "the receiver exited"),
    context: () => rx.describe(),
  });
}

describe.skipIf(receiverKind() !== "product")("Firehose end to end: TLS senders → receiver process → fake Firehose", () => {
  it("delivers all N numbered messages from rsyslog and Node TLS senders through failed entries, throttling and lost answers", async () => {
    const { fake, receiver, healthPort, tag } = await start(
      // The sink gathers records into ~20 calls, so a 10% throttle rate alone leaves every call
      // unthrottled in ~1 run of 7: the first two calls fail whole (500) in every run.
      { seed: 41, failEntryRate: 0.1, throttleRate: 0.1, loseAnswerRate: 0.05, failCalls: 2 },
      // Small records make many entries per call, so per-entry failures really happen.
      { RECEIVER_FIREHOSE_RECORD_MAX_BYTES: "16384", RECEIVER_FIREHOSE_REQUEST_TIMEOUT_MS: "1000", RECEIVER_DRAIN_TIMEOUT_MS: String(DRAIN_MS) },
    );
    const RSYSLOG_CONN = 100;
    const RSYSLOG_N = 5_000;
    const NODE_CONNS = 4;
    const NODE_N = 10_000;
    const N = RSYSLOG_N + NODE_CONNS * NODE_N;

    const rsWork = join(workDir, "rsyslog");
    await mkdir(rsWork);
    const rsyslog = await RsyslogSender.start({ name: "rsyslog-ossl sender", workDir: rsWork, pki, targetPort: receiver.port, driver: "ossl", framing: "octet-counted", format: "rfc5424", authMode: "anon" });
    rsyslogs.push(rsyslog);
    const header = { facility: 16, severity: 6, hostname: "e2e-rsyslog", appName: "numbered", procId: "1", msgId: "SEQ" };
    const rsLines = Array.from({ length: RSYSLOG_N }, (_, i) => rfc5424(header, "2026-11-23T12:00:00.000Z", `${tag} c=${RSYSLOG_CONN} seq=${i + 1} ${"y".repeat(250)}`));
    const nodes = await nodeSenders(receiver.port, tag, NODE_CONNS, NODE_N);
    await rsyslog.send(rsLines);
    const results = await Promise.all(nodes.map((s) => s.done));
    expect(results.map((r) => r.sent)).toEqual(Array(NODE_CONNS).fill(NODE_N));

    const tally = new FirehoseTally(fake, tag);
    await waitForAll(tally, N, receiver);
    // A call whose answer was lost is still in flight when the last distinct line has landed: its
    // timeout, the resend and the duplicate count come later. Compare once the sink is quiet.
    const metrics = await waitFor(
      async () => {
        const m = await readMetrics(healthPort);
        return metric(m, "receiver_firehose_in_flight_batches") === 0 && metric(m, "receiver_firehose_pending_bytes") === 0 ? m : undefined;
      },
      { timeoutMs: DELIVERY_TIMEOUT_MS, what: "the Firehose sink to have nothing in flight or pending" },
    );
    const duplicatesWhenQuiet = tally.update().duplicates;
    // rsyslog stays connected, as a relay would: the drain half-closes its idle connection.
    const stopStarted = Date.now();
    const exit = await receiver.daemon.stop(DRAIN_MS + 5_000);
    const stopMs = Date.now() - stopStarted;
    expect(exit, receiver.describe()).toEqual({ code: 0, signal: null });

    tally.update();
    for (const c of [RSYSLOG_CONN, ...Array.from({ length: NODE_CONNS }, (_, i) => i)]) {
      const { k, beyond } = tally.prefix(c);
      expect({ conn: c, k, beyond }).toEqual({ conn: c, k: c === RSYSLOG_CONN ? RSYSLOG_N : NODE_N, beyond: [] });
    }
    expect(tally.distinct).toBe(N);
    expect(tally.invalid).toBe(0); // every line the fake got is a schema-v1 record
    // Duplicates come only from answers lost after the fake stored the records; the sink counts
    // every line it resent after such an ambiguous failure.
    expect(duplicatesWhenQuiet).toBeLessThanOrEqual(metric(metrics, "receiver_firehose_duplicate_lines_possible_total"));
    expect(tally.duplicates).toBe(duplicatesWhenQuiet);
    expect(fake.stats.limitViolations).toBe(0);
    expect(fake.stats.failedEntries).toBeGreaterThan(10);
    expect(fake.stats.failedCalls).toBeGreaterThanOrEqual(2);
    expect(new Set(fake.records.map((r) => r.stream))).toEqual(new Set(["a", "b"]));
    expect(metric(metrics, "receiver_firehose_give_up_lines_total")).toBe(0);
    console.info(`[firehose-e2e] stop took ${stopMs} ms; delivered ${N} distinct messages, ${tally.duplicates} duplicates; fake: ${JSON.stringify(fake.stats)}; billed/payload bytes ${(metric(metrics, "receiver_firehose_billed_bytes_total") / metric(metrics, "receiver_firehose_payload_bytes_total")).toFixed(3)}`);
  });

  it("on SIGTERM mid-stream exits 0 within its drain deadline, and per connection what arrived is a gap-free prefix of what was sent", async () => {
    const { fake, receiver, tag } = await start({ seed: 42, failEntryRate: 0.1, throttleRate: 0.1 }, { RECEIVER_DRAIN_TIMEOUT_MS: String(MIDSTREAM_DRAIN_MS) });
    const CONNS = 4;
    // Odd connections keep writing after the receiver's half-close, like a sender that never
    // reads: the receiver cuts them at its connection deadline, with data still in flight.
    const stubborn = (c: number) => c % 2 === 1;
    const nodes = await nodeSenders(receiver.port, tag, CONNS, Infinity, stubborn);
    const tally = new FirehoseTally(fake, tag);
    await waitForAll(tally, 5_000, receiver); // mid-stream: data is flowing to Firehose
    const atSigterm = tally.update().distinct;

    // The stop timeout bounds the wait (a few seconds for node to exit after its own deadline).
    const exit = await receiver.daemon.stop(MIDSTREAM_DRAIN_MS + 5_000);
    expect(exit, receiver.describe()).toEqual({ code: 0, signal: null });
    const results: NumberedSenderResult[] = await Promise.all(nodes.map((s) => s.done));

    tally.update();
    const notRead: number[] = [];
    for (const [c, r] of results.entries()) {
      const { k, beyond } = tally.prefix(c);
      expect({ conn: c, beyond }).toEqual({ conn: c, beyond: [] }); // no gap: nothing read was lost
      expect(k).toBeGreaterThan(0);
      expect(k).toBeLessThanOrEqual(r.sent);
      // A sender that honours the half-close loses nothing: the receiver reads until it closes.
      if (!stubborn(c)) expect({ conn: c, notRead: r.sent - k }).toEqual({ conn: c, notRead: 0 });
      notRead.push(r.sent - k);
    }
    expect(tally.distinct).toBeGreaterThan(atSigterm); // the drain flushed what was read after the signal
    expect(tally.invalid).toBe(0);
    expect(fake.stats.limitViolations).toBe(0);
    console.info(`[firehose-e2e] SIGTERM after ${atSigterm} delivered; finally ${tally.distinct} delivered, ${tally.duplicates} duplicates; sent ${results.reduce((a, r) => a + r.sent, 0)}; in flight and not read by the receiver, per connection: ${notRead.join(", ")} (${results.map((r) => r.endedBy).join("; ")})`);
  });

  it("while Firehose fails every call it stops reading with bounded memory, and delivers everything after recovery", async () => {
    const BUFFER_BYTES = 4 * 1024 * 1024;
    const { fake, receiver, healthPort, tag } = await start(
      { seed: 43, throttleRate: 1 },
      { RECEIVER_BUFFER_BYTES: String(BUFFER_BYTES), RECEIVER_FIREHOSE_RETRY_MAX_MS: "1000" },
    );
    const pid = receiver.daemon.pid;
    expect((await readFile(`/proc/${pid}/comm`, "utf8")).trim()).toBe("node");
    const baseline = procMemoryBytes(pid);
    const CONNS = 8;
    const PER_CONN = 20_000;
    const N = CONNS * PER_CONN;
    const frameBytes = Buffer.byteLength(octetCounted(rfc5424({ facility: 16, severity: 6, hostname: "e2e-sender", appName: "numbered", procId: "0", msgId: "SEQ" }, "2026-11-23T12:00:00.000Z", "x".repeat(300))));
    const totalBytes = N * frameBytes;
    const nodes = await nodeSenders(receiver.port, tag, CONNS, PER_CONN);

    // Outage: wait until the receiver has stopped reading (its byte count holds still for 2 s
    // while senders still have data), sampling its RSS all along.
    let peak = baseline;
    let last = -1;
    let still = 0;
    const outage = await waitFor(
      async () => {
        peak = Math.max(peak, procMemoryBytes(pid));
        const m = await readMetrics(healthPort);
        const read = metric(m, "receiver_bytes_total");
        still = read === last && read > 0 ? still + 1 : 0;
        last = read;
        return still >= 20 ? m : undefined;
      },
      { timeoutMs: DELIVERY_TIMEOUT_MS, what: "the receiver to stop reading during the outage", context: () => receiver.describe() },
    );
    const readDuringOutage = metric(outage, "receiver_bytes_total");
    expect(fake.records).toHaveLength(0);
    expect(fake.stats.failedCalls).toBeGreaterThan(0);
    expect(metric(outage, "receiver_backpressure_pauses_total")).toBeGreaterThan(0);
    expect(metric(outage, "receiver_firehose_pending_bytes")).toBeLessThanOrEqual(2 * BUFFER_BYTES);
    expect(readDuringOutage).toBeLessThan(totalBytes / 2); // pushed back on the senders
    expect(peak - baseline).toBeLessThan(totalBytes); // buffering everything would take more

    fake.options.throttleRate = 0; // recovery
    const tally = new FirehoseTally(fake, tag);
    await waitForAll(tally, N, receiver);
    const results = await Promise.all(nodes.map((s) => s.done));
    expect(results.map((r) => r.sent)).toEqual(Array(CONNS).fill(PER_CONN));
    const hwm = procMemoryBytes(pid, "VmHWM");
    await receiver.stop();
    tally.update();
    for (let c = 0; c < CONNS; c += 1) expect(tally.prefix(c)).toEqual({ k: PER_CONN, beyond: [] });
    expect(tally.invalid).toBe(0);
    expect(fake.stats.limitViolations).toBe(0);
    const mib = (b: number) => (b / 1048576).toFixed(1);
    console.info(`[firehose-e2e] outage: read ${mib(readDuringOutage)} of ${mib(totalBytes)} MiB, RSS baseline ${mib(baseline)} MiB, peak during outage ${mib(peak)} MiB, VmHWM ${mib(hwm)} MiB; after recovery ${N} delivered, ${tally.duplicates} duplicates`);
  });
});
