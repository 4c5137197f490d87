import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StageConfig } from "./stage-config.js";

/**
 * VPC endpoints so tasks and Lambdas in private subnets reach AWS without a NAT gateway, and the
 * Lambdas' security group. The VPC itself is SST's `sst.aws.Vpc` (sst.config.ts).
 */
export const INTERFACE_ENDPOINTS = [
  "kinesis-firehose", // receiver → PutRecordBatch
  "logs", // awslogs driver, forwarder → PutLogEvents
  "ecr.api", // image pull: authorisation, manifests
  "ecr.dkr", // image pull: registry API
  "kms", // SSE-KMS data keys
  "sts", // SDK credential flows
  "secretsmanager", // mode mtls: the task's certificate and key (ECS `secrets`)
] as const;

export const HTTPS_PORT = 443;

/** Arguments of SST's `sst.aws.Vpc`: a public and a private subnet in each of `azCount` AZs, and a
 * managed NAT gateway only when the stage asks for one (the endpoints above make it unnecessary). */
export function vpcArgs(c: Pick<StageConfig, "azCount" | "natGateway">): { az: number; nat?: "managed" } {
  return { az: c.azCount, ...(c.natGateway ? { nat: "managed" as const } : {}) };
}

export interface NetworkArgs {
  name: string;
  region: pulumi.Input<string>;
  vpcId: pulumi.Input<string>;
  vpcCidr: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  privateRouteTableIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Only mode mtls reads secrets (the tasks' TLS material); each endpoint costs about $16/month per AZ. */
  secretsManager: boolean;
}

export interface Network {
  endpointSecurityGroup: aws.ec2.SecurityGroup;
  lambdaSecurityGroup: aws.ec2.SecurityGroup;
  s3Endpoint: aws.ec2.VpcEndpoint;
  /** Managed prefix list of S3 in this region (for HTTPS egress rules through the gateway). */
  s3PrefixListId: pulumi.Output<string>;
  interfaceEndpoints: aws.ec2.VpcEndpoint[];
}

export function createNetwork(a: NetworkArgs): Network {
  const endpointSecurityGroup = new aws.ec2.SecurityGroup(`${a.name}EndpointSg`, {
    vpcId: a.vpcId,
    description: "Interface VPC endpoints: HTTPS from inside the VPC",
    ingress: [{ protocol: "tcp", fromPort: HTTPS_PORT, toPort: HTTPS_PORT, cidrBlocks: [a.vpcCidr], description: "HTTPS from the VPC" }],
    egress: [],
  });
  const s3Endpoint = new aws.ec2.VpcEndpoint(`${a.name}S3Endpoint`, {
    vpcId: a.vpcId,
    serviceName: pulumi.interpolate`com.amazonaws.${a.region}.s3`,
    vpcEndpointType: "Gateway",
    routeTableIds: a.privateRouteTableIds,
  });
  const services = INTERFACE_ENDPOINTS.filter((s) => s !== "secretsmanager" || a.secretsManager);
  const interfaceEndpoints = services.map((service) =>
    new aws.ec2.VpcEndpoint(`${a.name}Endpoint${service.replace(/[^a-z]/g, "")}`, {
      vpcId: a.vpcId,
      serviceName: pulumi.interpolate`com.amazonaws.${a.region}.${service}`,
      vpcEndpointType: "Interface",
      subnetIds: a.privateSubnetIds,
      securityGroupIds: [endpointSecurityGroup.id],
      privateDnsEnabled: true,
    }),
  );
  const lambdaSecurityGroup = new aws.ec2.SecurityGroup(`${a.name}LambdaSg`, {
    vpcId: a.vpcId,
    description: "Forwarder Lambdas: HTTPS to the VPC endpoints and S3 only",
    ingress: [],
    egress: httpsEgress(a.vpcCidr, s3Endpoint.prefixListId),
  });
  return { endpointSecurityGroup, lambdaSecurityGroup, s3Endpoint, s3PrefixListId: s3Endpoint.prefixListId, interfaceEndpoints };
}

/** HTTPS to the interface endpoints (VPC CIDR) and to S3 through the gateway endpoint; nothing else. */
export function httpsEgress(vpcCidr: pulumi.Input<string>, s3PrefixListId: pulumi.Input<string>): aws.types.input.ec2.SecurityGroupEgress[] {
  return [
    { protocol: "tcp", fromPort: HTTPS_PORT, toPort: HTTPS_PORT, cidrBlocks: [vpcCidr], description: "VPC endpoints" },
    { protocol: "tcp", fromPort: HTTPS_PORT, toPort: HTTPS_PORT, prefixListIds: [s3PrefixListId], description: "S3 gateway endpoint" },
  ];
}
