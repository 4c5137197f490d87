import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, REGION, byType, installMocks, out, settled, statements } from "./pulumi-mocks.js";
import { createStorage } from "./storage.js";

const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/abc`;
beforeAll(async () => {
  installMocks();
  const s = createStorage({ name: "t", kmsKeyArn: KEY, stagingExpireDays: 3, archivePrefix: "archive/", archiveTransitions: { standardIaDays: 30, glacierIrDays: 90 }, archiveExpireDays: 365, forceDestroy: false });
  await out(s.archive.arn);
  // archiveExpireDays null: kept for ever.
  await out(createStorage({ name: "keep", kmsKeyArn: KEY, stagingExpireDays: 3, archivePrefix: "a/", archiveTransitions: { standardIaDays: 30, glacierIrDays: 90 }, archiveExpireDays: null, forceDestroy: true }).archive.arn);
  await settled();
});

const forBucket = (type: string, bucket: string) => {
  const r = byType(type).filter((x) => x.name.startsWith(bucket));
  expect(r, `${type} for ${bucket}`).toHaveLength(1);
  return r[0]!;
};
const BUCKETS = ["tStaging", "tArchive", "tAthenaResults"];

describe("createStorage", () => {
  it("creates three buckets, none deletable with objects in them", () => {
    expect(byType("aws:s3/bucket:Bucket").map((b) => b.name).filter((n) => n.startsWith("t")).sort()).toEqual([...BUCKETS].sort());
    for (const b of byType("aws:s3/bucket:Bucket").filter((x) => x.name.startsWith("t"))) expect(b.inputs.forceDestroy).toBe(false);
  });

  it.each(BUCKETS)("%s: SSE-KMS with our key and a bucket key", (b) => {
    const rule = forBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", b).inputs.rules[0];
    expect(rule.applyServerSideEncryptionByDefault).toEqual({ sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY });
    expect(rule.bucketKeyEnabled).toBe(true);
  });

  it.each(BUCKETS)("%s: all public access blocked, ACLs disabled", (b) => {
    const pab = forBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", b).inputs;
    expect([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets]).toEqual([true, true, true, true]);
    expect(forBucket("aws:s3/bucketOwnershipControls:BucketOwnershipControls", b).inputs.rule.objectOwnership).toBe("BucketOwnerEnforced");
  });

  it.each(BUCKETS)("%s: policy denies non-TLS and TLS < 1.2, on the bucket and its objects, and allows nothing", (b) => {
    const st = statements(forBucket("aws:s3/bucketPolicy:BucketPolicy", b).inputs.policy);
    expect(st.every((s) => s.Effect === "Deny")).toBe(true);
    const insecure = st.find((s) => s.Condition?.Bool?.["aws:SecureTransport"] === "false");
    expect(insecure?.Action).toBe("s3:*");
    expect(insecure?.Principal).toBe("*");
    expect(insecure?.Resource).toEqual([expect.stringMatching(new RegExp(`/${b}$`)), expect.stringMatching(new RegExp(`/${b}/\\*$`))]);
    expect(st.find((s) => s.Condition?.NumericLessThan?.["s3:TlsVersion"] === "1.2")).toBeDefined();
  });

  it("staging expires after the configured days; archive tiers to IA, Glacier IR, then expires", () => {
    const staging = forBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "tStaging").inputs.rules;
    expect(staging[0].expiration.days).toBe(3);
    const archive = forBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "tArchive").inputs.rules[0];
    expect(archive.filter.prefix).toBe("archive/");
    expect(archive.transitions.map((t: any) => [t.days, t.storageClass])).toEqual([[30, "STANDARD_IA"], [90, "GLACIER_IR"]]);
    expect(archive.expiration.days).toBe(365);
  });

  it("archiveExpireDays null keeps archived objects for ever (transitions stay)", () => {
    const keep = forBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "keepArchive").inputs.rules[0];
    expect(keep.expiration).toBeUndefined();
    expect(keep.filter.prefix).toBe("a/");
    expect(keep.transitions.map((t: any) => t.storageClass)).toEqual(["STANDARD_IA", "GLACIER_IR"]);
  });
});
