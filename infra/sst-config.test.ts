import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WILDCARD_RESOURCE_ACTIONS } from "./iam.js";
import { asArray, assertLeastPrivilege, statements } from "./policy-check.js";
import { created, installSstHarness, platformInstalled, rpcCalls, settleAll, stopHarness } from "./sst-harness.js";

/**
 * Smoke test of the whole sst.config.ts run() under mocks: the wiring between SST components
 * and infra/*.ts modules. Skipped until `sst install` has written .sst/platform (CI runs it).
 */
const CONFIG = {
  certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0b9a6c1e-1111-2222-3333-444455556666",
  allowedSourceCidrs: ["203.0.113.0/24"],
};

/** Mocks receive secret inputs wrapped as { <secret signature>: …, value }; the image digest path marks these as secret. */
const unsecret = (v: unknown): string => (typeof v === "object" && v !== null && "value" in v ? String((v as { value: unknown }).value) : String(v));

const ACCOUNT = "123456789012";
/** Every ARN the mocks give a resource this stack creates starts so (sst-harness.ts). */
const MOCK_ARN = `arn:aws:mock:eu-west-1:${ACCOUNT}:`;
const EC2 = `arn:aws:ec2:eu-west-1:${ACCOUNT}`;
const only = (type: string, name?: string) => {
  const r = created.filter((c) => c.type === type && !c.read && (name === undefined || c.name === name));
  expect(r, `${type} ${name ?? ""}`).toHaveLength(1);
  return r[0]!.inputs;
};
/** Every policy document the stack creates, by where it sits. */
function policyDocuments(): Array<{ where: string; kind: "trust" | "identity" | "resource" | "bucket" | "key"; doc: string }> {
  const docs: ReturnType<typeof policyDocuments> = [];
  for (const c of created.filter((x) => !x.read)) {
    const i = c.inputs;
    if (c.type === "aws:iam/role:Role") {
      docs.push({ where: `${c.name} trust`, kind: "trust", doc: i.assumeRolePolicy });
      for (const p of i.inlinePolicies ?? []) docs.push({ where: `${c.name} ${p.name}`, kind: "identity", doc: p.policy });
    } else if (c.type === "aws:iam/rolePolicy:RolePolicy" || c.type === "aws:iam/policy:Policy") {
      // unsecret: the image pull policy names the image's repository, and the image digest is a secret output.
      docs.push({ where: c.name, kind: "identity", doc: unsecret(i.policy) });
    }
    else if (c.type === "aws:sns/topicPolicy:TopicPolicy" || c.type === "aws:sqs/queuePolicy:QueuePolicy") docs.push({ where: c.name, kind: "resource", doc: i.policy });
    else if (c.type === "aws:s3/bucketPolicy:BucketPolicy") docs.push({ where: c.name, kind: "bucket", doc: i.policy });
    else if (c.type === "aws:kms/key:Key") docs.push({ where: c.name, kind: "key", doc: i.policy });
    else if (i.policy !== undefined || i.assumeRolePolicy !== undefined || i.policyArn !== undefined || i.inlinePolicies !== undefined) docs.push({ where: `${c.type} ${c.name}`, kind: "identity", doc: "unexpected policy-bearing resource" });
  }
  return docs;
}

describe.skipIf(!platformInstalled)("sst.config.ts run() under mocks", () => {
  let outputs: Record<string, unknown>;
  let cfg: { app: (i: { stage: string }) => { home: string }; run: () => Promise<Record<string, unknown>> };
  beforeAll(async () => {
    process.env.SYSLOG_STAGE_CONFIG = JSON.stringify(CONFIG);
    await installSstHarness("test");
    cfg = (await import("../sst.config.js")).default as unknown as typeof cfg;
    expect(cfg.app({ stage: "test" }).home).toBe("aws");
    outputs = await cfg.run();
    await settleAll();
  }, 120_000);
  afterAll(() => stopHarness());

  it("a bad stage configuration stops run() before any resource, naming each field", async () => {
    const before = created.length;
    try {
      process.env.SYSLOG_STAGE_CONFIG = JSON.stringify({ ...CONFIG, certificateArn: undefined, logRetentionDays: 31, tasks: { desired: 1, min: 2, max: 3 } });
      await expect(cfg.run()).rejects.toThrow(/^INFRA_STAGE_CONFIG_INVALID: certificateArn: required when nlbMode is "tls"; logRetentionDays: .*; tasks: expected min ≤ desired ≤ max/);
      // Valid on its own, but not in the provider's region (the mocks answer eu-west-1).
      process.env.SYSLOG_STAGE_CONFIG = JSON.stringify({ ...CONFIG, region: "us-east-1", certificateArn: CONFIG.certificateArn.replace("eu-west-1", "us-east-1") });
      await expect(cfg.run()).rejects.toThrow(/INFRA_STAGE_CONFIG_INVALID: region: stage config says us-east-1 but the AWS provider is in eu-west-1/);
    } finally {
      process.env.SYSLOG_STAGE_CONFIG = JSON.stringify(CONFIG);
    }
    expect(created.length).toBe(before);
  });

  it("creates every kind of resource the pipeline needs", () => {
    const types = new Set(created.map((c) => c.type));
    for (const t of [
      "aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup", "aws:s3/bucket:Bucket", "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
      "aws:sns/topic:Topic", "aws:sqs/queue:Queue", "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener",
      "aws:lb/targetGroup:TargetGroup", "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition", "aws:appautoscaling/policy:Policy",
      "aws:lambda/function:Function", "aws:lambda/eventSourceMapping:EventSourceMapping", "aws:glue/catalogTable:CatalogTable",
      "aws:athena/workgroup:Workgroup", "aws:cloudwatch/metricAlarm:MetricAlarm", "docker-build:index:Image",
    ]) expect(types, t).toContain(t);
    expect(rpcCalls).toContain("Provider.Aws.Bootstrap");
  });

  it("wires the ECS service to our target group, roles and hardened container", () => {
    const svc = created.find((c) => c.type === "aws:ecs/service:Service")!.inputs;
    // Stage default relp: true, mode tls: syslog on 6601 and plain RELP on 2514 behind the NLB.
    expect(svc.loadBalancers).toEqual([expect.objectContaining({ containerName: "Receiver", containerPort: 6601 }), expect.objectContaining({ containerName: "Receiver", containerPort: 2514 })]);
    expect(svc.enableExecuteCommand).toBe(false);
    expect(svc.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    expect(svc.networkConfiguration.assignPublicIp).toBe(false);
    const td = created.find((c) => c.type === "aws:ecs/taskDefinition:TaskDefinition")!.inputs;
    const [container] = JSON.parse(unsecret(td.containerDefinitions));
    expect(container).toMatchObject({ stopTimeout: 30, readonlyRootFilesystem: true });
    const env = Object.fromEntries(container.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(container.portMappings.map((p: { containerPort: number }) => p.containerPort)).toEqual([6601, 2514, 8080]);
    expect(env).toMatchObject({ RECEIVER_RELP_PORT: "2514", RECEIVER_RELP_PROXY_PROTOCOL: "required", RECEIVER_TCP_PORT: "6601", RECEIVER_TCP_PROXY_PROTOCOL: "required", RECEIVER_FIREHOSE_STREAMS: "syslog-test-ingest-0,syslog-test-ingest-1" });
    const image = created.find((c) => c.type === "docker-build:index:Image")!.inputs;
    expect(image.dockerfile.location).toMatch(/packages\/receiver\/Dockerfile$/);
    expect(image.platforms).toEqual(["linux/arm64"]);
  });

  it("encrypts every log group: the route groups, the forwarders', Firehose's and SST's container group", () => {
    const groups = created.filter((c) => c.type === "aws:cloudwatch/logGroup:LogGroup");
    expect(groups.length).toBeGreaterThanOrEqual(9);
    for (const g of groups) expect(g.inputs.kmsKeyId, g.name).toMatch(/^arn:/);
  });

  it("runs both forwarders on arm64 in the VPC with partial batch responses", () => {
    const fns = created.filter((c) => c.type === "aws:lambda/function:Function").map((f) => f.inputs);
    expect(fns).toHaveLength(2);
    for (const f of fns) {
      expect(f.architectures).toEqual(["arm64"]);
      expect(f.runtime).toMatch(/^nodejs(2[0-9])\.x$/);
      expect(f.vpcConfig.subnetIds.length).toBeGreaterThanOrEqual(2);
      expect(f.environment.variables.FORWARDER_ROUTES).toContain("/var/log/secure");
    }
    for (const m of created.filter((c) => c.type === "aws:lambda/eventSourceMapping:EventSourceMapping")) expect(m.inputs.functionResponseTypes).toEqual(["ReportBatchItemFailures"]);
  });

  it("walks every policy the stack creates, and nothing carries a policy the walk does not know", () => {
    const docs = policyDocuments();
    expect(docs.filter((d) => d.doc === "unexpected policy-bearing resource").map((d) => d.where)).toEqual([]);
    expect(docs.map((d) => d.where).sort()).toEqual([
      "ForwarderArchiveRole inline", "ForwarderArchiveRole trust", "ForwarderCloudwatchRole inline", "ForwarderCloudwatchRole trust",
      "syslog-testArchivePolicy", "syslog-testArchiveQueuePolicy", "syslog-testAthenaResultsPolicy", "syslog-testCloudwatchQueuePolicy",
      "syslog-testFirehoseRole trust", "syslog-testFirehoseRolePolicy", "syslog-testKey",
      "syslog-testReceiverExecutionRole start-task", "syslog-testReceiverExecutionRole trust", "syslog-testReceiverImagePull",
      "syslog-testReceiverTaskRole put-records", "syslog-testReceiverTaskRole trust",
      "syslog-testStagingEventsPolicy", "syslog-testStagingPolicy",
    ].sort());
    // No AWS managed policy anywhere: their resources are "*", and the walk above could not see them.
    for (const r of created.filter((c) => c.type === "aws:iam/role:Role" && !c.read)) expect(r.inputs.managedPolicyArns ?? [], r.name).toEqual([]);
    expect(created.filter((c) => /policyAttachment/i.test(c.type)).map((c) => c.name)).toEqual([]);
  });

  it("identity policies (task, execution, image pull, both Lambdas, Firehose): explicit actions, our resources only", () => {
    const subnets = created.filter((c) => c.type === "aws:ec2/subnet:Subnet" && c.name.startsWith("VpcPrivateSubnet")).map((c) => `${EC2}:subnet/${c.name}-id`);
    expect(subnets).toHaveLength(2);
    const ours = [
      MOCK_ARN, // streams, buckets (and their prefixes), queues, key, created log groups
      `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws-syslog/test/receiver:log-stream:`, // SST creates it by this name
      `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/sst-asset-mock`, // the repository SST pushes the receiver image to
      `${EC2}:network-interface/*`, ...subnets, `${EC2}:security-group/syslog-testLambdaSg-id`,
    ];
    const identity = policyDocuments().filter((d) => d.kind === "identity");
    expect(identity.length).toBe(6);
    for (const d of identity) {
      try {
        assertLeastPrivilege(statements(d.doc), ours, WILDCARD_RESOURCE_ACTIONS);
      } catch (err) {
        throw new Error(`${d.where}: ${(err as Error).message}`);
      }
    }
    const wildcard = identity.flatMap((d) => statements(d.doc).filter((s) => asArray(s.Resource).includes("*")).flatMap((s) => asArray(s.Action)));
    expect([...new Set(wildcard)].sort()).toEqual(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ecr:GetAuthorizationToken"]);
  });

  it("every role is assumable by exactly one AWS service, never by an account or user", () => {
    const trusts = policyDocuments().filter((d) => d.kind === "trust");
    expect(trusts).toHaveLength(5);
    for (const t of trusts) {
      const [st, ...rest] = statements(t.doc);
      expect(rest, t.where).toEqual([]);
      expect(st!.Action, t.where).toBe("sts:AssumeRole");
      expect(Object.keys(st!.Principal as object), t.where).toEqual(["Service"]);
      expect((st!.Principal as { Service: unknown }).Service, t.where).toMatch(/^(ecs-tasks|lambda|firehose)\.amazonaws\.com$/);
    }
  });

  it("resource policies: SNS and SQS allow one service, one action, with a source condition; buckets only deny", () => {
    for (const d of policyDocuments().filter((x) => x.kind === "resource")) {
      const allow = statements(d.doc).filter((s) => s.Effect === "Allow");
      expect(allow.length, d.where).toBe(1);
      assertLeastPrivilege(allow, [MOCK_ARN]);
      expect(Object.keys(allow[0]!.Principal as object), d.where).toEqual(["Service"]);
      expect(JSON.stringify(allow[0]!.Condition), d.where).toMatch(/aws:SourceArn/);
    }
    for (const d of policyDocuments().filter((x) => x.kind === "bucket")) expect(statements(d.doc).every((s) => s.Effect === "Deny"), d.where).toBe(true);
  });

  it("key policy: the account root (AWS's default, so IAM can grant use) and services held by conditions", () => {
    for (const s of statements(policyDocuments().find((d) => d.kind === "key")!.doc)) {
      if (s.Sid === "AccountAdministersKeyThroughIam") expect(s.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
      else {
        for (const a of asArray(s.Action)) expect(a, s.Sid).not.toContain("*");
        expect(s.Condition, s.Sid).toBeDefined();
      }
    }
  });

  it("forwarder Lambdas log to our own encrypted groups, and SST creates none of its own", () => {
    for (const consumer of ["cloudwatch", "archive"]) {
      const fn = created.find((c) => c.type === "aws:lambda/function:Function" && c.name.toLowerCase().includes(consumer))!.inputs;
      expect(fn.loggingConfig.logGroup).toBe(`/aws-syslog/test/forwarder-${consumer}`);
      const group = created.find((c) => c.type === "aws:cloudwatch/logGroup:LogGroup" && c.inputs.name === `/aws-syslog/test/forwarder-${consumer}`)!.inputs;
      expect(group).toMatchObject({ kmsKeyId: expect.stringMatching(/^arn:/), retentionInDays: 30 });
    }
    expect(created.filter((c) => c.type === "aws:cloudwatch/logGroup:LogGroup" && /^\/aws\/lambda\//.test(c.inputs.name ?? "")).map((c) => c.name)).toEqual([]);
  });

  it("both forwarder functions run with a 16 MiB semi-space; only the archive function writes ZSTD Parquet", () => {
    const env = (consumer: string) => {
      const fn = created.find((c) => c.type === "aws:lambda/function:Function" && c.name.toLowerCase().includes(consumer))!.inputs;
      expect(fn.runtime, consumer).toBe("nodejs22.x"); // node:zlib has zstd from 22.15
      return fn.environment.variables as Record<string, string>;
    };
    expect(env("archive")).toMatchObject({ FORWARDER_ARCHIVE_COMPRESSION: "zstd", NODE_OPTIONS: "--max-semi-space-size=16", FORWARDER_ARCHIVE_PREFIX: "archive/" });
    expect(env("cloudwatch")).toMatchObject({ NODE_OPTIONS: "--max-semi-space-size=16" });
    expect(env("cloudwatch")).not.toHaveProperty("FORWARDER_ARCHIVE_COMPRESSION");
  });

  it("an unhealthy-hosts and a no-healthy-hosts alarm on BOTH target groups (syslog 6514, RELP 2514)", () => {
    const alarms = created.filter((c) => c.type === "aws:cloudwatch/metricAlarm:MetricAlarm").map((c) => c.inputs);
    for (const tg of ["syslog-testTg", "syslog-testRelpTg"]) {
      const onTg = alarms.filter((a) => a.dimensions?.TargetGroup === `net/${tg}/0123`);
      expect(onTg.map((a) => a.metricName).sort(), tg).toEqual(["HealthyHostCount", "UnHealthyHostCount"]);
      for (const a of onTg) expect(a.dimensions.LoadBalancer).toBe("net/syslog-testNlb/0123");
    }
    for (const m of ["DeliveryToS3.Success", "ApproximateNumberOfMessagesVisible", "Errors"]) expect(alarms.map((a) => a.metricName)).toContain(m);
    expect(alarms.filter((a) => a.metricQueries).map((a) => a.alarmDescription)).toEqual([expect.stringMatching(/No syslog records .* 15 minutes/)]);
  });

  it("one drain deadline: the task's RECEIVER_DRAIN_TIMEOUT_MS, ECS stopTimeout (+5 s) and both target groups' deregistration delay", () => {
    const td = created.find((c) => c.type === "aws:ecs/taskDefinition:TaskDefinition")!.inputs;
    const [container] = JSON.parse(unsecret(td.containerDefinitions));
    const env = Object.fromEntries(container.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
    const drainMs = Number(env.RECEIVER_DRAIN_TIMEOUT_MS);
    expect(drainMs).toBe(25_000);
    expect(container.stopTimeout).toBe(drainMs / 1000 + 5);
    const tgs = created.filter((c) => c.type === "aws:lb/targetGroup:TargetGroup").map((c) => c.inputs.deregistrationDelay);
    expect(tgs).toEqual([drainMs / 1000, drainMs / 1000]);
  });

  it("scales on CPU and on active flows per task, between tasks.min and tasks.max", () => {
    const target = only("aws:appautoscaling/target:Target");
    expect(target).toMatchObject({ minCapacity: 2, maxCapacity: 10, scalableDimension: "ecs:service:DesiredCount" });
    const policies = created.filter((c) => c.type === "aws:appautoscaling/policy:Policy").map((c) => c.inputs);
    expect(policies).toHaveLength(2);
    for (const p of policies) expect(p.resourceId).toBe(target.resourceId);
    expect(policies.find((p) => p.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification)?.targetTrackingScalingPolicyConfiguration).toMatchObject({
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" }, targetValue: 60,
    });
    const flows = policies.find((p) => p.targetTrackingScalingPolicyConfiguration.customizedMetricSpecification)!.targetTrackingScalingPolicyConfiguration;
    expect(flows.targetValue).toBe(2000);
    expect(flows.customizedMetricSpecification.metrics.map((m: { metricStat?: { metric: { metricName: string } } }) => m.metricStat?.metric.metricName)).toEqual(["ActiveFlowCount", "HealthyHostCount", undefined]);
  });

  it("network: private subnets in two AZs, VPC endpoints, no NAT gateway by default", () => {
    const priv = created.filter((c) => c.type === "aws:ec2/subnet:Subnet" && c.name.startsWith("VpcPrivateSubnet")).map((c) => c.inputs.availabilityZone);
    expect(new Set(priv).size).toBe(2);
    expect(created.filter((c) => c.type === "aws:ec2/natGateway:NatGateway")).toEqual([]);
    const endpoints = created.filter((c) => c.type === "aws:ec2/vpcEndpoint:VpcEndpoint").map((c) => c.inputs.serviceName);
    for (const s of ["s3", "kinesis-firehose", "logs", "ecr.api", "ecr.dkr", "kms", "sts"]) expect(endpoints).toContain(`com.amazonaws.eu-west-1.${s}`);
    const svc = created.find((c) => c.type === "aws:ecs/service:Service")!.inputs;
    expect(svc.networkConfiguration.subnets).toEqual(["VpcPrivateSubnet1-id", "VpcPrivateSubnet2-id"]);
  });

  it("returns the outputs operators need", () => {
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["nlbDnsName", "elasticIps", "stagingBucket", "archiveBucket", "logGroups"]));
    // What `pnpm cli doctor` reads from .sst/outputs.json.
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["nlbMode", "kmsKeyArn", "receiverLogGroup", "firehoseStreams", "dlqUrls"]));
  });

  it("output values: the NLB's DNS name, Elastic IPs, the bucket and log group names", async () => {
    const { all } = await import("@pulumi/pulumi");
    const v = await new Promise<Record<string, unknown>>((resolve) => all(outputs).apply((x) => { resolve(x as Record<string, unknown>); return x; }));
    expect(v.nlbDnsName).toBe("syslog-testNlb.elb.eu-west-1.amazonaws.com");
    expect(v.nlbMode).toBe("tls");
    expect(v.elasticIps).toEqual([]); // stage default "none"
    expect([v.stagingBucket, v.archiveBucket, v.athenaResultsBucket]).toEqual(["syslog-testStaging", "syslog-testArchive", "syslog-testAthenaResults"]);
    expect(v.logGroups).toEqual(["/var/log/messages", "/var/log/secure", "/var/log/maillog", "/var/log/cron", "/var/log/boot.log", "/aws-syslog/onegate"]);
    expect(v.receiverLogGroup).toBe("/aws-syslog/test/receiver");
    expect(v.forwarderLogGroups).toEqual(["/aws-syslog/test/forwarder-cloudwatch", "/aws-syslog/test/forwarder-archive"]);
  });
});
