import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { httpsEgress } from "./network.js";
import type { NlbMode } from "./stage-config.js";

/**
 * The internet-facing NLB in front of the receiver tasks, its security groups, and the tasks'
 * security group. Mode `tls`: the NLB terminates TLS (ACM certificate) and forwards plain TCP
 * to RECEIVER_TCP_PORT. Mode `mtls`: a TCP listener passes TLS through to RECEIVER_TLS_PORT, where
 * the task checks client certificates (NLB's own mTLS does not pass the client identity on).
 * Both prepend PROXY protocol v2 so records carry the sender's address.
 *
 * With `relp`, a second listener on RELP_PORT does the same for RELP (rsyslog omrelp): mode
 * `tls` terminates TLS at the NLB and forwards plain RELP to RECEIVER_RELP_PORT, mode `mtls`
 * passes TLS through to RECEIVER_RELP_TLS_PORT. Same allowlist, its own target group.
 */
export const SYSLOG_TLS_PORT = 6514; // RFC 5425 §4.1
/** RELP on the NLB and in the task (rsyslog's conventional RELP port; plain behind a TLS
 * listener, RELP over TLS behind a TCP passthrough listener). */
export const RELP_PORT = 2514;
/** Receiver port behind a TLS listener (plain TCP, PROXY v2). */
export const RECEIVER_TCP_PORT = 6601;
export const HEALTH_PORT = 8080;
/** Newest NLB policy allowing TLS 1.3 and 1.2 only. https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** TCP listener idle timeout (60–6000 s; the TLS listener's is fixed at 350 s). Above the
 * receiver's 600 s idle timeout so the receiver, not the NLB, closes quiet connections. */
export const TCP_IDLE_TIMEOUT_S = 660;

export interface EdgeArgs {
  name: string;
  mode: NlbMode;
  certificateArn?: string;
  vpcId: pulumi.Input<string>;
  vpcCidr: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<string>[];
  allowedSourceCidrs: string[];
  /** Add the RELP listener, target group and security group rules. */
  relp: boolean;
  /** "none", "create" or one allocation id per public subnet. */
  elasticIps: "none" | "create" | string[];
  deregistrationDelayS: number;
  s3PrefixListId: pulumi.Input<string>;
}

export interface Edge {
  loadBalancer: aws.lb.LoadBalancer;
  listener: aws.lb.Listener;
  targetGroup: aws.lb.TargetGroup;
  nlbSecurityGroup: aws.ec2.SecurityGroup;
  taskSecurityGroup: aws.ec2.SecurityGroup;
  /** Port the receiver container listens on for syslog. */
  targetPort: number;
  /** The RELP listener and its target group (port `targetPort` in the task); absent without relp. */
  relp?: { listener: aws.lb.Listener; targetGroup: aws.lb.TargetGroup; targetPort: number };
  elasticIps: pulumi.Output<string[]>;
}

export function targetPortFor(mode: NlbMode): number {
  return mode === "tls" ? RECEIVER_TCP_PORT : SYSLOG_TLS_PORT;
}

export function createEdge(a: EdgeArgs): Edge {
  if (a.mode === "tls" && !a.certificateArn) throw new Error("createEdge: certificateArn is required in mode tls (validated by parseStageConfig)");
  const targetPort = targetPortFor(a.mode);
  // The task's RELP port: plain RELP in mode tls, RELP over TLS in mode mtls.
  const relpTargetPort = RELP_PORT;
  const relpIngress = a.relp ? [{ protocol: "tcp", fromPort: RELP_PORT, toPort: RELP_PORT, cidrBlocks: a.allowedSourceCidrs, description: "RELP from allowed senders" }] : [];
  const relpEgress = a.relp ? [{ protocol: "tcp", fromPort: relpTargetPort, toPort: relpTargetPort, cidrBlocks: [a.vpcCidr], description: "RELP to receiver tasks" }] : [];
  const nlbSecurityGroup = new aws.ec2.SecurityGroup(`${a.name}NlbSg`, {
    vpcId: a.vpcId,
    description: a.relp ? "Syslog NLB: 6514 and 2514 from allowed senders only" : "Syslog NLB: 6514 from allowed senders only",
    ingress: [{ protocol: "tcp", fromPort: SYSLOG_TLS_PORT, toPort: SYSLOG_TLS_PORT, cidrBlocks: a.allowedSourceCidrs, description: "syslog over TLS from allowed senders" }, ...relpIngress],
    egress: [
      { protocol: "tcp", fromPort: targetPort, toPort: targetPort, cidrBlocks: [a.vpcCidr], description: "to receiver tasks" },
      ...relpEgress,
      { protocol: "tcp", fromPort: HEALTH_PORT, toPort: HEALTH_PORT, cidrBlocks: [a.vpcCidr], description: "health checks" },
    ],
  });
  const taskSecurityGroup = new aws.ec2.SecurityGroup(`${a.name}TaskSg`, {
    vpcId: a.vpcId,
    description: "Receiver tasks: syslog and health from the NLB only",
    ingress: [
      { protocol: "tcp", fromPort: targetPort, toPort: targetPort, securityGroups: [nlbSecurityGroup.id], description: "syslog from the NLB" },
      ...(a.relp ? [{ protocol: "tcp", fromPort: relpTargetPort, toPort: relpTargetPort, securityGroups: [nlbSecurityGroup.id], description: "RELP from the NLB" }] : []),
      { protocol: "tcp", fromPort: HEALTH_PORT, toPort: HEALTH_PORT, securityGroups: [nlbSecurityGroup.id], description: "health checks from the NLB" },
    ],
    egress: httpsEgress(a.vpcCidr, a.s3PrefixListId),
  });

  const eips = a.elasticIps === "create"
    ? a.publicSubnetIds.map((_, i) => new aws.ec2.Eip(`${a.name}Eip${i}`, { domain: "vpc" }))
    : [];
  const allocationIds: pulumi.Input<string>[] | undefined =
    a.elasticIps === "create" ? eips.map((e) => e.allocationId) : Array.isArray(a.elasticIps) ? a.elasticIps : undefined;
  if (allocationIds && allocationIds.length !== a.publicSubnetIds.length) throw new Error("createEdge: one Elastic IP per public subnet");

  const loadBalancer = new aws.lb.LoadBalancer(`${a.name}Nlb`, {
    loadBalancerType: "network",
    internal: false,
    ipAddressType: "ipv4",
    securityGroups: [nlbSecurityGroup.id],
    enableCrossZoneLoadBalancing: true,
    ...(allocationIds
      ? { subnetMappings: a.publicSubnetIds.map((subnetId, i) => ({ subnetId, allocationId: allocationIds[i]! })) }
      : { subnets: a.publicSubnetIds }),
  });
  const targetGroupFor = (resource: string, port: number) => new aws.lb.TargetGroup(resource, {
    port,
    protocol: "TCP",
    targetType: "ip",
    vpcId: a.vpcId,
    proxyProtocolV2: true,
    // With IP targets and PROXY v2 the tasks see the NLB's address; the sender's comes in the header.
    preserveClientIp: "false",
    deregistrationDelay: a.deregistrationDelayS,
    // Close the remaining flows when the delay ends instead of leaving them to time out.
    connectionTermination: true,
    // HTTP on the health port, not TCP on the syslog port: the receiver logs nothing for it,
    // and GET /health turns 503 while draining so the NLB stops sending new flows at once.
    healthCheck: { protocol: "HTTP", port: String(HEALTH_PORT), path: "/health", matcher: "200", interval: 10, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 2 },
  });
  const listenerFor = (resource: string, port: number, tg: aws.lb.TargetGroup) => new aws.lb.Listener(resource, {
    loadBalancerArn: loadBalancer.arn,
    port,
    defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
    ...(a.mode === "tls"
      ? { protocol: "TLS", certificateArn: a.certificateArn, sslPolicy: TLS_POLICY }
      : { protocol: "TCP", tcpIdleTimeoutSeconds: TCP_IDLE_TIMEOUT_S }),
  });
  const targetGroup = targetGroupFor(`${a.name}Tg`, targetPort);
  const listener = listenerFor(`${a.name}Listener`, SYSLOG_TLS_PORT, targetGroup);
  let relp: Edge["relp"];
  if (a.relp) {
    const relpTargetGroup = targetGroupFor(`${a.name}RelpTg`, relpTargetPort);
    relp = { listener: listenerFor(`${a.name}RelpListener`, RELP_PORT, relpTargetGroup), targetGroup: relpTargetGroup, targetPort: relpTargetPort };
  }
  const elasticIps =
    a.elasticIps === "create" ? pulumi.all(eips.map((e) => e.publicIp))
    : Array.isArray(a.elasticIps) ? pulumi.all(a.elasticIps.map((id) => aws.ec2.getElasticIpOutput({ id }).publicIp))
    : pulumi.output([] as string[]);
  return { loadBalancer, listener, targetGroup, nlbSecurityGroup, taskSecurityGroup, targetPort, ...(relp ? { relp } : {}), elasticIps };
}
