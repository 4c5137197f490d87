import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, byType, created, out, settled } from "./pulumi-mocks.js";
import { createEdge, HEALTH_PORT, RECEIVER_TCP_PORT, RELP_PORT, SYSLOG_TLS_PORT, TLS_POLICY } from "./edge.js";
import { createNetwork, INTERFACE_ENDPOINTS, vpcArgs } from "./network.js";

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
const base = { relp: true, vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", publicSubnetIds: ["subnet-a", "subnet-b"], allowedSourceCidrs: ["203.0.113.0/24"], deregistrationDelayS: 25, s3PrefixListId: "pl-s3" };

let ownIps: string[] = [];
beforeAll(async () => {
  installMocks();
  const net = createNetwork({ name: "n", region: "eu-west-1", vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", privateSubnetIds: ["subnet-p1", "subnet-p2"], privateRouteTableIds: ["rtb-1", "rtb-2"], secretsManager: true });
  createNetwork({ name: "plain", region: "eu-west-1", vpcId: "vpc-1", vpcCidr: "10.0.0.0/16", privateSubnetIds: ["subnet-p1"], privateRouteTableIds: ["rtb-1"], secretsManager: false });
  const tls = createEdge({ ...base, name: "tls", mode: "tls", certificateArn: CERT, elasticIps: "create" });
  const mtls = createEdge({ ...base, name: "mtls", mode: "mtls", elasticIps: "none" });
  const norelp = createEdge({ ...base, relp: false, name: "norelp", mode: "mtls", elasticIps: "none" });
  const own = createEdge({ ...base, name: "own", mode: "mtls", elasticIps: ["eipalloc-0a1", "eipalloc-0b2"] });
  ownIps = await out(own.elasticIps);
  expect(norelp.relp).toBeUndefined();
  expect(tls.relp?.targetPort).toBe(RELP_PORT);
  await Promise.all([out(net.s3Endpoint.id), out(tls.listener.arn), out(mtls.listener.arn), out(tls.relp!.listener.arn), out(mtls.relp!.listener.arn), out(norelp.listener.arn), out(tls.elasticIps)]);
  await settled();
});

const named = (type: string, prefix: string) => created.filter((r) => r.type === type && r.name.startsWith(prefix));
const only = (type: string, prefix: string) => {
  const r = named(type, prefix);
  expect(r, `${type} ${prefix}`).toHaveLength(1);
  return r[0]!.inputs;
};

describe("createNetwork", () => {
  it("has an S3 gateway endpoint on the private route tables and private-DNS interface endpoints for every service", () => {
    const eps = byType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.name.startsWith("n"));
    const s3 = eps.find((e) => e.inputs.vpcEndpointType === "Gateway")!.inputs;
    expect(s3.serviceName).toBe("com.amazonaws.eu-west-1.s3");
    expect(s3.routeTableIds).toEqual(["rtb-1", "rtb-2"]);
    const services = eps.filter((e) => e.inputs.vpcEndpointType === "Interface").map((e) => e.inputs.serviceName);
    for (const s of ["kinesis-firehose", "logs", "ecr.api", "ecr.dkr", "kms", "sts"]) expect(services).toContain(`com.amazonaws.eu-west-1.${s}`);
    expect(services).toHaveLength(INTERFACE_ENDPOINTS.length);
    for (const e of eps.filter((x) => x.inputs.vpcEndpointType === "Interface")) {
      expect(e.inputs.privateDnsEnabled).toBe(true);
      expect(e.inputs.subnetIds).toEqual(["subnet-p1", "subnet-p2"]);
    }
  });

  it("VPC: azCount AZs; a managed NAT gateway only with natGateway", () => {
    expect(vpcArgs({ azCount: 2, natGateway: false })).toEqual({ az: 2 });
    expect(vpcArgs({ azCount: 3, natGateway: true })).toEqual({ az: 3, nat: "managed" });
  });

  it("leaves out the Secrets Manager endpoint when no task reads secrets (mode tls)", () => {
    const plain = byType("aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.name.startsWith("plain")).map((e) => e.inputs.serviceName);
    expect(plain).not.toContain("com.amazonaws.eu-west-1.secretsmanager");
    expect(plain).toContain("com.amazonaws.eu-west-1.kinesis-firehose");
  });

  it("Lambda SG: no ingress, HTTPS egress to the VPC and the S3 prefix list only", () => {
    const sg = only("aws:ec2/securityGroup:SecurityGroup", "nLambdaSg");
    expect(sg.ingress).toEqual([]);
    expect(sg.egress.map((e: any) => [e.fromPort, e.toPort, e.cidrBlocks ?? e.prefixListIds])).toEqual([[443, 443, ["10.0.0.0/16"]], [443, 443, [expect.any(String)]]]);
  });
});

describe("createEdge", () => {
  it("internet-facing NLB with a security group, cross-zone, and one Elastic IP per subnet when asked", () => {
    const lb = only("aws:lb/loadBalancer:LoadBalancer", "tlsNlb");
    expect(lb).toMatchObject({ loadBalancerType: "network", internal: false, enableCrossZoneLoadBalancing: true });
    expect(lb.securityGroups).toHaveLength(1);
    expect(lb.subnetMappings.map((m: any) => m.subnetId)).toEqual(["subnet-a", "subnet-b"]);
    expect(lb.subnetMappings.every((m: any) => typeof m.allocationId === "string")).toBe(true);
    expect(named("aws:ec2/eip:Eip", "tlsEip")).toHaveLength(2);
    const plain = only("aws:lb/loadBalancer:LoadBalancer", "mtlsNlb");
    expect(plain.subnets).toEqual(["subnet-a", "subnet-b"]);
    expect(plain.subnetMappings).toBeUndefined();
  });

  it("existing Elastic IPs: one allocation id per subnet, none created, their addresses as the output", () => {
    expect(only("aws:lb/loadBalancer:LoadBalancer", "ownNlb").subnetMappings).toEqual([{ subnetId: "subnet-a", allocationId: "eipalloc-0a1" }, { subnetId: "subnet-b", allocationId: "eipalloc-0b2" }]);
    expect(named("aws:ec2/eip:Eip", "own")).toEqual([]);
    expect(ownIps).toEqual(["198.51.100.1", "198.51.100.2"]);
    expect(() => createEdge({ ...base, name: "bad2", mode: "mtls", elasticIps: ["eipalloc-0a1"] })).toThrow(/one Elastic IP per public subnet/);
  });

  it("mode tls: TLS listener on 6514 with the ACM certificate and the TLS 1.3/1.2 policy; TCP targets on the plain port", () => {
    const l = only("aws:lb/listener:Listener", "tlsListener");
    expect(l).toMatchObject({ protocol: "TLS", port: SYSLOG_TLS_PORT, certificateArn: CERT, sslPolicy: TLS_POLICY });
    expect(TLS_POLICY).toMatch(/^ELBSecurityPolicy-TLS13-1-2-/);
    expect(only("aws:lb/targetGroup:TargetGroup", "tlsTg")).toMatchObject({ protocol: "TCP", port: RECEIVER_TCP_PORT });
  });

  it("mode mtls: TCP listener passing TLS through to 6514, no certificate at the NLB, long idle timeout", () => {
    const l = only("aws:lb/listener:Listener", "mtlsListener");
    expect(l.protocol).toBe("TCP");
    expect(l.certificateArn).toBeUndefined();
    expect(l.sslPolicy).toBeUndefined();
    expect(l.tcpIdleTimeoutSeconds).toBeGreaterThan(350);
    expect(only("aws:lb/targetGroup:TargetGroup", "mtlsTg")).toMatchObject({ protocol: "TCP", port: SYSLOG_TLS_PORT });
  });

  it("mode tls, RELP: a TLS listener on 2514 with the same certificate and policy, plain RELP to the task's 2514", () => {
    expect(RELP_PORT).toBe(2514);
    const l = only("aws:lb/listener:Listener", "tlsRelpListener");
    expect(l).toMatchObject({ protocol: "TLS", port: RELP_PORT, certificateArn: CERT, sslPolicy: TLS_POLICY });
    expect(only("aws:lb/targetGroup:TargetGroup", "tlsRelpTg")).toMatchObject({ protocol: "TCP", port: RELP_PORT });
  });

  it("mode mtls, RELP: a TCP listener on 2514 passing RELP over TLS through to the task", () => {
    const l = only("aws:lb/listener:Listener", "mtlsRelpListener");
    expect(l).toMatchObject({ protocol: "TCP", port: RELP_PORT, tcpIdleTimeoutSeconds: expect.any(Number) });
    expect(l.certificateArn).toBeUndefined();
    expect(only("aws:lb/targetGroup:TargetGroup", "mtlsRelpTg")).toMatchObject({ protocol: "TCP", port: RELP_PORT });
  });

  it("relp off: no RELP listener, target group or port in the security groups", () => {
    expect(named("aws:lb/listener:Listener", "norelp").map((r) => r.inputs.port)).toEqual([SYSLOG_TLS_PORT]);
    expect(named("aws:lb/targetGroup:TargetGroup", "norelp")).toHaveLength(1);
    const nlb = only("aws:ec2/securityGroup:SecurityGroup", "norelpNlbSg");
    expect(nlb.ingress.map((r: any) => r.fromPort)).toEqual([SYSLOG_TLS_PORT]);
    expect(nlb.egress.map((r: any) => r.fromPort)).not.toContain(RELP_PORT);
    expect(only("aws:ec2/securityGroup:SecurityGroup", "norelpTaskSg").ingress.map((r: any) => r.fromPort)).not.toContain(RELP_PORT);
  });

  it.each(["tls", "mtls", "tlsRelp", "mtlsRelp"])("%s target group: PROXY v2, IP targets, drain-matched deregistration, quiet HTTP health check", (mode) => {
    const tg = only("aws:lb/targetGroup:TargetGroup", `${mode}Tg`);
    expect(tg).toMatchObject({ proxyProtocolV2: true, targetType: "ip", deregistrationDelay: 25, connectionTermination: true, preserveClientIp: "false" });
    expect(tg.healthCheck).toMatchObject({ protocol: "HTTP", port: String(HEALTH_PORT), path: "/health", matcher: "200" });
  });

  it.each(["tls", "mtls"])("%s security groups: senders only on 6514 and 2514; tasks only from the NLB", (mode) => {
    const nlb = only("aws:ec2/securityGroup:SecurityGroup", `${mode}NlbSg`);
    expect(nlb.ingress).toEqual([
      expect.objectContaining({ fromPort: 6514, toPort: 6514, cidrBlocks: ["203.0.113.0/24"] }),
      expect.objectContaining({ fromPort: 2514, toPort: 2514, cidrBlocks: ["203.0.113.0/24"] }),
    ]);
    const targetPort = mode === "tls" ? RECEIVER_TCP_PORT : SYSLOG_TLS_PORT;
    expect(nlb.egress.map((r: any) => [r.fromPort, r.cidrBlocks])).toEqual([[targetPort, ["10.0.0.0/16"]], [RELP_PORT, ["10.0.0.0/16"]], [HEALTH_PORT, ["10.0.0.0/16"]]]);
    const task = only("aws:ec2/securityGroup:SecurityGroup", `${mode}TaskSg`);
    expect(task.ingress.map((r: any) => r.fromPort)).toEqual([targetPort, RELP_PORT, HEALTH_PORT]);
    for (const rule of task.ingress) {
      expect(rule.cidrBlocks).toBeUndefined();
      expect(rule.securityGroups).toHaveLength(1);
    }
    expect(task.egress.every((e: any) => e.fromPort === 443)).toBe(true);
  });

  it("refuses mode tls without a certificate", () => {
    expect(() => createEdge({ ...base, name: "bad", mode: "tls", elasticIps: "none" })).toThrow(/certificateArn/);
  });
});
