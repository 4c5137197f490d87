import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand, ResourceNotFoundException } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeDeliveryStreamCommand, FirehoseClient, ResourceNotFoundException as FirehoseNotFound } from "@aws-sdk/client-firehose";
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, NotFoundException } from "@aws-sdk/client-kms";
import { GetQueueAttributesCommand, QueueDoesNotExist, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsChecks, classifyAwsError } from "./aws-calls.js";
import { dlqCheck, firehoseCheck } from "./delivery-checks.js";
import { queueName } from "./doctor-target.js";
import { kmsChecks } from "./kms-checks.js";
import { logGroupCheck, MAX_FILTER_PAGES, recentDataCheck } from "./logs-checks.js";
import { healthyKeyPolicy, KEY_ARN, REGION } from "./testing/deployment-fixture.js";

/** Each AWS-backed check against aws-sdk-client-mock: the calls it makes and what it makes of the answers. */
const kmsMock = mockClient(KMSClient);
const logsMock = mockClient(CloudWatchLogsClient);
const firehoseMock = mockClient(FirehoseClient);
const sqsMock = mockClient(SQSClient);
const meta = { $metadata: {} };
const kms = new KMSClient({ region: REGION });
const logs = new CloudWatchLogsClient({ region: REGION });
const firehose = new FirehoseClient({ region: REGION });
const sqs = new SQSClient({ region: REGION });
const checks = () => new AwsChecks((service) => `${service}-endpoint`);
const credentialsError = () => Object.assign(new Error("The security token included in the request is invalid."), { name: "UnrecognizedClientException", $metadata: { httpStatusCode: 400 } });

beforeEach(() => {
  kmsMock.reset();
  logsMock.reset();
  firehoseMock.reset();
  sqsMock.reset();
});

describe("kmsChecks", () => {
  it("passes an enabled key whose policy lets CloudWatch Logs use it", async () => {
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: "k", Enabled: true, KeyState: "Enabled" } });
    kmsMock.on(GetKeyPolicyCommand).resolves({ Policy: healthyKeyPolicy() });
    const [key, policy] = await kmsChecks(kms, checks(), KEY_ARN, REGION, ["/var/log/messages"]);
    expect(key).toMatchObject({ name: "kms-key", status: "pass" });
    expect(policy).toMatchObject({ name: "kms-policy", status: "pass", detail: "CloudWatchLogsUsesKeyForThisAccountsLogGroups lets logs.eu-west-1.amazonaws.com use the key for the 1 log groups" });
    expect(kmsMock.commandCalls(GetKeyPolicyCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_ARN, PolicyName: "default" });
  });

  it("fails a key pending deletion with the command that cancels it", async () => {
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: "k", Enabled: false, KeyState: "PendingDeletion", DeletionDate: new Date("2026-12-01T00:00:00Z") } });
    kmsMock.on(GetKeyPolicyCommand).resolves({ Policy: healthyKeyPolicy() });
    const [key] = await kmsChecks(kms, checks(), KEY_ARN, REGION, []);
    expect(key).toMatchObject({ status: "fail", detail: `${KEY_ARN} is PendingDeletion (deletion on 2026-12-01T00:00:00.000Z)`, fix: expect.stringContaining("aws kms cancel-key-deletion") });
  });

  it("fails a policy that grants only some of the actions", async () => {
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: "k", Enabled: true, KeyState: "Enabled" } });
    kmsMock.on(GetKeyPolicyCommand).resolves({ Policy: healthyKeyPolicy(["kms:Encrypt*", "kms:Decrypt*"]) });
    const [, policy] = await kmsChecks(kms, checks(), KEY_ARN, REGION, []);
    expect(policy).toMatchObject({ status: "fail", detail: expect.stringContaining("does not allow kms:ReEncryptFrom, kms:ReEncryptTo, kms:GenerateDataKey, kms:GenerateDataKeyWithoutPlaintext, kms:DescribeKey") });
  });

  it("fails a key that does not exist, and skips without a key ARN", async () => {
    kmsMock.on(DescribeKeyCommand).rejects(new NotFoundException({ message: "Key does not exist", ...meta }));
    kmsMock.on(GetKeyPolicyCommand).rejects(new NotFoundException({ message: "Key does not exist", ...meta }));
    const [key, policy] = await kmsChecks(kms, checks(), KEY_ARN, REGION, []);
    expect(key).toMatchObject({ status: "fail", detail: expect.stringContaining(`no key ${KEY_ARN} in eu-west-1`) });
    expect(policy!.status).toBe("fail");
    expect((await kmsChecks(kms, checks(), undefined, REGION, [])).map((r) => r.status)).toEqual(["skip", "skip"]);
  });

  it("after refused credentials, reports once and skips every later AWS check without calling", async () => {
    kmsMock.on(DescribeKeyCommand).rejects(credentialsError());
    const aws = checks();
    const [key, policy] = await kmsChecks(kms, aws, KEY_ARN, REGION, []);
    expect(key).toMatchObject({ status: "fail", detail: "KMS refused the credentials: UnrecognizedClientException: The security token included in the request is invalid." });
    expect(policy).toMatchObject({ status: "skip", detail: "not checked: the AWS credentials were refused (see kms-key)" });
    expect(await firehoseCheck(firehose, aws, "s")).toMatchObject({ status: "skip" });
    expect(kmsMock.commandCalls(GetKeyPolicyCommand)).toHaveLength(0);
    expect(firehoseMock.calls()).toHaveLength(0);
  });
});

describe("logGroupCheck", () => {
  it("finds the group across pages of DescribeLogGroups and checks key and retention", async () => {
    logsMock.on(DescribeLogGroupsCommand)
      .resolvesOnce({ logGroups: [{ logGroupName: "/var/log/messages-old" }], nextToken: "t1" })
      .resolvesOnce({ logGroups: [{ logGroupName: "/var/log/messages", kmsKeyId: KEY_ARN, retentionInDays: 30 }] });
    expect(await logGroupCheck(logs, checks(), "/var/log/messages", KEY_ARN)).toMatchObject({ status: "pass", detail: "/var/log/messages: encrypted with the stage key, retention 30 days" });
    expect(logsMock.commandCalls(DescribeLogGroupsCommand).map((c) => c.args[0].input)).toEqual([
      { logGroupNamePrefix: "/var/log/messages" }, { logGroupNamePrefix: "/var/log/messages", nextToken: "t1" },
    ]);
  });

  it("fails a group encrypted with another key, and one that does not exist", async () => {
    logsMock.on(DescribeLogGroupsCommand, { logGroupNamePrefix: "/a" }).resolves({ logGroups: [{ logGroupName: "/a", kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/other", retentionInDays: 30 }] });
    logsMock.on(DescribeLogGroupsCommand, { logGroupNamePrefix: "/b" }).resolves({ logGroups: [] });
    expect(await logGroupCheck(logs, checks(), "/a", KEY_ARN)).toMatchObject({ status: "fail", detail: expect.stringContaining("not the stage key"), fix: `aws logs associate-kms-key --log-group-name /a --kms-key-id ${KEY_ARN}` });
    expect(await logGroupCheck(logs, checks(), "/b", KEY_ARN)).toMatchObject({ status: "fail", detail: "/b does not exist" });
  });
});

describe("recentDataCheck", () => {
  const now = new Date("2026-11-23T12:00:00Z");

  it("follows empty pages until an event, and asks from --since minutes ago", async () => {
    logsMock.on(FilterLogEventsCommand).resolvesOnce({ events: [], nextToken: "n" }).resolvesOnce({ events: [{ timestamp: now.getTime() - 1000, message: "m" }] });
    expect(await recentDataCheck(logs, checks(), ["/var/log/messages"], 10, now)).toMatchObject({ status: "pass" });
    const inputs = logsMock.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({ logGroupName: "/var/log/messages", startTime: now.getTime() - 600_000, limit: 1 });
    expect(inputs[1]).toMatchObject({ nextToken: "n" });
  });

  it(`gives up after ${MAX_FILTER_PAGES} empty pages; a missing group is left to its own check`, async () => {
    logsMock.on(FilterLogEventsCommand, { logGroupName: "/scanning" }).resolves({ events: [], nextToken: "more" });
    logsMock.on(FilterLogEventsCommand, { logGroupName: "/gone" }).rejects(new ResourceNotFoundException({ message: "The specified log group does not exist.", ...meta }));
    const r = await recentDataCheck(logs, checks(), ["/scanning", "/gone"], 15, now);
    expect(r).toMatchObject({ status: "fail", detail: "no event in 1 log group in the last 15 min (since 2026-11-23T11:45:00.000Z)", fix: expect.stringContaining("NoData") });
    expect(logsMock.commandCalls(FilterLogEventsCommand, { logGroupName: "/scanning" })).toHaveLength(MAX_FILTER_PAGES);
  });
});

describe("firehoseCheck and dlqCheck", () => {
  it("passes an ACTIVE stream and fails one that does not exist", async () => {
    firehoseMock.on(DescribeDeliveryStreamCommand, { DeliveryStreamName: "a" }).resolves({ DeliveryStreamDescription: { DeliveryStreamStatus: "ACTIVE" } as never });
    firehoseMock.on(DescribeDeliveryStreamCommand, { DeliveryStreamName: "b" }).rejects(new FirehoseNotFound({ message: "Firehose b not found.", ...meta }));
    expect(await firehoseCheck(firehose, checks(), "a")).toMatchObject({ name: "firehose a", status: "pass" });
    expect(await firehoseCheck(firehose, checks(), "b")).toMatchObject({ status: "fail", detail: expect.stringContaining("b does not exist") });
  });

  it("counts waiting and in-flight DLQ messages; a missing queue fails", async () => {
    const url = "https://sqs.eu-west-1.amazonaws.com/123456789012/syslog-prodArchiveDlq-abc";
    sqsMock.on(GetQueueAttributesCommand).resolvesOnce({ Attributes: { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "1" } })
      .rejectsOnce(new QueueDoesNotExist({ message: "The specified queue does not exist.", ...meta }));
    expect(await dlqCheck(sqs, checks(), url)).toMatchObject({ name: "dlq syslog-prodArchiveDlq-abc", status: "fail", detail: expect.stringContaining("holds 1 message ") });
    expect(await dlqCheck(sqs, checks(), url)).toMatchObject({ status: "fail", detail: expect.stringContaining(`no queue ${url}`) });
    expect(queueName(`${url}/`)).toBe("syslog-prodArchiveDlq-abc");
  });
});

describe("classifyAwsError", () => {
  it("tells credentials, unreachable endpoints, denial and absence apart", () => {
    expect(classifyAwsError(credentialsError()).kind).toBe("credentials");
    expect(classifyAwsError(Object.assign(new Error("Forbidden"), { name: "Unknown", $metadata: { httpStatusCode: 403 } })).kind).toBe("credentials");
    expect(classifyAwsError(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })).kind).toBe("credentials");
    expect(classifyAwsError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }))).toEqual({ kind: "unreachable", text: "Error: connect ECONNREFUSED 127.0.0.1:9" });
    expect(classifyAwsError(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } })).kind).toBe("denied");
    expect(classifyAwsError(new NotFoundException({ message: "nope", ...meta })).kind).toBe("not-found");
    expect(classifyAwsError(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } })).kind).toBe("other");
  });
});
