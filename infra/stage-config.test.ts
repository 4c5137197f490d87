import { describe, expect, it } from "vitest";
import { StageConfigError } from "./errors.js";
import { drainTimings, logGroupsToCreate, parseStageConfig, routeTable, STAGE_DEFAULTS } from "./stage-config.js";
import { loadStageConfig } from "./stages.js";

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/0b9a6c1e-1111-2222-3333-444455556666";
const SECRET = (n: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${n}-AbCdEf`;
const valid = { certificateArn: CERT, allowedSourceCidrs: ["203.0.113.0/24"] };

function problemsOf(raw: unknown): string[] {
  try {
    parseStageConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(StageConfigError);
    expect((err as StageConfigError).code).toBe("INFRA_STAGE_CONFIG_INVALID");
    return [...(err as StageConfigError).problems];
  }
  throw new Error("expected StageConfigError");
}

describe("parseStageConfig", () => {
  it("fills defaults: 30-day retention, tls mode, 2 AZs, the Amazon Linux routes, frozen", () => {
    const c = parseStageConfig(valid);
    expect(c.logRetentionDays).toBe(30);
    expect(c.nlbMode).toBe("tls");
    expect(c.azCount).toBe(2);
    expect(c.relp).toBe(true);
    expect(parseStageConfig({ ...valid, relp: false }).relp).toBe(false);
    expect(routeTable(c).routes.map((r) => r.logGroup)).toEqual(expect.arrayContaining(["/var/log/messages", "/var/log/secure", "/var/log/maillog", "/var/log/cron", "/var/log/boot.log"]));
    expect(Object.isFrozen(c)).toBe(true);
    expect(STAGE_DEFAULTS.allowedSourceCidrs).not.toBe(c.allowedSourceCidrs);
  });

  it("names the field of every problem, all in one error", () => {
    const p = problemsOf({ nlbMode: "tls", region: "mars-1", logRetentionDays: 31, tasks: { desired: 5, min: 1, max: 3 }, allowedSourceCidrs: ["10.0.0.0/33"], typo: 1 });
    expect(p.some((m) => m.startsWith("certificateArn: required"))).toBe(true);
    expect(p.some((m) => m.startsWith("region:"))).toBe(true);
    expect(p.some((m) => m.startsWith("logRetentionDays:"))).toBe(true);
    expect(p.some((m) => m.startsWith("tasks:"))).toBe(true);
    expect(p.some((m) => m.startsWith("allowedSourceCidrs[0]:"))).toBe(true);
    expect(p.some((m) => m.startsWith("typo: unknown field"))).toBe(true);
  });

  it("requires the certificate in the stage's region", () => {
    expect(problemsOf({ ...valid, region: "us-east-1" })).toEqual([expect.stringMatching(/^certificateArn: must be in region us-east-1/)]);
  });

  it("mtls needs receiver TLS secrets, a CA and permitted peers for x509/name", () => {
    expect(problemsOf({ nlbMode: "mtls", allowedSourceCidrs: ["0.0.0.0/0"] })).toEqual([expect.stringMatching(/^receiverTls: required/)]);
    const p = problemsOf({ nlbMode: "mtls", allowedSourceCidrs: ["0.0.0.0/0"], receiverTls: { certSecretArn: SECRET("c"), keySecretArn: "nope", authMode: "x509/name", permittedPeers: [] } });
    expect(p).toEqual(expect.arrayContaining([expect.stringMatching(/^receiverTls.keySecretArn:/), expect.stringMatching(/^receiverTls.caSecretArn: required/), expect.stringMatching(/^receiverTls.permittedPeers:/)]));
    const ok = parseStageConfig({ nlbMode: "mtls", allowedSourceCidrs: ["0.0.0.0/0"], receiverTls: { certSecretArn: SECRET("c"), keySecretArn: SECRET("k"), caSecretArn: SECRET("ca"), authMode: "x509/name", permittedPeers: ["onegate.example"] } });
    expect(ok.certificateArn).toBeUndefined();
  });

  it("checks Elastic IPs per AZ, adopted groups against routes, reserved route names, lifecycle order", () => {
    expect(problemsOf({ ...valid, elasticIps: ["eipalloc-0abc"] })).toEqual([expect.stringMatching(/^elasticIps: expected one allocation id per AZ \(2\)/)]);
    expect(problemsOf({ ...valid, existingLogGroups: ["/var/log/nope"] })).toEqual([expect.stringMatching(/^existingLogGroups\[0\]:/)]);
    expect(problemsOf({ ...valid, routes: "*.* /x name=unrouted" })).toEqual([expect.stringMatching(/^routes: .*reserved/)]);
    expect(problemsOf({ ...valid, archiveTransitions: { standardIaDays: 30, glacierIrDays: 40 } })).toEqual([expect.stringMatching(/^archiveTransitions.glacierIrDays:/)]);
    expect(problemsOf({ ...valid, drainTimeoutMs: 200_000 })).toEqual([expect.stringMatching(/^drainTimeoutMs:/)]);
    expect(problemsOf({ ...valid, relp: "yes" })).toEqual([expect.stringMatching(/^relp: expected a boolean/)]);
  });

  it("requires an explicit sender allowlist", () => {
    expect(problemsOf({ certificateArn: CERT })).toEqual([expect.stringMatching(/^allowedSourceCidrs:/)]);
    expect(problemsOf({ ...valid, allowedSourceCidrs: ["2001:db8::/32"] })).toEqual([expect.stringMatching(/^allowedSourceCidrs\[0\]: expected an IPv4 CIDR/)]);
  });
});

describe("derived values", () => {
  it("stopTimeout exceeds the drain deadline; deregistration delay matches it", () => {
    expect(drainTimings({ drainTimeoutMs: 25_000 })).toEqual({ stopTimeoutS: 30, deregistrationDelayS: 25 });
    expect(drainTimings({ drainTimeoutMs: 60_500 })).toEqual({ stopTimeoutS: 66, deregistrationDelayS: 61 });
  });
  it("the stage's default drain deadline is the receiver's own RECEIVER_DRAIN_TIMEOUT_MS default", async () => {
    const { CONFIG_KEYS, loadConfig } = await import("../packages/receiver/src/config.js");
    expect(CONFIG_KEYS.drainTimeoutMs.env).toBe("RECEIVER_DRAIN_TIMEOUT_MS");
    expect(STAGE_DEFAULTS.drainTimeoutMs).toBe(Number(CONFIG_KEYS.drainTimeoutMs.default));
    expect(loadConfig({ RECEIVER_SINK: "file", RECEIVER_OUT_FILE: "/dev/null", RECEIVER_TLS_PORT: "off", RECEIVER_TCP_PORT: "0" }).drainTimeoutMs).toBe(STAGE_DEFAULTS.drainTimeoutMs);
  });
  it("does not create adopted log groups", () => {
    const c = parseStageConfig({ ...valid, existingLogGroups: ["/var/log/secure"] });
    expect(logGroupsToCreate(c)).not.toContain("/var/log/secure");
    expect(logGroupsToCreate(c)).toContain("/var/log/messages");
  });
});

describe("loadStageConfig", () => {
  it("merges SYSLOG_STAGE_CONFIG over the stage entry, and reports bad JSON by name", () => {
    const c = loadStageConfig("production", { SYSLOG_STAGE_CONFIG: JSON.stringify(valid) });
    expect(c.azCount).toBe(3);
    expect(c.certificateArn).toBe(CERT);
    expect(() => loadStageConfig("dev", { SYSLOG_STAGE_CONFIG: "{" })).toThrow(/SYSLOG_STAGE_CONFIG: not valid JSON/);
  });
});
