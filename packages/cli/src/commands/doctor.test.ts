import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { deployOutputs, KEY_ARN, makeHealthy } from "../doctor/testing/deployment-fixture.js";
import { startFakeAws, type FakeAws } from "../doctor/testing/fake-aws.js";
import { fakeIo } from "../testing/fake-io.js";

/** `doctor` in-process: what it reads from the outputs file and options, and its terminal output. */
let cwd: string;
let fake: FakeAws;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-doctor-unit-"));
  fake = await startFakeAws();
});
afterAll(async () => {
  await fake.close();
  await rm(cwd, { recursive: true, force: true });
});
beforeEach(() => makeHealthy(fake.state, fake.endpoint));

const awsEnv = () => ({
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLEDOCTOR", AWS_SECRET_ACCESS_KEY: "doctor-test-secret",
  AWS_ENDPOINT_URL_KMS: fake.endpoint, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.endpoint, AWS_ENDPOINT_URL_FIREHOSE: fake.endpoint, AWS_ENDPOINT_URL_SQS: fake.endpoint,
});

async function doctor(args: string[], options: { env?: Record<string, string>; tty?: boolean } = {}) {
  const io = fakeIo({ cwd, env: options.env ?? {}, ...(options.tty !== undefined ? { tty: options.tty } : {}) });
  const code = await main(["doctor", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

async function outputsFile(name: string, content: unknown): Promise<string> {
  await writeFile(join(cwd, name), typeof content === "string" ? content : JSON.stringify(content));
  return name;
}

describe("doctor: input", () => {
  it("refuses an outputs file that is not JSON, or not outputs, naming the field", async () => {
    const notJson = await doctor(["--outputs", await outputsFile("broken.json", "{ nlbDnsName: ")]);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toMatch(/^error: doctor: broken\.json is not JSON \(.*\); give the file `sst deploy` writes, \.sst\/outputs\.json \[CLI_USAGE\]\n$/);
    const wrong = await doctor(["--outputs", await outputsFile("wrong.json", { logGroups: "/var/log/messages", nlbMode: "tcp" })]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("wrong.json is not a deploy outputs file: nlbMode: ");
    expect(wrong.err).toContain("logGroups: ");
  });

  it.each([
    [["--host", "nlb.example", "--cert", "client.pem"], "doctor: --cert applies only to mode mtls"],
    [["--host", "nlb.example", "--mode", "mtls", "--key", "client.key"], "doctor: --key needs --cert"],
    [["--host", "nlb.example", "--since", "0"], 'doctor: --since must be a whole number of minutes from 1 to 1440, got "0"'],
    [["--host", "nlb.example", "--port", "70000"], '--port must be a port number from 1 to 65535, got "70000"'],
    [["--host", "nlb.example", "extra"], 'doctor: takes no arguments, got "extra"'],
    [["--bogus"], "doctor: Unknown option '--bogus'"],
  ])("%j is a usage error", async (args, message) => {
    const r = await doctor(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it("needs a region when the outputs hold no key ARN to take it from", async () => {
    const { kmsKeyArn: _, ...noKey } = deployOutputs(fake.endpoint);
    const r = await doctor(["--outputs", await outputsFile("no-key.json", { ...noKey, nlbDnsName: undefined })]);
    expect([r.code, r.err]).toEqual([2, "error: doctor: no AWS region: pass --region, or set AWS_REGION (the outputs name no KMS key ARN to take it from) [CLI_USAGE]\n"]);
  });
});

describe("doctor: AWS only (no host), region from the key ARN", () => {
  it("prints the table and exits 0; --json holds the same checks", async () => {
    const file = await outputsFile("aws-only.json", { ...deployOutputs(fake.endpoint), nlbDnsName: undefined });
    const r = await doctor(["--outputs", file], { env: awsEnv() });
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(r.out).toMatch(/^SKIP  dns +no host: no nlbDnsName in the outputs and no --host$/m);
    expect(r.out).toMatch(/^PASS  kms-key +arn:aws:kms:eu-west-1:/m);
    const json = await doctor(["--outputs", file, "--json"], { env: awsEnv() });
    const parsed = JSON.parse(json.out) as { ok: boolean; passed: number; skipped: number; checks: { name: string; status: string }[] };
    expect(parsed).toMatchObject({ ok: true, passed: 12, failed: 0, skipped: 1 });
    expect(parsed.checks.map((c) => c.name)).toContain(`kms-policy`);
  });

  it("on a terminal: coloured status words, one line as each check ends, then the totals", async () => {
    fake.state.keys.set(KEY_ARN, { state: "Disabled", policy: fake.state.keys.get(KEY_ARN)!.policy });
    const file = await outputsFile("aws-only.json", { ...deployOutputs(fake.endpoint), nlbDnsName: undefined });
    const r = await doctor(["--outputs", file], { env: awsEnv(), tty: true });
    expect(r.code).toBe(1);
    expect(r.out).toContain("\u001b[31mFAIL\u001b[39m  kms-key");
    expect(r.out).toContain("\u001b[32mPASS\u001b[39m  kms-policy");
    expect(r.out).toMatch(/\u001b\[31m11 passed, 1 failed, 1 skipped\u001b\[39m\n$/);
    expect(r.err).toContain("checking (no host) and the resources in aws-only.json");
  });
});
