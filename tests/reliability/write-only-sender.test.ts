import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeFirehose, type FakeFirehose } from "../fakes/firehose-server.js";
import { requireBinary, syslogNgEnv } from "../support/binaries.js";
import { makeTestPki, type TestPki } from "../support/pki.js";
import { freePort } from "../support/ports.js";
import { receiverKind, startReceiver, type RunningReceiver } from "../support/receiver.js";
import { metric, readMetrics } from "../support/receiver-metrics.js";
import { run } from "../support/run.js";
import { waitFor } from "../support/wait.js";

/**
 * A sender that only writes (syslog-ng's loggen, like rsyslog and most syslog clients) and then
 * closes, while the receiver holds its socket paused because the sink is behind. If the receiver
 * sent anything the sender never reads (TLS 1.3 session tickets), the close would be a TCP RST,
 * and a RST discards what the receiver had not read yet: before packages/receiver/openssl.cnf,
 * 16,764-34,681 of ~1,000,000 messages per run were lost this way in the Firehose benchmark.
 * Here Firehose throttles every call while loggen writes, so the receiver stops reading with
 * loggen's last messages in its socket buffers; after loggen has closed, Firehose recovers and
 * every message loggen counted must arrive.
 */
let pki: TestPki;
let workDir: string;
let fake: FakeFirehose | undefined;
let receiver: RunningReceiver | undefined;

beforeAll(async () => {
  pki = await makeTestPki();
});
afterAll(async () => {
  await pki?.remove();
});
afterEach(async () => {
  if (receiver?.daemon.alive) await receiver.daemon.stop().catch(() => {});
  await fake?.close();
  receiver = fake = undefined;
  await rm(workDir, { recursive: true, force: true });
});

const BUDGET = 1024 * 1024; // the Firehose sink's smallest

/** loggen's message body: "seq: 0000000042, thread: 0001, runid: …". */
const SEQ = /seq: (\d+), thread: (\d+), runid: (\d+)/;

describe.skipIf(receiverKind() !== "product")("a write-only sender closing while the receiver is paused", () => {
  it("loses nothing: loggen's close is a FIN, and what waited in the socket buffers is read after the sink recovers", async () => {
    workDir = await mkdtemp(join(tmpdir(), "write-only-"));
    fake = await startFakeFirehose({ seed: 44, throttleRate: 1 });
    const healthPort = await freePort();
    receiver = await startReceiver({
      pki,
      workDir,
      env: {
        SINK: "firehose", FIREHOSE_STREAMS: "a", AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_FIREHOSE: fake.url,
        AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", RECEIVER_HEALTH_PORT: String(healthPort),
        RECEIVER_BUFFER_BYTES: String(BUDGET), RECEIVER_FIREHOSE_RETRY_MAX_MS: "1000", LOG_LEVEL: "warn",
      },
    });
    const loggen = requireBinary("loggen");
    // 2 connections × 2,000 msg/s × 3 s of 300-byte messages: ~2 MB a connection against a 1 MiB
    // budget, small enough for the kernel's socket buffers to take what the receiver does not read.
    const res = await run(loggen, ["--use-ssl", "--syslog-proto", "-s", "300", "-r", "2000", "-I", "3", "--active-connections=2", "127.0.0.1", String(receiver.port)], {
      env: syslogNgEnv(),
      timeoutMs: 60_000,
      allowFailure: true,
    });
    const sent = Number(/average rate.*count=(\d+)/.exec(res.stderr)?.[1] ?? NaN); // the summary line, not the progress lines
    expect({ code: res.code, sent: Number.isFinite(sent) && sent > 0 }, res.stderr.slice(-500)).toEqual({ code: 0, sent: true });
    const paused = await readMetrics(healthPort);
    // The receiver had stopped reading: loggen's last writes were still in the socket buffers.
    expect(metric(paused, "receiver_firehose_pending_bytes")).toBeGreaterThanOrEqual(BUDGET);
    expect(metric(paused, "receiver_frames_total")).toBeLessThan(sent);

    fake.options.throttleRate = 0; // Firehose recovers after loggen has closed its connections
    const seen = new Set<string>();
    let records = 0;
    let lines = 0;
    await waitFor(
      () => {
        for (; records < fake!.records.length; records += 1) {
          for (const line of gunzipSync(fake!.records[records]!.data).toString("utf8").split("\n")) {
            const m = SEQ.exec(line);
            if (!m) continue;
            lines += 1;
            seen.add(`${m[3]}/${m[2]}/${m[1]}`);
          }
        }
        return seen.size >= sent ? true : undefined;
      },
      {
        timeoutMs: 60_000,
        what: `all ${sent} messages loggen counted at the fake`,
        abort: () => (receiver!.daemon.alive ? undefined : "the receiver exited"),
        context: () => `${seen.size} of ${sent} arrived; ${receiver!.describe()}`,
      },
    );
    expect({ distinct: seen.size, lines }).toEqual({ distinct: sent, lines: sent });
    await receiver.stop();
    console.info(`[write-only-sender] loggen sent ${sent}; ${metric(paused, "receiver_frames_total")} read before recovery; all ${seen.size} arrived`);
  });
});
