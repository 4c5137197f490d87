import { relative, resolve } from "node:path";
import { z } from "zod";
import { readOptional, readRequired } from "../certs/pem-files.js";
import { defaultKeyPath, readCaFile, readClientCertificate } from "../client-config/sender-tls-files.js";
import { parseHost, parsePort } from "../client-config/sender-target.js";
import { normalizeDnsName } from "../certs/subject-names.js";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";

/**
 * What `doctor` checks, from the outputs file `sst deploy` writes (sst.config.ts returns them)
 * and the command line; a flag wins over the file. Everything is read and validated here, once,
 * so the checks themselves only look at the deployment.
 */
export const DEFAULT_OUTPUTS_FILE = ".sst/outputs.json";
export const NLB_MODES = ["tls", "mtls"] as const;
export type NlbMode = (typeof NLB_MODES)[number];
/** The NoData alarm's default window (noDataMinutes in infra/stage-config.ts). */
export const DEFAULT_SINCE_MINUTES = 15;
export const MAX_SINCE_MINUTES = 1440;

/** The subset of sst.config.ts's outputs doctor reads; other keys are ignored. */
const outputsSchema = z.object({
  nlbDnsName: z.string().min(1).optional(),
  nlbMode: z.enum(NLB_MODES).optional(),
  kmsKeyArn: z.string().min(1).optional(),
  logGroups: z.array(z.string().min(1)).optional(),
  receiverLogGroup: z.string().min(1).optional(),
  forwarderLogGroups: z.array(z.string().min(1)).optional(),
  firehoseStreams: z.array(z.string().min(1)).optional(),
  dlqUrls: z.array(z.string().min(1)).optional(),
});
export type DeployOutputs = z.infer<typeof outputsSchema>;

export interface DoctorOptions {
  outputs?: string | undefined;
  host?: string | undefined;
  port?: string | undefined;
  mode?: string | undefined;
  servername?: string | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  region?: string | undefined;
  since?: string | undefined;
}

export interface DoctorTarget {
  /** The NLB (or receiver) name; undefined: the network checks are skipped. */
  host: string | undefined;
  port: number;
  mode: NlbMode;
  /** The name the server certificate must carry: --servername, else the host. */
  servername: string | undefined;
  /** undefined: Node's bundled Mozilla roots, which hold the Amazon roots ACM chains to. */
  ca: { label: string; pem: string } | undefined;
  client: { label: string; certPem: string; keyPem: string } | undefined;
  region: string | undefined;
  sinceMinutes: number;
  kmsKeyArn: string | undefined;
  /** Route log groups: must exist, be encrypted and have retention; data must arrive in them. */
  logGroups: string[];
  /** The receiver's own log group: checked like a route group, but not for data. */
  receiverLogGroup: string | undefined;
  /** The forwarder Lambdas' own log groups: the same. */
  forwarderLogGroups: string[];
  firehoseStreams: string[];
  dlqUrls: string[];
  /** Where the outputs came from (for messages), or undefined without a file. */
  outputsFile: string | undefined;
}

/** Every log group doctor checks: the route groups, then the pipeline's own (receiver, forwarder
 * Lambdas), which are checked the same way except for recent data. */
export function checkedLogGroups(t: DoctorTarget): string[] {
  return [...t.logGroups, ...(t.receiverLogGroup !== undefined ? [t.receiverLogGroup] : []), ...t.forwarderLogGroups];
}

/** Whether the target names any AWS resource to check. */
export function wantsAws(t: DoctorTarget): boolean {
  return t.kmsKeyArn !== undefined || checkedLogGroups(t).length + t.firehoseStreams.length + t.dlqUrls.length > 0;
}

export interface ResolvedTarget {
  target: DoctorTarget;
  warnings: string[];
}

const label = (io: CliIo, path: string) => relative(io.cwd, path) || path;

async function readOutputs(io: CliIo, option: string | undefined): Promise<{ outputs: DeployOutputs; file: string | undefined }> {
  const path = resolve(io.cwd, option ?? DEFAULT_OUTPUTS_FILE);
  // Named on the command line: it must exist. The default path is optional.
  const text = option !== undefined ? (await readRequired(path, label(io, path))).toString("utf8") : await readOptional(path);
  if (text === undefined) return { outputs: {}, file: undefined };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`doctor: ${label(io, path)} is not JSON (${(err as Error).message}); give the file \`sst deploy\` writes, .sst/outputs.json`, { cause: err });
  }
  const parsed = outputsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ");
    throw new UsageError(`doctor: ${label(io, path)} is not a deploy outputs file: ${problems}`);
  }
  return { outputs: parsed.data, file: label(io, path) };
}

function parseMode(value: string | undefined): NlbMode | undefined {
  if (value === undefined) return undefined;
  if (!(NLB_MODES as readonly string[]).includes(value)) throw new UsageError(`doctor: --mode must be tls or mtls, got "${value}"`);
  return value as NlbMode;
}

function parseSince(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SINCE_MINUTES;
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > MAX_SINCE_MINUTES) {
    throw new UsageError(`doctor: --since must be a whole number of minutes from 1 to ${MAX_SINCE_MINUTES}, got "${value}"`);
  }
  return Number(value);
}

/** "https://sqs.eu-west-1.amazonaws.com/123456789012/syslog-prod-CloudwatchDlq-1a2b3c" → the name. */
export function queueName(url: string): string {
  return url.replace(/\/+$/, "").split("/").pop() ?? url;
}

/** arn:aws:kms:eu-west-1:123456789012:key/… → eu-west-1. */
export function regionOfArn(arn: string | undefined): string | undefined {
  const region = arn?.split(":")[3];
  return region !== undefined && /^[a-z]{2}(-[a-z]+)+-[0-9]+$/.test(region) ? region : undefined;
}

export async function resolveDoctorTarget(options: DoctorOptions, io: CliIo): Promise<ResolvedTarget> {
  const { outputs, file } = await readOutputs(io, options.outputs);
  const warnings: string[] = [];
  const hostValue = options.host ?? outputs.nlbDnsName;
  const host = hostValue !== undefined ? parseHost(hostValue) : undefined;
  const port = parsePort(options.port);
  const mode = parseMode(options.mode) ?? outputs.nlbMode ?? "tls";
  const servername = options.servername !== undefined ? normalizeDnsName(options.servername, "--servername") : host;
  if (options.key !== undefined && options.cert === undefined) throw new UsageError("doctor: --key needs --cert (the client certificate it belongs to)");
  if (options.cert !== undefined && mode !== "mtls") throw new UsageError("doctor: --cert applies only to mode mtls (in mode tls the NLB asks for no client certificate); add --mode mtls");
  const now = io.now();

  let ca: DoctorTarget["ca"];
  if (options.ca !== undefined && options.ca !== "system") {
    const path = resolve(io.cwd, options.ca);
    const read = await readCaFile(path, label(io, path), now);
    warnings.push(...read.warnings);
    ca = { label: read.file.label, pem: read.file.pem };
  }

  let client: DoctorTarget["client"];
  if (options.cert !== undefined) {
    const cert = resolve(io.cwd, options.cert);
    const key = options.key !== undefined ? resolve(io.cwd, options.key) : defaultKeyPath(cert);
    const read = await readClientCertificate({ cert, certLabel: label(io, cert), key, keyLabel: label(io, key) }, now);
    warnings.push(...read.warnings);
    client = { label: read.client.cert.label, certPem: read.client.cert.pem, keyPem: read.client.keyPem };
  }

  const logGroups = outputs.logGroups ?? [];
  const firehoseStreams = outputs.firehoseStreams ?? [];
  const dlqUrls = outputs.dlqUrls ?? [];
  const forwarderLogGroups = outputs.forwarderLogGroups ?? [];
  const kmsKeyArn = outputs.kmsKeyArn;
  const usesAws = kmsKeyArn !== undefined || logGroups.length + firehoseStreams.length + dlqUrls.length + forwarderLogGroups.length > 0 ||
    outputs.receiverLogGroup !== undefined;
  if (host === undefined && !usesAws) {
    const where = options.outputs !== undefined
      ? `${file} names no nlbDnsName, kmsKeyArn, logGroups, firehoseStreams or dlqUrls`
      : `no ${DEFAULT_OUTPUTS_FILE} in ${io.cwd} and no --host`;
    throw new UsageError(`doctor: nothing to check: ${where}. Run it where \`sst deploy\` wrote ${DEFAULT_OUTPUTS_FILE}, or pass --outputs FILE, or --host NAME for the network checks only`);
  }
  const region = options.region ?? io.env["AWS_REGION"] ?? io.env["AWS_DEFAULT_REGION"] ?? regionOfArn(kmsKeyArn);
  if (usesAws && (region === undefined || region === "")) {
    throw new UsageError("doctor: no AWS region: pass --region, or set AWS_REGION (the outputs name no KMS key ARN to take it from)");
  }

  return {
    target: {
      host, port, mode, servername, ca, client, region, sinceMinutes: parseSince(options.since),
      kmsKeyArn, logGroups, receiverLogGroup: outputs.receiverLogGroup, forwarderLogGroups, firehoseStreams, dlqUrls, outputsFile: file,
    },
    warnings,
  };
}
