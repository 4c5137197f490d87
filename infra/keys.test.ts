import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, REGION, installMocks, one, out, statements, created, settled } from "./pulumi-mocks.js";
import { createKeys, keyPolicy } from "./keys.js";
import { createLogGroups } from "./log-groups.js";

beforeAll(() => installMocks());

describe("createKeys", () => {
  it("creates a rotating symmetric key whose policy lets this region's CloudWatch Logs use it only for our log groups", async () => {
    const keys = createKeys({ name: "syslog", region: REGION, accountId: ACCOUNT });
    await out(keys.keyArn);
    await settled();
    const key = one("aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(key.inputs.customerMasterKeySpec).toBe("SYMMETRIC_DEFAULT");
    const logs = statements(key.inputs.policy).find((s) => JSON.stringify(s.Principal).includes("logs."));
    expect(logs?.Principal).toEqual({ Service: `logs.${REGION}.amazonaws.com` });
    expect(logs?.Condition).toEqual({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } });
    expect(logs?.Action).toEqual(expect.arrayContaining(["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]));
    expect(one("aws:kms/alias:Alias").inputs.name).toBe("alias/syslog");
  });

  it("gives every service principal a condition (encryption context or source account)", () => {
    for (const s of statements(keyPolicy({ region: REGION, accountId: ACCOUNT }))) {
      if (JSON.stringify(s.Principal).includes("Service")) expect(s.Condition, s.Sid).toBeDefined();
      else expect(s.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
    }
  });

  it("uses an existing key without creating one", async () => {
    const before = created.length;
    const arn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
    expect(await out(createKeys({ name: "other", region: REGION, accountId: ACCOUNT, existingKeyArn: arn }).keyArn)).toBe(arn);
    expect(created.slice(before).filter((r) => r.type.startsWith("aws:kms"))).toEqual([]);
  });
});

describe("createLogGroups", () => {
  it("encrypts every created group with the key, sets retention, and only references adopted groups", async () => {
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/abc`;
    const refs = createLogGroups({ name: "lg", region: REGION, accountId: ACCOUNT, create: ["/var/log/messages", "/aws-syslog/onegate"], existing: ["/var/log/secure"], retentionInDays: 30, kmsKeyArn: keyArn });
    const arns = await Promise.all(refs.map((r) => out(r.arn)));
    expect(arns[2]).toBe(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/var/log/secure`);
    const groups = created.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.name.startsWith("lg"));
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(["/aws-syslog/onegate", "/var/log/messages"]);
    for (const g of groups) {
      expect(g.inputs.kmsKeyId).toBe(keyArn);
      expect(g.inputs.retentionInDays).toBe(30);
    }
  });
});
