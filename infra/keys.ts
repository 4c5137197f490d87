import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The customer-managed KMS key that encrypts log groups, buckets, the Firehose streams and
 * the notification topic, or an existing key named by the stage config.
 */
export interface KeyArgs {
  name: string;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  partition?: pulumi.Input<string>;
  /** Use this key instead of creating one; its policy must already hold keyPolicy()'s statements. */
  existingKeyArn?: string;
  /** Non-production stages shorten the deletion window. */
  deletionWindowInDays?: number;
}

export interface Keys {
  keyArn: pulumi.Output<string>;
  key?: aws.kms.Key;
}

/** Actions CloudWatch Logs needs on a log group key; names spelled out instead of `kms:Encrypt*`. */
export const LOGS_KMS_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"];
/** Actions a service needs to publish to a KMS-encrypted SNS topic. */
const PUBLISH_KMS_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];

/**
 * Key policy. The CloudWatch Logs statement follows
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html (the same
 * statement the Session Manager logging guidance asks for): the logs service principal of this
 * region, limited by the `kms:EncryptionContext:aws:logs:arn` condition to log groups of this
 * account and region, so no other account's logs can use the key.
 */
export function keyPolicy(a: { region: string; accountId: string; partition?: string }): object {
  const p = a.partition ?? "aws";
  const sourceAccount = { StringEquals: { "aws:SourceAccount": a.accountId } };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // AWS's default statement: without it IAM policies cannot grant use of the key and the
        // key becomes unmanageable. "*" as Resource in a key policy means this key only.
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${p}:iam::${a.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogsUsesKeyForThisAccountsLogGroups",
        Effect: "Allow",
        Principal: { Service: `logs.${a.region}.amazonaws.com` },
        Action: LOGS_KMS_ACTIONS,
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${p}:logs:${a.region}:${a.accountId}:log-group:*` } },
      },
      {
        // S3 event notifications and CloudWatch alarms publish to our encrypted SNS topics.
        Sid: "S3AndCloudWatchPublishToEncryptedTopics",
        Effect: "Allow",
        Principal: { Service: ["s3.amazonaws.com", "cloudwatch.amazonaws.com"] },
        Action: PUBLISH_KMS_ACTIONS,
        Resource: "*",
        Condition: sourceAccount,
      },
    ],
  };
}

export function createKeys(a: KeyArgs): Keys {
  if (a.existingKeyArn) return { keyArn: pulumi.output(a.existingKeyArn) };
  const policy = pulumi
    .all([a.region, a.accountId, a.partition ?? "aws"])
    .apply(([region, accountId, partition]) => JSON.stringify(keyPolicy({ region, accountId, partition })));
  const key = new aws.kms.Key(`${a.name}Key`, {
    description: `${a.name}: syslog log groups, buckets, Firehose streams, topics`,
    enableKeyRotation: true,
    rotationPeriodInDays: 365,
    deletionWindowInDays: a.deletionWindowInDays ?? 30,
    keyUsage: "ENCRYPT_DECRYPT",
    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
    policy,
  });
  new aws.kms.Alias(`${a.name}KeyAlias`, { name: `alias/${a.name}`, targetKeyId: key.keyId });
  return { keyArn: key.arn, key };
}
