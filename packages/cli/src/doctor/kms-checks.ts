import { DescribeKeyCommand, GetKeyPolicyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { failed, passed, skipped, type CheckResult } from "./check-result.js";
import type { AwsChecks } from "./aws-calls.js";

/**
 * The stage key: enabled, and its policy lets CloudWatch Logs use it. A log group associated
 * with a key the Logs service may not use rejects every PutLogEvents, so the forwarder's
 * events pile up in the DLQ; this catches it before. The statement infra/keys.ts writes:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */

/** What the Logs service calls on a log group's key (LOGS_KMS_ACTIONS in infra/keys.ts). */
export const LOGS_KMS_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"];
const CONTEXT_KEY = "kms:encryptioncontext:aws:logs:arn";

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** IAM wildcard match (`*`, `?`), case-insensitive as action names are. */
function globMatches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(value);
}

function namesService(principal: unknown, service: string): boolean {
  if (principal === "*") return true;
  const p = principal as { Service?: unknown; AWS?: unknown } | undefined;
  return list(p?.Service).includes(service) || list(p?.AWS).includes("*");
}

/** The ARNs the statement's encryption-context condition allows, or undefined when it has none. */
function contextArns(s: Statement): string[] | undefined {
  let found: string[] | undefined;
  for (const [operator, entries] of Object.entries(s.Condition ?? {})) {
    if (!/^(ArnLike|ArnEquals|StringLike|StringEquals)$/.test(operator)) continue;
    for (const [key, values] of Object.entries(entries)) if (key.toLowerCase() === CONTEXT_KEY) found = [...(found ?? []), ...list(values)];
  }
  return found;
}

export interface PolicyVerdict {
  ok: boolean;
  detail: string;
}

/**
 * Whether a key policy lets logs.<region>.amazonaws.com use the key for these log groups:
 * every action of LOGS_KMS_ACTIONS allowed, any encryption-context condition covering each
 * group's ARN, and no Deny of those actions to the service.
 */
export function evaluateKeyPolicy(policyJson: string, a: { region: string; partition: string; accountId: string; logGroups: readonly string[] }): PolicyVerdict {
  let statements: Statement[];
  try {
    const policy = JSON.parse(policyJson) as { Statement?: Statement | Statement[] };
    statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement !== undefined ? [policy.Statement] : [];
  } catch {
    return { ok: false, detail: "the key policy is not JSON" };
  }
  const service = `logs.${a.region}.amazonaws.com`;
  const forLogs = statements.filter((s) => namesService(s.Principal, service));
  const allows = forLogs.filter((s) => s.Effect === "Allow");
  const denied = forLogs.filter((s) => s.Effect === "Deny" && s.Condition === undefined)
    .flatMap((s) => LOGS_KMS_ACTIONS.filter((action) => list(s.Action).some((p) => globMatches(p, action))));
  if (denied.length > 0) return { ok: false, detail: `a Deny statement takes ${[...new Set(denied)].join(", ")} from ${service}` };
  if (allows.length === 0) return { ok: false, detail: `no statement allows the principal ${service}` };
  const missing = LOGS_KMS_ACTIONS.filter((action) => !allows.some((s) => list(s.Action).some((p) => globMatches(p, action))));
  if (missing.length > 0) return { ok: false, detail: `the statement for ${service} does not allow ${missing.join(", ")}` };
  const arn = (group: string) => `arn:${a.partition}:logs:${a.region}:${a.accountId}:log-group:${group}`;
  const uncovered = a.logGroups.filter((g) => !allows.some((s) => {
    const allowed = contextArns(s);
    return allowed === undefined || allowed.some((p) => globMatches(p, arn(g)));
  }));
  if (uncovered.length > 0) return { ok: false, detail: `its kms:EncryptionContext:aws:logs:arn condition leaves out ${uncovered.join(", ")}` };
  const sids = allows.map((s) => s.Sid ?? "(no Sid)").join(", ");
  return { ok: true, detail: `${sids} lets ${service} use the key${a.logGroups.length > 0 ? ` for the ${a.logGroups.length} log groups` : ""}` };
}

/** arn:aws:kms:eu-west-1:123456789012:key/… → its parts. */
function arnParts(arn: string): { partition: string; accountId: string } | undefined {
  const [prefix, partition, , , accountId] = arn.split(":");
  return prefix === "arn" && partition && accountId ? { partition, accountId } : undefined;
}

export async function kmsChecks(kms: KMSClient, aws: AwsChecks, keyArn: string | undefined, region: string, logGroups: readonly string[]): Promise<CheckResult[]> {
  if (keyArn === undefined) {
    const why = "no kmsKeyArn in the outputs";
    return [skipped("kms-key", why, "pass --outputs with the file sst deploy wrote"), skipped("kms-policy", why)];
  }
  const notFound = (name: string) => (f: { kind: string; text: string }) =>
    f.kind === "not-found" ? failed(name, `no key ${keyArn} in ${region}: ${f.text}`, "check the region and the outputs file (a stage removed since?)") : undefined;
  const key = await aws.run("kms-key", "KMS", async () => {
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
    const state = meta?.KeyState ?? "unknown";
    if (meta?.Enabled === true && state === "Enabled") return passed("kms-key", `${keyArn} is enabled`);
    const fix = state === "PendingDeletion"
      ? `cancel the deletion at once: aws kms cancel-key-deletion --key-id ${keyArn}, then aws kms enable-key --key-id ${keyArn}`
      : `aws kms enable-key --key-id ${keyArn}; until then CloudWatch Logs, Firehose and S3 cannot use it`;
    return failed("kms-key", `${keyArn} is ${state}${meta?.DeletionDate ? ` (deletion on ${meta.DeletionDate.toISOString()})` : ""}`, fix);
  }, notFound("kms-key"));
  const policy = await aws.run("kms-policy", "KMS", async () => {
    const text = (await kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default" }))).Policy ?? "";
    const parts = arnParts(keyArn);
    const verdict = evaluateKeyPolicy(text, { region, partition: parts?.partition ?? "aws", accountId: parts?.accountId ?? "*", logGroups });
    return verdict.ok
      ? passed("kms-policy", verdict.detail)
      : failed("kms-policy", `the key policy does not let CloudWatch Logs use the key: ${verdict.detail}`, "add the statement keyPolicy() in infra/keys.ts writes (principal logs.<region>.amazonaws.com, kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*) with aws kms put-key-policy, or deploy again");
  }, notFound("kms-policy"));
  return [key, policy];
}
