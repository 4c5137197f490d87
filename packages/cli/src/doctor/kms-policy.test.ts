import { describe, expect, it } from "vitest";
import { keyPolicy, LOGS_KMS_ACTIONS as INFRA_LOGS_KMS_ACTIONS } from "../../../../infra/keys.js";
import { evaluateKeyPolicy, LOGS_KMS_ACTIONS } from "./kms-checks.js";

/** The key-policy verdict, first against the policy infra/keys.ts deploys: doctor must pass what we ship. */
const where = { region: "eu-west-1", partition: "aws", accountId: "123456789012", logGroups: ["/var/log/messages", "/aws-syslog/prod/receiver"] };
const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const logsStatement = (extra: object = {}) => ({ Effect: "Allow", Principal: { Service: "logs.eu-west-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*", ...extra });

describe("evaluateKeyPolicy", () => {
  it("accepts the policy infra/keys.ts writes, and wants the same actions", () => {
    expect(LOGS_KMS_ACTIONS).toEqual(INFRA_LOGS_KMS_ACTIONS);
    expect(evaluateKeyPolicy(JSON.stringify(keyPolicy({ region: "eu-west-1", accountId: "123456789012" })), where)).toEqual({
      ok: true, detail: "CloudWatchLogsUsesKeyForThisAccountsLogGroups lets logs.eu-west-1.amazonaws.com use the key for the 2 log groups",
    });
  });

  it("accepts the wildcard form AWS documents (kms:Encrypt* …) and a single statement object", () => {
    expect(evaluateKeyPolicy(JSON.stringify({ Statement: logsStatement() }), where).ok).toBe(true);
  });

  it("refuses the policy of another region, a statement missing actions, and a Deny", () => {
    expect(evaluateKeyPolicy(JSON.stringify(keyPolicy({ region: "us-east-1", accountId: "123456789012" })), where)).toEqual({ ok: false, detail: "no statement allows the principal logs.eu-west-1.amazonaws.com" });
    expect(evaluateKeyPolicy(policy([logsStatement({ Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"] })]), where).detail).toBe(
      "the statement for logs.eu-west-1.amazonaws.com does not allow kms:ReEncryptFrom, kms:ReEncryptTo, kms:GenerateDataKey, kms:GenerateDataKeyWithoutPlaintext",
    );
    expect(evaluateKeyPolicy(policy([logsStatement(), { Effect: "Deny", Principal: "*", Action: "kms:Decrypt", Resource: "*" }]), where)).toEqual({ ok: false, detail: "a Deny statement takes kms:Decrypt from logs.eu-west-1.amazonaws.com" });
  });

  it("checks the encryption-context condition against each log group's ARN", () => {
    const onlyMessages = logsStatement({ Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/var/log/messages" } } });
    expect(evaluateKeyPolicy(policy([onlyMessages]), where)).toEqual({ ok: false, detail: "its kms:EncryptionContext:aws:logs:arn condition leaves out /aws-syslog/prod/receiver" });
    const otherAccount = logsStatement({ Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:999999999999:log-group:*" } } });
    expect(evaluateKeyPolicy(policy([otherAccount]), where).ok).toBe(false);
  });

  it("says so when the policy is not JSON", () => {
    expect(evaluateKeyPolicy("{", where)).toEqual({ ok: false, detail: "the key policy is not JSON" });
  });
});
