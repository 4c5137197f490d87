import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { serializeRecord, type SyslogRecord } from "@aws-syslog/record";
import { sampleRecord } from "../../packages/forwarder/src/testing/sample-record.js";
import { s3Notification, sqsRecord } from "../../packages/forwarder/src/testing/sqs-event.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../fakes/cloudwatch-logs-server.js";
import { startFakeS3, type FakeS3 } from "../fakes/s3-server.js";

/**
 * Item 2 of the reliability issue, CloudWatch half: staging objects → the cloudwatch Lambda
 * handler (in-process, the production module with its own SDK clients) → CloudWatch Logs that
 * fails 5 % of PutLogEvents calls at random (throttling, 500, 503, and answers lost after the
 * events were stored). SQS is played by the test: a batch of up to 10 messages per invocation,
 * every batch item failure (or a whole failed batch) received again, and a message received
 * MAX_RECEIVE_COUNT times would go to the DLQ, which fails the test. Every numbered event must
 * arrive in its log group; duplicates are counted (at-least-once) and must be explained by an
 * ambiguous outcome: a lost answer (the writer retries a stored batch) or a redelivered object
 * (the whole object is sent again; only a fully forwarded object is tagged and skipped).
 */
const RECORDS_PER_OBJECT = 160;
/** Firehose writes one S3 object from several records, each a gzip member of NDJSON lines. */
const MEMBERS_PER_OBJECT = 4;
const HOSTS = 8;
/** infra/fanout.ts MAX_RECEIVE_COUNT (SQS redrive policy): the 5th failed receive goes to the DLQ. */
const MAX_RECEIVE_COUNT = 5;
/** Messages per simulated SQS batch: more than infra/forwarder-iam.ts SQS_BATCH_SIZE (1), so the
 * handler's partial batch responses and its one-at-a-time processing are exercised too. */
const SQS_BATCH_SIZE = 10;
const BUCKET = "staging";
const PUT_FAIL_RATE = 0.05;
const SEED = Number(process.env.RELIABILITY_SEED ?? 20261123);

/** Facility → the one log group the default routes send it to (forwarder core/route.ts). */
const GROUPS = [
  { facility: 3, facilityName: "daemon", group: "/var/log/messages" },
  { facility: 10, facilityName: "authpriv", group: "/var/log/secure" },
  { facility: 16, facilityName: "local0", group: "/aws-syslog/onegate" },
] as const;

/** The Lambda types come from the handler itself (aws-lambda's types are the forwarder's dependency). */
type CloudWatchHandler = typeof import("../../packages/forwarder/src/handlers/cloudwatch.js").handler;
type SQSEvent = Parameters<CloudWatchHandler>[0];
type Context = Parameters<CloudWatchHandler>[1];

const context = { functionName: "forwarder-cloudwatch", awsRequestId: "reliability", getRemainingTimeInMillis: () => 300_000 } as unknown as Context;

function record(seq: number, at: Date): SyslogRecord {
  const { facility, facilityName } = GROUPS[seq % GROUPS.length]!;
  const time = at.toISOString();
  const base = { timestamp: time, received_at: time, facility, facility_name: facilityName, hostname: `host-${seq % HOSTS}`, app_name: "rel-cw" };
  return facility === 16
    ? sampleRecord({ ...base, message: JSON.stringify({ seq, event: "login" }), message_json: { seq, event: "login" } })
    : sampleRecord({ ...base, message: `rel-cw seq=${seq}` });
}

/** The sequence number an event carries: classic syslog line for /var/log/*, JSON for OneGate. */
function seqOf(group: string, message: string): number {
  if (group === "/aws-syslog/onegate") return (JSON.parse(message) as { seq: number }).seq;
  const match = / rel-cw seq=(\d+)$/.exec(message);
  if (!match) throw new Error(`unexpected event in ${group}: ${message}`);
  return Number(match[1]);
}

interface Figures {
  scenario: string;
  sent: number;
  received: number;
  duplicates: number;
  lost: number;
  invocations: number;
  redelivered: number;
  putCalls: number;
  failed: FakeCloudWatchLogs["stats"]["failed"];
}

let s3: FakeS3 | undefined;
let cwl: FakeCloudWatchLogs | undefined;
const savedEnv = { ...process.env };

afterEach(async () => {
  await cwl?.close();
  await s3?.close();
  cwl = s3 = undefined;
  process.env = { ...savedEnv };
});

/** `objects` staging objects of RECORDS_PER_OBJECT numbered events each. */
async function runScenario(scenario: string, objects: number, env: Record<string, string>, seed: number): Promise<Figures> {
  const total = objects * RECORDS_PER_OBJECT;
  s3 = await startFakeS3();
  cwl = await startFakeCloudWatchLogs({
    groups: GROUPS.map((g) => g.group),
    faults: { seed, putFailRate: PUT_FAIL_RATE, kinds: ["throttle", "server-error", "unavailable", "lost-answer"] },
  });
  const start = Date.now() - 60_000;
  const queue: Array<{ id: string; body: string; receives: number }> = [];
  for (let o = 0; o < objects; o++) {
    const members: Buffer[] = [];
    const perMember = RECORDS_PER_OBJECT / MEMBERS_PER_OBJECT;
    for (let m = 0; m < MEMBERS_PER_OBJECT; m++) {
      const lines: string[] = [];
      for (let i = 0; i < perMember; i++) {
        const seq = o * RECORDS_PER_OBJECT + m * perMember + i;
        lines.push(serializeRecord(record(seq, new Date(start + seq))));
      }
      members.push(gzipSync(lines.join("")));
    }
    const key = `staging/2026/11/23/14/obj-${o}.gz`;
    s3.objects.set(`${BUCKET}/${key}`, Buffer.concat(members));
    queue.push({ id: `msg-${o}`, body: s3Notification([{ bucket: BUCKET, key }]), receives: 0 });
  }

  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cwl.endpoint, AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "test-secret", FORWARDER_S3_FORCE_PATH_STYLE: "true",
    FORWARDER_RETRY_BASE_DELAY_MS: "1", FORWARDER_RETRY_MAX_DELAY_MS: "20", LOG_LEVEL: "silent", ...env,
  });
  // The handler builds its config and clients when its module loads: a fresh copy per scenario.
  vi.resetModules();
  const { handler } = await import("../../packages/forwarder/src/handlers/cloudwatch.js");

  let invocations = 0;
  let redelivered = 0;
  const dlq: string[] = [];
  while (queue.length > 0) {
    const batch = queue.splice(0, SQS_BATCH_SIZE);
    for (const m of batch) m.receives += 1;
    invocations += 1;
    let failedIds: string[];
    try {
      const event: SQSEvent = { Records: batch.map((m) => sqsRecord(m.body, m.id)) };
      failedIds = (await handler(event, context)).batchItemFailures.map((f) => f.itemIdentifier);
    } catch (err) {
      // Powertools throws when every message of the batch failed: Lambda fails the invocation
      // and SQS makes the whole batch visible again.
      expect((err as Error).message).toMatch(/All records failed processing/);
      failedIds = batch.map((m) => m.id);
    }
    for (const m of batch.filter((b) => failedIds.includes(b.id))) {
      if (m.receives >= MAX_RECEIVE_COUNT) dlq.push(m.id);
      else {
        redelivered += 1;
        queue.push(m);
      }
    }
  }
  expect(dlq, "messages that would have gone to the DLQ").toEqual([]);

  const counts = new Map<number, number>();
  for (const { group } of GROUPS) {
    for (const events of cwl.groups.get(group)!.values()) {
      for (const e of events) {
        const seq = seqOf(group, e.message);
        expect(GROUPS[seq % GROUPS.length]!.group, `seq ${seq} landed in ${group}`).toBe(group);
        counts.set(seq, (counts.get(seq) ?? 0) + 1);
      }
    }
  }
  // Received: distinct events that arrived; duplicates: the extra copies.
  const received = counts.size;
  let duplicates = 0;
  for (const n of counts.values()) duplicates += n - 1;
  const lost = Array.from({ length: total }, (_, seq) => seq).filter((seq) => !counts.has(seq));
  const figures: Figures = { scenario, sent: total, received, duplicates, lost: lost.length, invocations, redelivered, putCalls: cwl.stats.puts, failed: { ...cwl.stats.failed } };
  console.log(
    `| ${scenario} | ${total} events, ${objects} objects, ${HOSTS} hosts × 3 groups | ${PUT_FAIL_RATE * 100} % of ${figures.putCalls} PutLogEvents failed: ` +
      `${figures.failed.throttle} throttled, ${figures.failed["server-error"]} × 500, ${figures.failed.unavailable} × 503, ${figures.failed["lost-answer"]} answers lost after storing; ` +
      `${redelivered} SQS redeliveries over ${invocations} invocations | ${total} | ${received} | ${duplicates} | ${lost.length} |`,
  );
  expect(lost.slice(0, 20), `${lost.length} events never arrived`).toEqual([]);
  expect([...counts.keys()].every((seq) => seq >= 0 && seq < total)).toBe(true);
  // Every fault kind happened, so "nothing lost" was earned under all of them.
  for (const kind of ["throttle", "server-error", "unavailable", "lost-answer"] as const) expect(figures.failed[kind], kind).toBeGreaterThan(0);
  // Every object ends tagged as forwarded (a redelivery after that is skipped, not resent).
  expect([...s3.objects.keys()].filter((k) => !s3!.tags.get(k)?.includes("<Key>forwarded-cloudwatch</Key>"))).toEqual([]);
  return figures;
}

describe("CloudWatch Logs with 5 % of PutLogEvents failing: every event arrives, duplicates counted", () => {
  it("default retry budget (FORWARDER_CLOUDWATCH_MAX_RETRIES=5)", async () => {
    const f = await runScenario("PutLogEvents 5 % failures, 5 retries (default)", 100, {}, SEED);
    // With the default budget the writer's retries absorb the faults; only lost answers (a
    // stored batch sent again) can duplicate. A batch holds the events of one stream of one
    // object, at most RECORDS_PER_OBJECT / (HOSTS × 3) rounded up.
    const perBatch = Math.ceil(RECORDS_PER_OBJECT / (HOSTS * GROUPS.length));
    expect(f.duplicates).toBeLessThanOrEqual((f.failed["lost-answer"] + f.redelivered * (HOSTS * GROUPS.length)) * perBatch);
  });

  it("one retry (FORWARDER_CLOUDWATCH_MAX_RETRIES=1): failed objects go back to SQS and are sent again", async () => {
    const f = await runScenario("PutLogEvents 5 % failures, 1 retry, SQS redelivery", 150, { FORWARDER_CLOUDWATCH_MAX_RETRIES: "1" }, SEED + 1);
    // About 6 % of objects exhaust the single retry on one of their 24 batches (0.05² each):
    // ~9 of 150 expected, so none at all would mean the SQS path was not exercised.
    expect(f.redelivered).toBeGreaterThan(0);
    expect(f.duplicates).toBeGreaterThan(0);
    const perBatch = Math.ceil(RECORDS_PER_OBJECT / (HOSTS * GROUPS.length));
    expect(f.duplicates).toBeLessThanOrEqual(f.failed["lost-answer"] * perBatch + f.redelivered * RECORDS_PER_OBJECT);
  });
});
