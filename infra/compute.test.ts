import { beforeAll, describe, expect, it } from "vitest";
import { assertLeastPrivilege, installMocks, one, out, settled, statements } from "./pulumi-mocks.js";
import { containerImage, createActiveFlowScaling, createImagePullPolicy, createReceiverRoles, ecrRepositoryArn, hardenContainerDefinitions, receiverEnvironment, receiverSecrets, TMP_VOLUME } from "./compute.js";
import { WILDCARD_RESOURCE_ACTIONS } from "./iam.js";
import { parseStageConfig } from "./stage-config.js";

const STREAMS = ["arn:aws:firehose:eu-west-1:123456789012:deliverystream/s-ingest-0", "arn:aws:firehose:eu-west-1:123456789012:deliverystream/s-ingest-1"];
const SECRET = (n: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${n}-AbCdEf`;
const LOG_GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws-syslog/test/receiver";
const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sst-asset@sha256:0123abcd";
const tls = parseStageConfig({ certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", allowedSourceCidrs: ["203.0.113.0/24"] });
const mtls = parseStageConfig({ nlbMode: "mtls", allowedSourceCidrs: ["203.0.113.0/24"], receiverTls: { certSecretArn: SECRET("c"), keySecretArn: SECRET("k"), caSecretArn: SECRET("ca"), authMode: "x509/name", permittedPeers: ["onegate.example", "*.corp.example"] } });

beforeAll(async () => {
  installMocks();
  const r = createReceiverRoles({ name: "c", streamArns: STREAMS, secretArns: Object.values(receiverSecrets(mtls)), logGroupArn: LOG_GROUP });
  createReceiverRoles({ name: "plain", streamArns: STREAMS, secretArns: Object.values(receiverSecrets(tls)), logGroupArn: LOG_GROUP });
  createImagePullPolicy("c", r.executionRole, IMAGE);
  createActiveFlowScaling({ name: "c", resourceId: "service/cl/svc", loadBalancerArnSuffix: "net/lb/1", targetGroupArnSuffix: "targetgroup/tg/2", flowsPerTask: 2000 });
  await out(r.taskRole.arn);
  await settled();
});

describe("receiver environment", () => {
  it("mode tls: plain TCP listener behind the NLB, PROXY v2 required, TLS listener off", () => {
    const env = receiverEnvironment(tls, ["a", "b"], 6601);
    expect(env.RECEIVER_RELP_PORT).toBeUndefined();
    expect(env.RECEIVER_RELP_TLS_PORT).toBeUndefined();
    expect(env).toMatchObject({ RECEIVER_HOST: "0.0.0.0", RECEIVER_TLS_PORT: "off", RECEIVER_TCP_PORT: "6601", RECEIVER_TCP_PROXY_PROTOCOL: "required", RECEIVER_SINK: "firehose", RECEIVER_FIREHOSE_STREAMS: "a,b", RECEIVER_DRAIN_TIMEOUT_MS: "25000", RECEIVER_HEALTH_PORT: "8080" });
    expect(receiverSecrets(tls)).toEqual({});
  });
  it("mode mtls: TLS in the task with x509/name and permitted peers; PEMs from Secrets Manager", () => {
    const env = receiverEnvironment(mtls, ["a"], 6514);
    expect(env).toMatchObject({ RECEIVER_TLS_PORT: "6514", RECEIVER_TCP_PORT: "off", RECEIVER_TLS_PROXY_PROTOCOL: "required", RECEIVER_TLS_AUTH_MODE: "x509/name", RECEIVER_TLS_PERMITTED_PEERS: "onegate.example,*.corp.example" });
    expect(receiverSecrets(mtls)).toEqual({ RECEIVER_TLS_CERT_PEM: SECRET("c"), RECEIVER_TLS_KEY_PEM: SECRET("k"), RECEIVER_TLS_CA_PEM: SECRET("ca") });
  });
  it("RELP, mode tls: plain RELP behind the NLB's TLS listener, PROXY v2 required, RELP over TLS off", () => {
    const env = receiverEnvironment(tls, ["a"], 6601, 2514);
    expect(env).toMatchObject({ RECEIVER_RELP_PORT: "2514", RECEIVER_RELP_PROXY_PROTOCOL: "required", RECEIVER_TCP_PORT: "6601" });
    expect(env.RECEIVER_RELP_TLS_PORT).toBeUndefined();
  });
  it("RELP, mode mtls: RELP over TLS in the task (same certificate and auth mode), PROXY v2 required, plain RELP off", () => {
    const env = receiverEnvironment(mtls, ["a"], 6514, 2514);
    expect(env).toMatchObject({ RECEIVER_RELP_TLS_PORT: "2514", RECEIVER_RELP_TLS_PROXY_PROTOCOL: "required", RECEIVER_TLS_AUTH_MODE: "x509/name", RECEIVER_TLS_PORT: "6514" });
    expect(env.RECEIVER_RELP_PORT).toBeUndefined();
  });
  it("every variable it sets is one the receiver reads, and the result loads", async () => {
    const { loadConfig } = await import("../packages/receiver/src/config.js");
    const env = { ...receiverEnvironment(tls, ["a"], 6601, 2514), AWS_REGION: "eu-west-1" };
    expect(loadConfig(env)).toMatchObject({ relpPort: 2514, relpProxyProtocol: "required", tcpPort: 6601, tlsPort: null });
  });
});

describe("roles", () => {
  it("task role may only firehose:PutRecordBatch on our streams", () => {
    const role = one("aws:iam/role:Role", "cReceiverTaskRole").inputs;
    expect(role.inlinePolicies).toHaveLength(1);
    const st = statements(role.inlinePolicies[0].policy);
    expect(st).toEqual([expect.objectContaining({ Effect: "Allow", Action: ["firehose:PutRecordBatch"], Resource: STREAMS })]);
    assertLeastPrivilege(st, STREAMS);
    expect(role.managedPolicyArns ?? []).toEqual([]);
  });
  it("execution role: no managed policy; its own log streams, ECR login, the configured TLS secrets only", () => {
    const role = one("aws:iam/role:Role", "cReceiverExecutionRole").inputs;
    expect(role.managedPolicyArns).toEqual([]);
    expect(role.inlinePolicies).toHaveLength(1);
    const st = statements(role.inlinePolicies[0].policy);
    assertLeastPrivilege(st, [`${LOG_GROUP}:log-stream:`, ...Object.values(receiverSecrets(mtls))], WILDCARD_RESOURCE_ACTIONS);
    expect(st.find((s) => s.Sid === "ContainerLogs")).toMatchObject({ Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${LOG_GROUP}:log-stream:*`] });
    expect(st.find((s) => s.Sid === "ReadTlsSecrets")).toMatchObject({ Action: ["secretsmanager:GetSecretValue"], Resource: Object.values(receiverSecrets(mtls)) });
    // The only "*": ECR login, which IAM cannot scope.
    expect(st.filter((s) => s.Resource === "*")).toEqual([expect.objectContaining({ Action: ["ecr:GetAuthorizationToken"] })]);
  });
  it("execution role in mode tls reads no secret at all", () => {
    const st = statements(one("aws:iam/role:Role", "plainReceiverExecutionRole").inputs.inlinePolicies[0].policy);
    expect(st.flatMap((s) => s.Action)).not.toContain("secretsmanager:GetSecretValue");
  });
  it("both roles are assumable by ECS tasks only", () => {
    for (const r of ["cReceiverTaskRole", "cReceiverExecutionRole"]) {
      expect(statements(one("aws:iam/role:Role", r).inputs.assumeRolePolicy)).toEqual([{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    }
  });
  it("image pull: the receiver image's repository only", () => {
    const st = statements(one("aws:iam/rolePolicy:RolePolicy", "cReceiverImagePull").inputs.policy);
    assertLeastPrivilege(st, ["arn:aws:ecr:eu-west-1:123456789012:repository/sst-asset"]);
    expect(st).toEqual([expect.objectContaining({ Resource: ["arn:aws:ecr:eu-west-1:123456789012:repository/sst-asset"] })]);
    expect(st[0]!.Action).toEqual(["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]);
  });
  it("ecrRepositoryArn reads tags, digests and nested names, and refuses images outside ECR", () => {
    expect(ecrRepositoryArn("123456789012.dkr.ecr.eu-west-1.amazonaws.com/sst-asset:Receiver")).toBe("arn:aws:ecr:eu-west-1:123456789012:repository/sst-asset");
    expect(ecrRepositoryArn("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/receiver@sha256:ff00")).toBe("arn:aws:ecr:us-east-1:123456789012:repository/team/receiver");
    expect(() => ecrRepositoryArn("docker.io/library/node:20")).toThrow(/not an ECR image reference: docker.io/);
    expect(containerImage(JSON.stringify([{ name: "Receiver", image: IMAGE }]))).toBe(IMAGE);
    expect(() => containerImage("[]")).toThrow(/no image/);
  });
});

describe("container hardening", () => {
  it("stopTimeout above the drain deadline, read-only root with /tmp volume, explicit ports", () => {
    const [d] = JSON.parse(hardenContainerDefinitions(JSON.stringify([{ name: "Receiver", portMappings: [{ containerPortRange: "1-65535" }], pseudoTerminal: true }]), { drainTimeoutMs: 25_000 }, [6601, 2514, 8080]));
    expect(d.stopTimeout).toBe(30);
    expect(d.stopTimeout * 1000).toBeGreaterThan(25_000);
    expect(d.readonlyRootFilesystem).toBe(true);
    expect(d.pseudoTerminal).toBe(false);
    expect(d.portMappings).toEqual([{ containerPort: 6601, protocol: "tcp" }, { containerPort: 2514, protocol: "tcp" }, { containerPort: 8080, protocol: "tcp" }]);
    expect(d.mountPoints).toEqual([{ sourceVolume: TMP_VOLUME, containerPath: "/tmp", readOnly: false }]);
  });
});

describe("active-flow autoscaling", () => {
  it("tracks NLB active flows per healthy task on the ECS service", () => {
    const p = one("aws:appautoscaling/policy:Policy", "cActiveFlow").inputs;
    expect(p).toMatchObject({ policyType: "TargetTrackingScaling", serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: "service/cl/svc" });
    const spec = p.targetTrackingScalingPolicyConfiguration;
    expect(spec.targetValue).toBe(2000);
    const metrics = spec.customizedMetricSpecification.metrics;
    expect(metrics.find((m: any) => m.id === "flows").metricStat.metric.metricName).toBe("ActiveFlowCount");
    expect(metrics.filter((m: any) => m.returnData)).toEqual([expect.objectContaining({ expression: expect.stringContaining("flows /") })]);
  });
});
