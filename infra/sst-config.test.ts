import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe.skipIf(!platformInstalled)("sst.config.ts run() under mocks", () => {
  let outputs: Record<string, unknown>;
  beforeAll(async () => {
    process.env.SYSLOG_STAGE_CONFIG = JSON.stringify(CONFIG);
    await installSstHarness("test");
    const cfg = (await import("../sst.config.js")).default as unknown as { app: (i: { stage: string }) => { home: string }; run: () => Promise<Record<string, unknown>> };
    expect(cfg.app({ stage: "test" }).home).toBe("aws");
    outputs = await cfg.run();
    await settleAll();
  }, 120_000);
  afterAll(() => stopHarness());

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

  it("encrypts every log group, including SST's container and Lambda groups", () => {
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

  it("returns the outputs operators need", () => {
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["nlbDnsName", "elasticIps", "stagingBucket", "archiveBucket", "logGroups"]));
    // What `pnpm cli doctor` reads from .sst/outputs.json.
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["nlbMode", "kmsKeyArn", "receiverLogGroup", "firehoseStreams", "dlqUrls"]));
  });
});
