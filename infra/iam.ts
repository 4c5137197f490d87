/**
 * IAM pieces shared by the roles the stack creates: trust policies that name one service and
 * nothing else, the only actions allowed on Resource "*", and the permissions a Lambda in our
 * VPC needs to run (in place of the AWS managed policies SST would attach, whose resources are
 * all "*").
 */

/**
 * Actions IAM authorises only against Resource "*" (no resource-level permissions), so a
 * statement made only of these is the one exception to "every resource is ours".
 * - ecr:GetAuthorizationToken: https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html
 * - ec2:Describe*: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 *   (Lambda: "ec2:DescribeNetworkInterfaces – This action only works if it's allowed on all
 *   resources"; https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html)
 */
export const WILDCARD_RESOURCE_ACTIONS: readonly string[] = ["ecr:GetAuthorizationToken", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"];

/** A role trust policy for one AWS service principal, no account or user principals. */
export function serviceTrustPolicy(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}

/** SST `permissions` form: one Allow statement each. */
export interface Permission {
  actions: string[];
  resources: string[];
}

export interface LambdaRuntimeArgs {
  region: string;
  accountId: string;
  partition: string;
  /** The function's own log group, ARN without the trailing `:*`. */
  logGroupArn: string;
  subnetIds: string[];
  securityGroupIds: string[];
}

/**
 * What a VPC Lambda needs besides its own work: write its log streams and manage its Hyperplane
 * ENIs (the actions of AWSLambdaBasicExecutionRole and AWSLambdaVPCAccessExecutionRole, but
 * scoped). CreateNetworkInterface is authorised on the new interface, the subnet and the
 * security group, so it is limited to our subnets and group; the interfaces themselves have ids
 * nobody knows in advance, hence network-interface/* of this account and region.
 * logs:CreateLogGroup is not granted: the stack creates the group.
 */
export function lambdaRuntimePermissions(a: LambdaRuntimeArgs): Permission[] {
  const ec2 = `arn:${a.partition}:ec2:${a.region}:${a.accountId}`;
  const enis = `${ec2}:network-interface/*`;
  return [
    { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${a.logGroupArn}:log-stream:*`] },
    {
      actions: ["ec2:CreateNetworkInterface"],
      resources: [enis, ...a.subnetIds.map((id) => `${ec2}:subnet/${id}`), ...a.securityGroupIds.map((id) => `${ec2}:security-group/${id}`)],
    },
    { actions: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"], resources: [enis] },
    { actions: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], resources: ["*"] },
  ];
}
