import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The route log groups (/var/log/messages, /var/log/secure, …, the OneGate group), encrypted
 * with the stage key and with the stage's retention. Groups listed as existing (e.g. written by
 * the CloudWatch Agent today) are referenced by name and not managed: their key and retention
 * stay as they are (docs/deploy.md shows `aws logs associate-kms-key` for them).
 */
export interface LogGroupsArgs {
  name: string;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  partition?: pulumi.Input<string>;
  create: string[];
  existing: string[];
  retentionInDays: number;
  kmsKeyArn: pulumi.Input<string>;
}

export interface LogGroupRef {
  name: string;
  /** ARN without the trailing `:*`. */
  arn: pulumi.Output<string>;
  resource?: aws.cloudwatch.LogGroup;
}

export function createLogGroups(a: LogGroupsArgs): LogGroupRef[] {
  const created = a.create.map((groupName) => {
    const resource = new aws.cloudwatch.LogGroup(`${a.name}LogGroup${logicalSuffix(groupName)}`, {
      name: groupName,
      retentionInDays: a.retentionInDays,
      kmsKeyId: a.kmsKeyArn,
      logGroupClass: "STANDARD", // Logs Insights and metric filters need the standard class
    });
    return { name: groupName, arn: resource.arn, resource };
  });
  const existing = a.existing.map((groupName) => ({
    name: groupName,
    arn: pulumi.interpolate`arn:${a.partition ?? "aws"}:logs:${a.region}:${a.accountId}:log-group:${groupName}`,
  }));
  return [...created, ...existing];
}

/** "/var/log/boot.log" → "VarLogBootLog": a stable, readable Pulumi logical name. */
export function logicalSuffix(groupName: string): string {
  return groupName
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}
