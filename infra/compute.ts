import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HEALTH_PORT } from "./edge.js";
import { serviceTrustPolicy } from "./iam.js";
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
  /** The receiver's log group (awslogs driver), ARN without the trailing `:*`. */
  logGroupArn: pulumi.Input<string>;
}

/**
 * The task role may only put records into our streams. The execution role (ECS agent: image
 * pull, awslogs, secrets) gets scoped inline statements instead of the managed
 * AmazonECSTaskExecutionRolePolicy, whose ECR and Logs actions are on every resource; the
 * image pull from the one repository SST pushes to is createImagePullPolicy(), added once the
 * image reference is known.
 */
export function createReceiverRoles(a: ReceiverRolesArgs): { taskRole: aws.iam.Role; executionRole: aws.iam.Role } {
  const assumeRolePolicy = serviceTrustPolicy("ecs-tasks.amazonaws.com");
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
    managedPolicyArns: [],
    inlinePolicies: [{
      name: "start-task",
      policy: pulumi.output(a.logGroupArn).apply((logGroupArn) => JSON.stringify(executionRolePolicy({ logGroupArn, secretArns: a.secretArns }))),
    }],
  });
  return { taskRole, executionRole };
}

/** The execution role's statements that do not depend on the image. */
export function executionRolePolicy(a: { logGroupArn: string; secretArns: string[] }): object {
  return {
    Version: "2012-10-17",
    Statement: [
      // The log group exists (the stack creates it); the agent only adds streams and events.
      { Sid: "ContainerLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${a.logGroupArn}:log-stream:*`] },
      // Cannot be scoped (iam.ts WILDCARD_RESOURCE_ACTIONS); grants nothing without the pull actions below.
      { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
      ...(a.secretArns.length === 0 ? [] : [{ Sid: "ReadTlsSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: a.secretArns }]),
    ],
  };
}

/**
 * `<registry>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag][@digest]` → the repository's ARN.
 * Throws for an image outside ECR (the task could not pull it with these permissions).
 */
export function ecrRepositoryArn(image: string, partition = "aws"): string {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._\/-]*?)(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?$/.exec(image);
  if (!m) throw new Error(`ecrRepositoryArn: not an ECR image reference: ${image}`);
  return `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}`;
}

/** The image of the first container in an ECS container definitions JSON (SST's, one container). */
export function containerImage(containerDefinitionsJson: string): string {
  const image = (JSON.parse(containerDefinitionsJson) as Array<{ image?: unknown }>)[0]?.image;
  if (typeof image !== "string") throw new Error("containerImage: the first container definition has no image");
  return image;
}

/** Pull of the receiver image: its repository only. */
export function createImagePullPolicy(name: string, role: aws.iam.Role, image: pulumi.Input<string>, partition: pulumi.Input<string> = "aws"): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(`${name}ReceiverImagePull`, {
    role: role.id,
    policy: pulumi.all([image, partition]).apply(([ref, p]) => JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "PullReceiverImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: [ecrRepositoryArn(ref, p)] }],
    })),
  });
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
