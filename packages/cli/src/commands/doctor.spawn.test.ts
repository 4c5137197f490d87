import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, startReceiver } from "@aws-syslog/receiver";
import { createCa, issueClientCertificate, issueServerCertificate } from "../certs/index.js";
import { ensureBuilt, runCli } from "../client-config/testing/built-cli.js";
import { deployOutputs, dlqUrls, FORWARDER_GROUPS, healthyKeyPolicy, KEY_ARN, makeHealthy, RECEIVER_GROUP, ROUTE_GROUPS, startTlsServer, STREAMS, type TestTlsServer } from "../doctor/testing/deployment-fixture.js";
import { startFakeAws, type FakeAws } from "../doctor/testing/fake-aws.js";

/**
 * `pnpm cli doctor` run as a user runs it (`node packages/cli/dist/main.js doctor`, piped), against
 * TLS servers on 127.0.0.1 with certificates from the certs module and a fake of the KMS, Logs,
 * Firehose and SQS APIs reached through AWS_ENDPOINT_URL_*. Nothing leaves loopback: static
 * credentials, no profile files, no instance metadata.
 */
const DAY_MS = 86_400_000;
let cwd: string;
let fake: FakeAws;
const servers: Record<"tls" | "mtls" | "lax" | "expired" | "nearExpiry", TestTlsServer> = {} as never;
let closedPort: number;

function env(): NodeJS.ProcessEnv {
  return {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLEDOCTOR",
    AWS_SECRET_ACCESS_KEY: "doctor-test-secret",
    AWS_SESSION_TOKEN: "",
    AWS_PROFILE: "",
    AWS_CONFIG_FILE: join(cwd, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(cwd, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    // The SDK warns on Node 20 that releases from 2027 need Node 22; not what these tests look at.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_ENDPOINT_URL: "",
    AWS_ENDPOINT_URL_KMS: fake.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.endpoint,
    AWS_ENDPOINT_URL_FIREHOSE: fake.endpoint,
    AWS_ENDPOINT_URL_SQS: fake.endpoint,
  };
}

const doctor = (args: string[]) => runCli(cwd, ["doctor", ...args], env());

interface JsonReport {
  ok: boolean;
  failed: number;
  checks: { name: string; status: string; detail: string; fix?: string }[];
}
function report(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}
const statusOf = (r: JsonReport) => Object.fromEntries(r.checks.map((c) => [c.name, c.status]));
const check = (r: JsonReport, name: string) => r.checks.find((c) => c.name === name)!;

beforeAll(async () => {
  ensureBuilt(["doctor"]);
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-doctor-"));
  fake = await startFakeAws();
  const ca = await createCa();
  const otherCa = await createCa();
  const server = await issueServerCertificate(ca);
  const client = await issueClientCertificate(ca);
  const expired = await issueServerCertificate(ca, { now: new Date(Date.now() - 100 * DAY_MS), days: 30 });
  const nearExpiry = await issueServerCertificate(ca, { days: 10 });
  await writeFile(join(cwd, "ca.pem"), ca.certPem);
  await writeFile(join(cwd, "other-ca.pem"), otherCa.certPem);
  await writeFile(join(cwd, "client.pem"), client.certPem);
  await writeFile(join(cwd, "client.key"), client.keyPem);
  servers.tls = await startTlsServer({ ...server, clientAuth: "none" });
  servers.mtls = await startTlsServer({ ...server, caPem: ca.certPem, clientAuth: "required" });
  servers.lax = await startTlsServer({ ...server, caPem: ca.certPem, clientAuth: "optional" });
  servers.expired = await startTlsServer({ ...expired, clientAuth: "none" });
  servers.nearExpiry = await startTlsServer({ ...nearExpiry, clientAuth: "none" });
  // A port that was just free: nothing listens there.
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => probe.once("listening", r));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  await mkdir(join(cwd, ".sst"));
  await writeFile(join(cwd, ".sst", "outputs.json"), JSON.stringify(deployOutputs(fake.endpoint)));
  await writeFile(join(cwd, "mtls-outputs.json"), JSON.stringify(deployOutputs(fake.endpoint, "mtls")));
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await fake?.close();
  await rm(cwd, { recursive: true, force: true });
});

beforeEach(() => {
  makeHealthy(fake.state, fake.endpoint);
  fake.calls.splice(0);
});

describe("pnpm cli doctor", () => {
  it("passes a healthy deployment read from .sst/outputs.json: a plain table when piped, exit 0", async () => {
    const r = await doctor(["--port", String(servers.tls.port), "--ca", "ca.pem"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).not.toContain("\u001b[");
    const lines = r.stdout.trim().split("\n");
    for (const name of ["dns", "tls", "kms-key", "kms-policy", ...[...ROUTE_GROUPS, RECEIVER_GROUP, ...FORWARDER_GROUPS].map((g) => `log-group ${g}`), ...STREAMS.map((s) => `firehose ${s}`), "recent-data"]) {
      expect(lines.find((l) => l.includes(` ${name} `)), name).toMatch(/^PASS /);
    }
    expect(r.stdout).toMatch(/^SKIP  mtls-client-accepted +mode tls/m);
    expect(r.stdout).toContain("14 passed, 0 failed, 2 skipped");
    expect(r.stdout).toMatch(/tls +TLSv1\.3, chain CN=localhost <- CN=aws-syslog development CA [0-9a-f]{8} verified by ca\.pem, name 127\.0\.0\.1 matches, expires in \d+ days/);
    // Every API was reached through the AWS_ENDPOINT_URL_* variables.
    expect(new Set(fake.calls.map((c) => c.split(".")[0]))).toEqual(new Set(["TrentService", "Logs_20140328", "Firehose_20150804", "AmazonSQS"]));
  });

  it("mode mtls: accepts the client certificate and refuses a client without one (the TLS 1.3 alert after the handshake)", async () => {
    const r = await doctor(["--outputs", "mtls-outputs.json", "--port", String(servers.mtls.port), "--ca", "ca.pem", "--cert", "client.pem", "--json"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const rep = report(r.stdout);
    expect(statusOf(rep)).toMatchObject({ tls: "pass", "mtls-client-accepted": "pass", "mtls-certless-refused": "pass" });
    expect(check(rep, "mtls-certless-refused").detail).toMatch(/refused after the handshake .*certificate required/);
  });

  it("mode mtls: fails when the receiver keeps a client without a certificate", async () => {
    const r = await doctor(["--outputs", "mtls-outputs.json", "--port", String(servers.lax.port), "--ca", "ca.pem", "--cert", "client.pem", "--json"]);
    expect(r.code).toBe(1);
    const c = check(report(r.stdout), "mtls-certless-refused");
    expect(c).toMatchObject({ status: "fail", detail: expect.stringContaining("kept a connection without a client certificate open") });
    expect(c.fix).toContain("RECEIVER_TLS_AUTH_MODE");
    expect(check(report(r.stdout), "mtls-client-accepted").status).toBe("pass");
  });

  it("fails an expired certificate and one that expires within 30 days, with the rotation fix", async () => {
    const expired = await doctor(["--port", String(servers.expired.port), "--ca", "ca.pem", "--json"]);
    expect(expired.code).toBe(1);
    expect(check(report(expired.stdout), "tls")).toMatchObject({ status: "fail", detail: expect.stringContaining("has expired"), fix: "rotate the certificate: docs/operations.md#certificate-rotation" });
    const soon = await doctor(["--port", String(servers.nearExpiry.port), "--ca", "ca.pem"]);
    expect(soon.code).toBe(1);
    expect(soon.stdout).toMatch(/^FAIL  tls .*but CN=localhost expires in (9|10) days/m);
    expect(soon.stdout).toMatch(/^ +fix: rotate the certificate: docs\/operations\.md#certificate-rotation$/m);
  });

  it("fails a chain the given CA does not verify, and a host nothing listens on", async () => {
    const wrongCa = await doctor(["--port", String(servers.tls.port), "--ca", "other-ca.pem", "--json"]);
    expect(wrongCa.code).toBe(1);
    expect(check(report(wrongCa.stdout), "tls").detail).toMatch(/is not trusted by other-ca\.pem \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
    const down = await doctor(["--port", String(closedPort), "--ca", "ca.pem"]);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain(`FAIL  tls`);
    expect(down.stdout).toContain(`cannot connect to 127.0.0.1:${closedPort}: connection refused`);
  });

  it("reports each broken AWS part with its fix", async () => {
    const s = fake.state;
    s.keys.set(KEY_ARN, { state: "Disabled", policy: healthyKeyPolicy(undefined, "logs.us-east-1.amazonaws.com") });
    s.logGroups.set(ROUTE_GROUPS[1]!, { retentionInDays: 400, events: [] });
    s.logGroups.set(RECEIVER_GROUP, { kmsKeyId: KEY_ARN, events: [] });
    s.logGroups.delete(FORWARDER_GROUPS[1]!);
    s.logGroups.get(ROUTE_GROUPS[0]!)!.events.splice(0);
    s.logGroups.get(ROUTE_GROUPS[0]!)!.events.push(Date.now() - 20 * 60_000);
    s.streams.set(STREAMS[1]!, "CREATING");
    s.queues.set(dlqUrls(fake.endpoint)[0]!, 3);
    const r = await doctor(["--port", String(servers.tls.port), "--ca", "ca.pem", "--json"]);
    expect([r.code, r.stderr]).toEqual([1, ""]);
    const rep = report(r.stdout);
    expect(statusOf(rep)).toMatchObject({
      tls: "pass", "kms-key": "fail", "kms-policy": "fail", [`log-group ${ROUTE_GROUPS[0]}`]: "pass", [`log-group ${ROUTE_GROUPS[1]}`]: "fail",
      [`log-group ${RECEIVER_GROUP}`]: "fail", [`log-group ${FORWARDER_GROUPS[0]}`]: "pass", [`log-group ${FORWARDER_GROUPS[1]}`]: "fail",
      [`firehose ${STREAMS[0]}`]: "pass", [`firehose ${STREAMS[1]}`]: "fail",
      "dlq syslog-testCloudwatchDlq-1a2b3c4": "fail", "dlq syslog-testArchiveDlq-5d6e7f8": "pass", "recent-data": "fail",
    });
    expect(rep.failed).toBe(8);
    expect(check(rep, "kms-key")).toMatchObject({ detail: `${KEY_ARN} is Disabled`, fix: expect.stringContaining(`aws kms enable-key --key-id ${KEY_ARN}`) });
    expect(check(rep, "kms-policy").detail).toContain("no statement allows the principal logs.eu-west-1.amazonaws.com");
    expect(check(rep, `log-group ${ROUTE_GROUPS[1]}`)).toMatchObject({ detail: expect.stringContaining("not encrypted with a KMS key"), fix: expect.stringContaining("aws logs associate-kms-key") });
    expect(check(rep, `log-group ${RECEIVER_GROUP}`)).toMatchObject({ detail: expect.stringContaining("no retention"), fix: expect.stringContaining("put-retention-policy") });
    expect(check(rep, `log-group ${FORWARDER_GROUPS[1]}`)).toMatchObject({ detail: `${FORWARDER_GROUPS[1]} does not exist`, fix: expect.stringContaining("sst deploy") });
    expect(check(rep, `firehose ${STREAMS[1]}`).detail).toBe(`${STREAMS[1]} is CREATING`);
    expect(check(rep, "dlq syslog-testCloudwatchDlq-1a2b3c4")).toMatchObject({ detail: expect.stringContaining("holds 3 messages"), fix: expect.stringContaining("docs/operations.md#dlq-redrive") });
    expect(check(rep, "recent-data").detail).toMatch(/^no event in 2 log groups in the last 15 min/);
    // --since widens the window: the event 20 minutes ago counts.
    const wider = await doctor(["--port", String(servers.tls.port), "--ca", "ca.pem", "--since", "30", "--json"]);
    expect(check(report(wider.stdout), "recent-data").status).toBe("pass");
  });

  it("turns refused credentials into one failed line and skips the other AWS checks", async () => {
    fake.state.rejectAllWith = "UnrecognizedClientException";
    const r = await doctor(["--port", String(servers.tls.port), "--ca", "ca.pem"]);
    expect([r.code, r.stderr]).toEqual([1, ""]);
    expect(r.stdout).toMatch(/^FAIL  kms-key +KMS refused the credentials: UnrecognizedClientException: The security token included in the request is invalid\.$/m);
    expect(r.stdout.match(/^FAIL /gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^SKIP  recent-data +not checked: the AWS credentials were refused \(see kms-key\)$/m);
    expect(r.stdout).not.toMatch(/\n\s+at /); // no stack trace
    expect(fake.calls.filter((c) => c.startsWith("TrentService"))).toHaveLength(fake.calls.length); // nothing asked after the refusal but KMS
  });

  it("fails clearly on an AWS endpoint nothing listens on", async () => {
    const r = await runCli(cwd, ["doctor", "--port", String(servers.tls.port), "--ca", "ca.pem", "--json"], { ...env(), AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${closedPort}` });
    expect(r.code).toBe(1);
    const rep = report(r.stdout);
    expect(check(rep, "kms-key")).toMatchObject({ status: "fail", detail: expect.stringContaining(`cannot reach KMS at http://127.0.0.1:${closedPort}`) });
    expect(check(rep, "kms-policy").status).toBe("skip");
  });

  it("bad input: a missing outputs file, nothing to check, a missing CA file, an expired client certificate", async () => {
    const missing = await doctor(["--outputs", "nope.json"]);
    expect([missing.code, missing.stdout]).toEqual([1, ""]);
    expect(missing.stderr).toBe("error: nope.json: no such file [CLI_FILE_NOT_FOUND]\n");

    const empty = await mkdtemp(join(tmpdir(), "aws-syslog-cli-doctor-empty-"));
    const nothing = await runCli(empty, ["doctor"], env());
    await rm(empty, { recursive: true, force: true });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^error: doctor: nothing to check: no \.sst\/outputs\.json in .* and no --host\. .*\[CLI_USAGE\]\n$/);

    const noCa = await doctor(["--ca", "missing-ca.pem"]);
    expect([noCa.code, noCa.stderr]).toEqual([1, "error: missing-ca.pem: no such file [CLI_FILE_NOT_FOUND]\n"]);

    const ca = await createCa();
    const old = await issueClientCertificate(ca, { now: new Date(Date.now() - 100 * DAY_MS), days: 30 });
    await writeFile(join(cwd, "old-client.pem"), old.certPem);
    await writeFile(join(cwd, "old-client.key"), old.keyPem);
    const expired = await doctor(["--mode", "mtls", "--cert", "old-client.pem"]);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toMatch(/^error: old-client\.pem: the client certificate CN=aws-syslog expired on .* \[CLI_CERT_EXPIRED\]\n$/);

    const badMode = await doctor(["--mode", "tcp"]);
    expect([badMode.code, badMode.stderr]).toEqual([2, 'error: doctor: --mode must be tls or mtls, got "tcp" [CLI_USAGE]\n']);
  });

  it("against the real receiver in mode mtls (x509/name): accepts a permitted client, refuses one without a certificate and one of another name", async () => {
    const ca = await createCa();
    const server = await issueServerCertificate(ca);
    const intruder = await issueClientCertificate(ca, { commonName: "intruder" });
    await writeFile(join(cwd, "rx-ca.pem"), ca.certPem);
    const permitted = await issueClientCertificate(ca);
    await writeFile(join(cwd, "rx-client.pem"), permitted.certPem);
    await writeFile(join(cwd, "rx-client.key"), permitted.keyPem);
    await writeFile(join(cwd, "intruder.pem"), intruder.certPem);
    await writeFile(join(cwd, "intruder.key"), intruder.keyPem);
    const receiver = await startReceiver(
      loadConfig({}, {
        host: "127.0.0.1", tlsPort: "0", tcpPort: "off", healthPort: "off", tlsWatchFiles: "false", logLevel: "silent",
        tlsCertPem: server.certPem, tlsKeyPem: server.keyPem, tlsCaPem: ca.certPem, tlsAuthMode: "x509/name", tlsPermittedPeers: "aws-syslog",
        sink: "file", outFile: join(cwd, "rx.ndjson"),
      }),
      { logger: pino({ level: "silent" }) },
    );
    try {
      const port = String(receiver.addresses.tls!.port);
      const ok = await doctor(["--outputs", "mtls-outputs.json", "--port", port, "--ca", "rx-ca.pem", "--cert", "rx-client.pem", "--json"]);
      expect([ok.code, ok.stderr]).toEqual([0, ""]);
      expect(statusOf(report(ok.stdout))).toMatchObject({ tls: "pass", "mtls-client-accepted": "pass", "mtls-certless-refused": "pass" });
      const refused = await doctor(["--outputs", "mtls-outputs.json", "--port", port, "--ca", "rx-ca.pem", "--cert", "intruder.pem", "--json"]);
      expect(refused.code).toBe(1);
      expect(check(report(refused.stdout), "mtls-client-accepted")).toMatchObject({ status: "fail", detail: expect.stringContaining("the receiver dropped the connection after the handshake with intruder.pem") });
    } finally {
      await receiver.stop();
    }
  });

  it("--help describes every check and option", async () => {
    const r = await runCli(cwd, ["doctor", "--help"]);
    expect(r.code).toBe(0);
    for (const word of ["mtls-certless-refused", "kms-policy", "recent-data", "--outputs", "--since", "--json", "Exit codes"]) expect(r.stdout).toContain(word);
  });
});
