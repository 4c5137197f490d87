import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, REGION, assertLeastPrivilege, byType, installMocks, one, out, settled, statements } from "./pulumi-mocks.js";
import { createFanout, MAX_RECEIVE_COUNT } from "./fanout.js";
import { createFirehose, firehoseRolePolicy } from "./firehose.js";
import { createEventSourceMapping, forwarderPermissions } from "./forwarder-iam.js";

const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/abc`;
const STAGING = "arn:aws:s3:::staging-bucket";
const ARCHIVE = "arn:aws:s3:::archive-bucket";
const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:q`;
const GROUPS = [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/var/log/messages`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/var/log/secure`];

beforeAll(async () => {
  installMocks();
  const f = createFirehose({ name: "t", count: 2, region: REGION, accountId: ACCOUNT, stagingBucketArn: STAGING, kmsKeyArn: KEY, retentionInDays: 30 });
  const fan = createFanout({ name: "t", stagingBucketId: "staging-bucket", stagingBucketArn: STAGING, accountId: ACCOUNT, kmsKeyArn: KEY, functionTimeoutS: 60 });
  createEventSourceMapping("tEsm", { functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:f", queueArn: fan.queues.archive.queue.arn });
  await out(f.streamArns);
  await settled();
});

describe("createFirehose", () => {
  it("creates N Direct PUT streams with SSE (our key), S3 prefixes, buffering, uncompressed, error logging", () => {
    const streams = byType("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
    expect(streams.map((s) => s.inputs.name)).toEqual(["t-ingest-0", "t-ingest-1"]);
    for (const { inputs } of streams) {
      expect(inputs.kinesisSourceConfiguration).toBeUndefined();
      expect(inputs.serverSideEncryption).toEqual({ enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: KEY });
      const s3 = inputs.extendedS3Configuration;
      expect(s3.bucketArn).toBe(STAGING);
      expect(s3.prefix).toMatch(/^staging\//);
      expect(s3.errorOutputPrefix).toContain("!{firehose:error-output-type}");
      expect(s3.compressionFormat).toBe("UNCOMPRESSED");
      expect(s3.kmsKeyArn).toBe(KEY);
      expect(s3.bufferingSize).toBeGreaterThan(0);
      expect(s3.bufferingInterval).toBeGreaterThan(0);
      expect(s3.cloudwatchLoggingOptions.enabled).toBe(true);
    }
    expect(one("aws:cloudwatch/logGroup:LogGroup", "tFirehose").inputs.kmsKeyId).toBe(KEY);
  });

  it("role: trusted by Firehose for this account only; writes only to staging with our key", () => {
    const trust = statements(one("aws:iam/role:Role", "tFirehose").inputs.assumeRolePolicy)[0]!;
    expect(trust.Principal).toEqual({ Service: "firehose.amazonaws.com" });
    expect(trust.Condition).toEqual({ StringEquals: { "sts:ExternalId": ACCOUNT } });
    const policy = statements(one("aws:iam/rolePolicy:RolePolicy", "tFirehose").inputs.policy);
    assertLeastPrivilege(policy, [STAGING, KEY, "arn:aws:mock:"]);
    expect(policy.find((s) => asList(s.Action).includes("kms:GenerateDataKey"))?.Condition.StringEquals["kms:ViaService"]).toBe(`s3.${REGION}.amazonaws.com`);
  });

  it("the least-privilege check itself rejects wildcards and foreign resources", () => {
    const p = statements(firehoseRolePolicy({ bucketArn: STAGING, keyArn: KEY, logGroupArn: GROUPS[0]!, region: REGION }));
    expect(() => assertLeastPrivilege(p, [STAGING, KEY])).toThrow(/not one of ours/);
    expect(() => assertLeastPrivilege([{ Effect: "Allow", Action: "s3:*", Resource: STAGING }], [STAGING])).toThrow(/wildcard/);
    expect(() => assertLeastPrivilege([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }], [STAGING])).toThrow(/not one of ours/);
  });
});

const asList = (x: string | string[]) => (Array.isArray(x) ? x : [x]);

describe("createFanout", () => {
  it("notifies an encrypted topic of staging/ objects only; the topic accepts only our bucket", () => {
    const n = one("aws:s3/bucketNotification:BucketNotification").inputs;
    expect(n.topics).toEqual([expect.objectContaining({ events: ["s3:ObjectCreated:*"], filterPrefix: "staging/" })]);
    expect(one("aws:sns/topic:Topic").inputs.kmsMasterKeyId).toBe(KEY);
    const st = statements(one("aws:sns/topicPolicy:TopicPolicy").inputs.policy)[0]!;
    expect(st.Principal).toEqual({ Service: "s3.amazonaws.com" });
    expect(st.Condition.ArnEquals["aws:SourceArn"]).toBe(STAGING);
  });

  it("one encrypted queue + DLQ per forwarder, raw delivery, redrive, TLS-only queue policy", () => {
    const queues = byType("aws:sqs/queue:Queue");
    expect(queues.map((q) => q.name).sort()).toEqual(["tArchiveDlq", "tArchiveQueue", "tCloudwatchDlq", "tCloudwatchQueue"]);
    for (const q of queues) expect(q.inputs.sqsManagedSseEnabled).toBe(true);
    const main = one("aws:sqs/queue:Queue", "tArchiveQueue").inputs;
    expect(main.visibilityTimeoutSeconds).toBe(360);
    expect(JSON.parse(main.redrivePolicy).maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
    expect(JSON.parse(main.redrivePolicy).deadLetterTargetArn).toMatch(/tArchiveDlq|Dlq/);
    for (const s of byType("aws:sns/topicSubscription:TopicSubscription")) expect(s.inputs).toMatchObject({ protocol: "sqs", rawMessageDelivery: true });
    for (const p of byType("aws:sqs/queuePolicy:QueuePolicy")) {
      const st = statements(p.inputs.policy);
      expect(st.find((s) => s.Effect === "Allow")?.Condition.ArnEquals["aws:SourceArn"]).toMatch(/sns/);
      expect(st.find((s) => s.Effect === "Deny")?.Condition.Bool["aws:SecureTransport"]).toBe("false");
    }
  });
});

describe("forwarder permissions and event source mapping", () => {
  const base = { queueArn: QUEUE, stagingBucketArn: STAGING, archiveBucketArn: ARCHIVE, archivePrefix: "archive/", keyArn: KEY, logGroupArns: GROUPS };
  const asStatements = (p: ReturnType<typeof forwarderPermissions>) => p.map((x) => ({ Effect: "Allow", Action: x.actions, Resource: x.resources }));

  it("cloudwatch: queue, staging objects, decrypt, log events on the route groups only; no archive writes", () => {
    const p = forwarderPermissions({ ...base, consumer: "cloudwatch" });
    assertLeastPrivilege(asStatements(p), [QUEUE, `${STAGING}/staging/`, KEY, ...GROUPS.map((g) => `${g}:log-stream:`)]);
    expect(p.flatMap((x) => x.actions)).not.toContain("s3:PutObject");
    expect(p.find((x) => x.actions.includes("s3:PutObjectTagging"))?.resources).toEqual([`${STAGING}/staging/*`]);
    expect(p.find((x) => x.actions.includes("logs:PutLogEvents"))?.resources).toEqual(GROUPS.map((g) => `${g}:log-stream:*`));
  });

  it("archive: writes only under the archive prefix; no log writes", () => {
    const p = forwarderPermissions({ ...base, consumer: "archive" });
    assertLeastPrivilege(asStatements(p), [QUEUE, `${STAGING}/staging/`, KEY, `${ARCHIVE}/archive/`]);
    expect(p.flatMap((x) => x.actions).some((a) => a.startsWith("logs:"))).toBe(false);
    expect(p.flatMap((x) => x.actions)).not.toContain("s3:PutObjectTagging");
  });

  it("mapping hands over one staging object per invocation, reports batch item failures and caps concurrency", () => {
    const esm = one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs;
    expect(esm.batchSize).toBe(1);
    expect(esm.maximumBatchingWindowInSeconds).toBeUndefined();
    expect(esm.functionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(esm.scalingConfig.maximumConcurrency).toBeGreaterThanOrEqual(2);
    expect(esm.eventSourceArn).toMatch(/tArchiveQueue/);
  });
});
