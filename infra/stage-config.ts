import { StageConfigError } from "./errors.js";
// The forwarder's own parser and default table: the routing table is one text in one syntax,
// validated here at deploy time exactly as the Lambdas will read it from FORWARDER_ROUTES.
import { DEFAULT_ROUTES_TEXT, parseRoutes, type RouteTable } from "../packages/forwarder/src/core/route.js";
// The receiver's own default drain deadline: one number behind RECEIVER_DRAIN_TIMEOUT_MS, the ECS
// stopTimeout and the NLB deregistration delay (drainTimings()).
import { CONFIG_KEYS as RECEIVER_CONFIG_KEYS } from "../packages/receiver/src/config.js";

/**
 * Everything a stage may vary, in one typed place, validated once when `run()` starts so a bad
 * value fails the deploy before any resource is touched, with every problem listed and each
 * message starting with the field name. Values come from infra/stages.ts merged with the
 * SYSLOG_STAGE_CONFIG JSON (account-specific values such as ARNs stay out of the repository).
 */

export const NLB_MODES = ["tls", "mtls"] as const;
export type NlbMode = (typeof NLB_MODES)[number];
export const RECEIVER_AUTH_MODES = ["anon", "x509/certvalid", "x509/name", "x509/fingerprint"] as const;

/** The values PutRetentionPolicy accepts. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** ECS caps stopTimeout at 120 s (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html);
 * the task gets STOP_GRACE_MS more than the drain deadline to flush and exit. */
export const ECS_MAX_STOP_TIMEOUT_S = 120;
export const STOP_GRACE_MS = 5_000;

export interface ReceiverTlsConfig {
  /** Secrets Manager ARNs whose values are PEM text (server certificate chain, key, client CA). */
  certSecretArn: string;
  keySecretArn: string;
  caSecretArn?: string;
  authMode: (typeof RECEIVER_AUTH_MODES)[number];
  permittedPeers: string[];
}

export interface StageConfig {
  region: string;
  nlbMode: NlbMode;
  /** ACM certificate for the NLB TLS listener (mode tls). */
  certificateArn?: string;
  /** TLS material for the tasks (mode mtls: the NLB passes TLS through). */
  receiverTls?: ReceiverTlsConfig;
  /** Sender addresses allowed to reach 6514 and, with `relp`, 2514 (OneGate's published ranges, your rsyslog hosts). */
  allowedSourceCidrs: string[];
  /** RELP input on the NLB's port 2514 (rsyslog omrelp: acknowledged delivery), in the same
   * mode as syslog: TLS terminated at the NLB (tls) or passed through to the tasks (mtls). */
  relp: boolean;
  /** "none", "create" (one per AZ) or existing allocation ids (eipalloc-…, one per AZ). */
  elasticIps: "none" | "create" | string[];
  azCount: number;
  natGateway: boolean;
  /** Existing customer-managed key; unset = create one with rotation. */
  kmsKeyArn?: string;
  /** Route log groups that already exist (e.g. written by the CloudWatch Agent): used, not created. */
  existingLogGroups: string[];
  logRetentionDays: number;
  /** Routing table in rsyslog selector-line syntax (FORWARDER_ROUTES; see packages/forwarder/src/core/route.ts). */
  routes: string;
  tasks: { desired: number; min: number; max: number };
  /** Receiver drain deadline on SIGTERM (RECEIVER_DRAIN_TIMEOUT_MS). */
  drainTimeoutMs: number;
  firehoseStreamCount: number;
  stagingExpireDays: number;
  archiveTransitions: { standardIaDays: number; glacierIrDays: number };
  /** null keeps archived objects for ever. */
  archiveExpireDays: number | null;
  archivePrefix: string;
  noDataMinutes: number;
  cpuTargetPercent: number;
  activeFlowsPerTask: number;
  alarmEmail?: string;
}

export const STAGE_DEFAULTS: StageConfig = {
  region: "eu-west-1",
  nlbMode: "tls",
  allowedSourceCidrs: [],
  relp: true,
  elasticIps: "none",
  azCount: 2,
  natGateway: false,
  existingLogGroups: [],
  logRetentionDays: 30, // like the logrotate setup being replaced (rotate 4, weekly ≈ 30 days)
  routes: DEFAULT_ROUTES_TEXT,
  tasks: { desired: 2, min: 2, max: 10 },
  drainTimeoutMs: Number(RECEIVER_CONFIG_KEYS.drainTimeoutMs.default), // 25 s
  firehoseStreamCount: 2,
  stagingExpireDays: 3,
  archiveTransitions: { standardIaDays: 30, glacierIrDays: 90 },
  archiveExpireDays: 365,
  archivePrefix: "archive/",
  noDataMinutes: 15,
  cpuTargetPercent: 60,
  activeFlowsPerTask: 2_000,
};

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ARN = (service: string, resource: string) => new RegExp(`^arn:aws[a-z-]*:${service}:([a-z0-9-]+):(\\d{12}):${resource}`);
const CIDR4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** Merges `raw` over the defaults, validates, and returns a frozen config or throws StageConfigError. */
export function parseStageConfig(raw: unknown): Readonly<StageConfig> {
  const problems: string[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new StageConfigError(["(root): expected an object"]);
  for (const k of Object.keys(raw)) if (!(k in STAGE_DEFAULTS) && !["certificateArn", "receiverTls", "kmsKeyArn", "alarmEmail"].includes(k)) problems.push(`${k}: unknown field`);
  // structuredClone: the result is frozen and must not share arrays with the defaults or the input.
  const c = structuredClone({ ...STAGE_DEFAULTS, ...(raw as Partial<StageConfig>) }) as StageConfig;
  const bad = (field: string, msg: string, v: unknown) => problems.push(`${field}: ${msg} (got ${JSON.stringify(v)})`);
  const int = (field: string, v: unknown, min: number, max: number) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) bad(field, `expected an integer ${min}–${max}`, v);
  };
  const arrayOf = (field: string, v: unknown, ok: (x: unknown) => boolean, what: string) => {
    if (!Array.isArray(v)) return bad(field, "expected an array", v);
    v.forEach((x, i) => { if (!ok(x)) bad(`${field}[${i}]`, `expected ${what}`, x); });
  };
  const isString = (x: unknown): x is string => typeof x === "string";

  if (!isString(c.region) || !REGION.test(c.region)) bad("region", "expected an AWS region such as eu-west-1", c.region);
  if (!NLB_MODES.includes(c.nlbMode)) bad("nlbMode", `expected one of ${NLB_MODES.join(", ")}`, c.nlbMode);
  const regionOf = (field: string, arn: unknown, re: RegExp) => {
    const m = isString(arn) ? re.exec(arn) : null;
    if (!m) return bad(field, `expected an ARN matching ${re.source}`, arn);
    if (m[1] !== c.region) bad(field, `must be in region ${c.region}`, arn);
  };
  if (c.nlbMode === "tls") {
    if (c.certificateArn === undefined) problems.push('certificateArn: required when nlbMode is "tls"');
    else regionOf("certificateArn", c.certificateArn, ARN("acm", "certificate/"));
  }
  if (c.nlbMode === "mtls") {
    const t = c.receiverTls;
    if (t === undefined) problems.push('receiverTls: required when nlbMode is "mtls" (the tasks terminate TLS)');
    else {
      for (const f of ["certSecretArn", "keySecretArn", "caSecretArn"] as const)
        if (f !== "caSecretArn" || t[f] !== undefined) regionOf(`receiverTls.${f}`, t[f], ARN("secretsmanager", "secret:"));
      if (!RECEIVER_AUTH_MODES.includes(t.authMode)) bad("receiverTls.authMode", `expected one of ${RECEIVER_AUTH_MODES.join(", ")}`, t.authMode);
      if ((t.authMode === "x509/certvalid" || t.authMode === "x509/name") && t.caSecretArn === undefined)
        problems.push(`receiverTls.caSecretArn: required with authMode ${t.authMode}`);
      arrayOf("receiverTls.permittedPeers", t.permittedPeers ?? [], (x) => isString(x) && x.length > 0, "a peer name");
      if (t.authMode === "x509/name" && !(t.permittedPeers?.length > 0)) problems.push("receiverTls.permittedPeers: at least one name is required with authMode x509/name");
    }
  }
  arrayOf("allowedSourceCidrs", c.allowedSourceCidrs, (x) => isString(x) && CIDR4.test(x), "an IPv4 CIDR (the NLB is IPv4-only)");
  if (Array.isArray(c.allowedSourceCidrs) && c.allowedSourceCidrs.length === 0)
    problems.push("allowedSourceCidrs: list the senders' addresses (OneGate's published ranges); 0.0.0.0/0 must be explicit");
  if (typeof c.relp !== "boolean") bad("relp", "expected a boolean", c.relp);
  int("azCount", c.azCount, 2, 6);
  if (Array.isArray(c.elasticIps)) {
    arrayOf("elasticIps", c.elasticIps, (x) => isString(x) && /^eipalloc-[0-9a-f]+$/.test(x), "an allocation id eipalloc-…");
    if (c.elasticIps.length !== c.azCount) bad("elasticIps", `expected one allocation id per AZ (${c.azCount})`, c.elasticIps);
  } else if (c.elasticIps !== "none" && c.elasticIps !== "create") bad("elasticIps", 'expected "none", "create" or a list of allocation ids', c.elasticIps);
  if (typeof c.natGateway !== "boolean") bad("natGateway", "expected a boolean", c.natGateway);
  if (c.kmsKeyArn !== undefined) regionOf("kmsKeyArn", c.kmsKeyArn, ARN("kms", "key/"));
  if (!(LOG_RETENTION_DAYS as readonly unknown[]).includes(c.logRetentionDays))
    bad("logRetentionDays", `expected one of ${LOG_RETENTION_DAYS.join(", ")}`, c.logRetentionDays);
  checkRoutes(c, bad, problems);
  const t = c.tasks;
  if (typeof t !== "object" || t === null) bad("tasks", "expected { desired, min, max }", t);
  else {
    int("tasks.min", t.min, 1, 1000);
    int("tasks.max", t.max, 1, 1000);
    int("tasks.desired", t.desired, 1, 1000);
    if (!(t.min <= t.desired && t.desired <= t.max)) bad("tasks", "expected min ≤ desired ≤ max", t);
  }
  int("drainTimeoutMs", c.drainTimeoutMs, 1_000, ECS_MAX_STOP_TIMEOUT_S * 1000 - STOP_GRACE_MS);
  int("firehoseStreamCount", c.firehoseStreamCount, 1, 20);
  int("stagingExpireDays", c.stagingExpireDays, 1, 30);
  int("archiveTransitions.standardIaDays", c.archiveTransitions?.standardIaDays, 30, 3650); // S3 minimum for STANDARD_IA
  int("archiveTransitions.glacierIrDays", c.archiveTransitions?.glacierIrDays, (c.archiveTransitions?.standardIaDays ?? 0) + 30, 3650);
  if (c.archiveExpireDays !== null) int("archiveExpireDays", c.archiveExpireDays, (c.archiveTransitions?.glacierIrDays ?? 0) + 90, 36500);
  if (!isString(c.archivePrefix) || !/^([a-z0-9_-]+\/)*$/.test(c.archivePrefix)) bad("archivePrefix", "expected '' or path segments ending in /", c.archivePrefix);
  int("noDataMinutes", c.noDataMinutes, 5, 1440);
  int("cpuTargetPercent", c.cpuTargetPercent, 10, 90);
  int("activeFlowsPerTask", c.activeFlowsPerTask, 10, 1_000_000);
  if (c.alarmEmail !== undefined && !(isString(c.alarmEmail) && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.alarmEmail))) bad("alarmEmail", "expected an e-mail address", c.alarmEmail);

  if (problems.length > 0) throw new StageConfigError(problems);
  return deepFreeze(c);
}

function deepFreeze<T>(o: T): Readonly<T> {
  if (typeof o === "object" && o !== null) for (const v of Object.values(o)) deepFreeze(v);
  return Object.freeze(o);
}

function checkRoutes(c: StageConfig, bad: (f: string, m: string, v: unknown) => void, problems: string[]): void {
  let table: RouteTable;
  try {
    table = parseRoutes(c.routes);
  } catch (err) {
    return bad("routes", (err as Error).message, c.routes);
  }
  if (table.routes.length === 0) return bad("routes", "expected at least one route", c.routes);
  const groups = new Set(table.routes.map((r) => r.logGroup));
  if (!Array.isArray(c.existingLogGroups)) return bad("existingLogGroups", "expected an array", c.existingLogGroups);
  c.existingLogGroups.forEach((g, i) => {
    if (!groups.has(g)) problems.push(`existingLogGroups[${i}]: ${JSON.stringify(g)} is not the log group of any route`);
  });
}

/** The parsed routing table of a validated config. */
export function routeTable(c: Pick<StageConfig, "routes">): RouteTable {
  return parseRoutes(c.routes);
}

/** Log groups the stack creates (route groups minus the adopted ones), deduplicated. */
export function logGroupsToCreate(c: StageConfig): string[] {
  return [...new Set(routeTable(c).routes.map((r) => r.logGroup))].filter((g) => !c.existingLogGroups.includes(g));
}

/** ECS stopTimeout (s) and NLB deregistration delay (s) derived from the receiver's drain deadline. */
export function drainTimings(c: Pick<StageConfig, "drainTimeoutMs">): { stopTimeoutS: number; deregistrationDelayS: number } {
  return {
    stopTimeoutS: Math.ceil((c.drainTimeoutMs + STOP_GRACE_MS) / 1000),
    // The NLB keeps existing flows to a draining target for this long; matching the drain deadline
    // lets the receiver finish its connections before the NLB resets them.
    deregistrationDelayS: Math.ceil(c.drainTimeoutMs / 1000),
  };
}
