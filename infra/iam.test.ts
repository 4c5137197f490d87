import { describe, expect, it } from "vitest";
import { lambdaRuntimePermissions, serviceTrustPolicy, WILDCARD_RESOURCE_ACTIONS } from "./iam.js";
import { assertLeastPrivilege, statements } from "./policy-check.js";

const EC2 = "arn:aws:ec2:eu-west-1:123456789012";
const GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws-syslog/test/forwarder-archive";
const runtime = lambdaRuntimePermissions({ region: "eu-west-1", accountId: "123456789012", partition: "aws", logGroupArn: GROUP, subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-1"] });
const asStatements = (p: typeof runtime) => p.map((x) => ({ Effect: "Allow", Action: x.actions, Resource: x.resources }));

describe("lambdaRuntimePermissions", () => {
  it("grants the managed policies' log and ENI actions, scoped to the function's group, our subnets and security group", () => {
    assertLeastPrivilege(asStatements(runtime), [`${GROUP}:log-stream:`, `${EC2}:network-interface/`, `${EC2}:subnet/subnet-`, `${EC2}:security-group/sg-1`], WILDCARD_RESOURCE_ACTIONS);
    expect(runtime.find((p) => p.actions.includes("logs:PutLogEvents"))?.resources).toEqual([`${GROUP}:log-stream:*`]);
    expect(runtime.find((p) => p.actions.includes("ec2:CreateNetworkInterface"))?.resources).toEqual([`${EC2}:network-interface/*`, `${EC2}:subnet/subnet-1`, `${EC2}:subnet/subnet-2`, `${EC2}:security-group/sg-1`]);
    const actions = runtime.flatMap((p) => p.actions);
    for (const a of ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]) expect(actions).toContain(a);
    expect(actions).not.toContain("logs:CreateLogGroup");
  });

  it("puts Resource \"*\" only on the actions IAM cannot scope", () => {
    const wildcard = runtime.filter((p) => p.resources.includes("*"));
    expect(wildcard.flatMap((p) => p.actions).sort()).toEqual(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]);
    // The check itself: the same "*" on a scopable action fails.
    expect(() => assertLeastPrivilege([{ Effect: "Allow", Action: ["ec2:DescribeSubnets", "ec2:DeleteNetworkInterface"], Resource: "*" }], [EC2], WILDCARD_RESOURCE_ACTIONS)).toThrow(/resource \* is not one of ours/);
    expect(() => assertLeastPrivilege([{ Effect: "Allow", Action: ["ec2:Describe*"], Resource: "*" }], [EC2], WILDCARD_RESOURCE_ACTIONS)).toThrow(/wildcard action/);
  });
});

describe("serviceTrustPolicy", () => {
  it("trusts exactly one service principal, no account or user", () => {
    expect(statements(serviceTrustPolicy("lambda.amazonaws.com"))).toEqual([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
  });
});
