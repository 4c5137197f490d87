import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HEALTH_PORT } from "./edge.js";
import { drainTimings, type StageConfig } from "./stage-config.js";

/**
 * What the receiver's Fargate service needs beyond SST's `sst.aws.Service`: the container's
 * environment and secrets (RECEIVER_* names from packages/receiver/src/config.ts), its own task
 * and execution roles (SST's defaults allow `ssmmessages:*` on "*" and every secret in the
 * account), a hardened container definition, and autoscaling on active flows per task.
 */
export const TASK_CPU = "0.5 vCPU";
export const TASK_MEMORY = "1 GB";
/** Graviton: about 20% cheaper per vCPU-hour than x86 on Fargate. */
export const TASK_ARCHITECTURE = "arm64";

/**
 * `relpTargetPort`: the task's RELP port behind the NLB (Edge.relp.targetPort), or null without
 * RELP. Mode tls: plain RELP (the NLB terminated TLS); mode mtls: RELP over TLS with the same
 * certificate and auth mode as syslog. PROXY v2 is required on it as on the syslog port.
 */
export function receiverEnvironment(c: StageConfig, streamNames: string[], targetPort: number, relpTargetPort: number | null = null): Record<string, string> {
  const common = {
    RECEIVER_HOST: "0.0.0.0",
    RECEIVER_HEALTH_PORT: String(HEALTH_PORT),
    RECEIVER_SINK: "firehose",
    RECEIVER_FIREHOSE_STREAMS: streamNames.join(","),
    RECEIVER_DRAIN_TIMEOUT_MS: String(c.drainTimeoutMs),
    RECEIVER_TLS_WATCH_FILES: "false", // material comes from ECS secrets, never from files
    LOG_LEVEL: "info",
  };
  if (c.nlbMode === "tls") {
    // The NLB terminated TLS; every flow starts with a PROXY v2 header (health checks use HTTP).
    const relp: Record<string, string> = relpTargetPort === null ? {} : { RECEIVER_RELP_PORT: String(relpTargetPort), RECEIVER_RELP_PROXY_PROTOCOL: "required" };
    return { ...common, RECEIVER_TLS_PORT: "off", RECEIVER_TCP_PORT: String(targetPort), RECEIVER_TCP_PROXY_PROTOCOL: "required", ...relp };
  }
  const t = c.receiverTls!;
  return {
    ...common,
    RECEIVER_TLS_PORT: String(targetPort),
    RECEIVER_TCP_PORT: "off",
    RECEIVER_TLS_PROXY_PROTOCOL: "required",
    RECEIVER_TLS_AUTH_MODE: t.authMode,
    ...(t.permittedPeers.length > 0 ? { RECEIVER_TLS_PERMITTED_PEERS: t.permittedPeers.join(",") } : {}),
    ...(relpTargetPort === null ? ({} as Record<string, string>) : { RECEIVER_RELP_TLS_PORT: String(relpTargetPort), RECEIVER_RELP_TLS_PROXY_PROTOCOL: "required" }),
  };
}

/** ECS `secrets` (SST `ssm`): PEM text from Secrets Manager, mode mtls only. */
export function receiverSecrets(c: StageConfig): Record<string, string> {
  if (c.nlbMode !== "mtls") return {};
  const t = c.receiverTls!;
  return {
    RECEIVER_TLS_CERT_PEM: t.certSecretArn,
    RECEIVER_TLS_KEY_PEM: t.keySecretArn,
    ...(t.caSecretArn ? { RECEIVER_TLS_CA_PEM: t.caSecretArn } : {}),
  };
}

export interface ReceiverRolesArgs {
  name: string;
  streamArns: pulumi.Input<string[]>;
  secretArns: string[];
  partition?: string;
}

export function createReceiverRoles(a: ReceiverRolesArgs): { taskRole: aws.iam.Role; executionRole: aws.iam.Role } {
  const assumeRolePolicy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
  });
  const taskRole = new aws.iam.Role(`${a.name}ReceiverTaskRole`, {
    assumeRolePolicy,
    inlinePolicies: [{
      name: "put-records",
      policy: pulumi.output(a.streamArns).apply((arns) =>
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "PutRecordBatch", Effect: "Allow", Action: ["firehose:PutRecordBatch"], Resource: arns }] }),
      ),
    }],
  });
  const executionRole = new aws.iam.Role(`${a.name}ReceiverExecutionRole`, {
    assumeRolePolicy,
    // AWS managed: ECR pull and awslogs (ecr:GetAuthorizationToken cannot be scoped).
    managedPolicyArns: [`arn:${a.partition ?? "aws"}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`],
    inlinePolicies: a.secretArns.length === 0 ? [] : [{
      name: "read-tls-secrets",
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "ReadTlsSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: a.secretArns }] }),
    }],
  });
  return { taskRole, executionRole };
}

/** Scratch volume for /tmp, so the root filesystem can be read-only. */
export const TMP_VOLUME = "tmp";

/**
 * Applied to SST's container definitions (JSON): stopTimeout a few seconds above the drain
 * deadline (ECS sends SIGKILL after it), a read-only root filesystem with /tmp on a task volume,
 * the listening ports only (syslog, RELP when on, health), no TTY.
 */
export function hardenContainerDefinitions(json: string, c: Pick<StageConfig, "drainTimeoutMs">, ports: number[]): string {
  const defs = JSON.parse(json) as Array<Record<string, unknown>>;
  return JSON.stringify(defs.map((d) => ({
    ...d,
    stopTimeout: drainTimings(c).stopTimeoutS,
    readonlyRootFilesystem: true,
    pseudoTerminal: false,
    portMappings: ports.map((containerPort) => ({ containerPort, protocol: "tcp" })),
    mountPoints: [...((d.mountPoints as unknown[]) ?? []), { sourceVolume: TMP_VOLUME, containerPath: "/tmp", readOnly: false }],
  })));
}

export interface ActiveFlowScalingArgs {
  name: string;
  /** `service/<cluster>/<service>`, the scalable target SST creates. */
  resourceId: pulumi.Input<string>;
  loadBalancerArnSuffix: pulumi.Input<string>;
  targetGroupArnSuffix: pulumi.Input<string>;
  flowsPerTask: number;
}

/**
 * Target tracking on active NLB flows per healthy task: ActiveFlowCount (load balancer
 * dimension only) divided by the target group's HealthyHostCount. Syslog senders hold long
 * connections that cost memory and file descriptors even when CPU is idle, so CPU alone
 * would scale too late.
 */
export function createActiveFlowScaling(a: ActiveFlowScalingArgs, opts?: pulumi.CustomResourceOptions): aws.appautoscaling.Policy {
  return new aws.appautoscaling.Policy(`${a.name}ActiveFlowScaling`, {
    policyType: "TargetTrackingScaling",
    serviceNamespace: "ecs",
    scalableDimension: "ecs:service:DesiredCount",
    resourceId: a.resourceId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: a.flowsPerTask,
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
      customizedMetricSpecification: {
        metrics: [
          { id: "flows", returnData: false, metricStat: { stat: "Average", metric: { namespace: "AWS/NetworkELB", metricName: "ActiveFlowCount", dimensions: [{ name: "LoadBalancer", value: a.loadBalancerArnSuffix }] } } },
          { id: "tasks", returnData: false, metricStat: { stat: "Average", metric: { namespace: "AWS/NetworkELB", metricName: "HealthyHostCount", dimensions: [{ name: "LoadBalancer", value: a.loadBalancerArnSuffix }, { name: "TargetGroup", value: a.targetGroupArnSuffix }] } } },
          { id: "flowsPerTask", label: "active flows per healthy task", expression: "flows / IF(tasks > 0, tasks, 1)", returnData: true },
        ],
      },
    },
  }, opts);
}
