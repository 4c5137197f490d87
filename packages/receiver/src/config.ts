import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { FINGERPRINT_PATTERN } from "./listener/peer-auth.js";
import { FIREHOSE_CONFIG_KEYS as FH, FIREHOSE_MIN_BUFFER_BYTES } from "./sinks/firehose/config.js";

/**
 * The receiver's whole configuration, read from the environment once at start, validated with
 * every problem reported together, then frozen. Only this module reads process.env.
 * Every key is documented in docs/configuration.md (a test checks that the two agree).
 */

const AUTH_MODES = ["anon", "x509/certvalid", "x509/name", "x509/fingerprint"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
const PROXY_POLICIES = ["off", "optional", "required"] as const;
export type ProxyPolicy = (typeof PROXY_POLICIES)[number];
const SINKS = ["file", "staging", "firehose"] as const;
export type SinkKind = (typeof SINKS)[number];

const list = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

/** A port number, or "off" to disable the listener. 0 asks the OS for a free port (tests). */
const port = z.union([
  z.literal("off").transform(() => null),
  z.coerce.number().int().min(0).max(65535),
]);

const positiveInt = (min = 1) => z.coerce.number().int().min(min);

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

/** rsyslog notation, e.g. SHA256:AB:CD:… or SHA1:AB:…; normalised to upper case. */
const fingerprint = z
  .string()
  .regex(FINGERPRINT_PATTERN, "expected SHA256:AA:BB:… or SHA1:AA:BB:… (rsyslog notation)")
  .transform((s) => s.toUpperCase());

/** Each entry: environment variable, default (string as it would be written in the env), schema. */
export const CONFIG_KEYS = {
  host: { env: "RECEIVER_HOST", default: "0.0.0.0", schema: z.string().min(1) },
  tlsPort: { env: "RECEIVER_TLS_PORT", default: "6514", schema: port },
  tcpPort: { env: "RECEIVER_TCP_PORT", default: "off", schema: port },
  tlsProxyProtocol: { env: "RECEIVER_TLS_PROXY_PROTOCOL", default: "off", schema: z.enum(PROXY_POLICIES) },
  tcpProxyProtocol: { env: "RECEIVER_TCP_PROXY_PROTOCOL", default: "off", schema: z.enum(PROXY_POLICIES) },
  // RELP (relp/): plain for a load balancer that terminated TLS, and over TLS with the same
  // certificate and auth mode as the syslog TLS listener. 2514 is the conventional RELP port.
  relpPort: { env: "RECEIVER_RELP_PORT", default: "off", schema: port },
  relpTlsPort: { env: "RECEIVER_RELP_TLS_PORT", default: "off", schema: port },
  relpProxyProtocol: { env: "RECEIVER_RELP_PROXY_PROTOCOL", default: "off", schema: z.enum(PROXY_POLICIES) },
  relpTlsProxyProtocol: { env: "RECEIVER_RELP_TLS_PROXY_PROTOCOL", default: "off", schema: z.enum(PROXY_POLICIES) },
  relpAck: { env: "RECEIVER_RELP_ACK", default: "stored", schema: z.enum(["stored", "received"]) },
  relpMaxWindow: { env: "RECEIVER_RELP_MAX_WINDOW", default: "65536", schema: positiveInt() },
  tlsCertFile: { env: "RECEIVER_TLS_CERT_FILE", default: undefined, schema: z.string().min(1).optional() },
  tlsKeyFile: { env: "RECEIVER_TLS_KEY_FILE", default: undefined, schema: z.string().min(1).optional() },
  tlsCaFile: { env: "RECEIVER_TLS_CA_FILE", default: undefined, schema: z.string().min(1).optional() },
  tlsCertPem: { env: "RECEIVER_TLS_CERT_PEM", default: undefined, schema: z.string().min(1).optional() },
  tlsKeyPem: { env: "RECEIVER_TLS_KEY_PEM", default: undefined, schema: z.string().min(1).optional() },
  tlsCaPem: { env: "RECEIVER_TLS_CA_PEM", default: undefined, schema: z.string().min(1).optional() },
  tlsAuthMode: { env: "RECEIVER_TLS_AUTH_MODE", default: "anon", schema: z.enum(AUTH_MODES) },
  tlsPermittedPeers: { env: "RECEIVER_TLS_PERMITTED_PEERS", default: "", schema: list },
  tlsFingerprints: { env: "RECEIVER_TLS_FINGERPRINTS", default: "", schema: list.pipe(z.array(fingerprint)) },
  // One fingerprint per line, # comments; re-read with the certificates (SIGHUP, file change)
  // and merged with RECEIVER_TLS_FINGERPRINTS, so a sender is revoked without a restart.
  tlsFingerprintsFile: { env: "RECEIVER_TLS_FINGERPRINTS_FILE", default: undefined, schema: z.string().min(1).optional() },
  tlsMinVersion: { env: "RECEIVER_TLS_MIN_VERSION", default: "TLSv1.2", schema: z.enum(["TLSv1.2", "TLSv1.3"]) },
  tlsWatchFiles: { env: "RECEIVER_TLS_WATCH_FILES", default: "true", schema: bool },
  maxConnections: { env: "RECEIVER_MAX_CONNECTIONS", default: "20000", schema: positiveInt() },
  handshakeTimeoutMs: { env: "RECEIVER_HANDSHAKE_TIMEOUT_MS", default: "10000", schema: positiveInt(100) },
  idleTimeoutMs: { env: "RECEIVER_IDLE_TIMEOUT_MS", default: "600000", schema: positiveInt(0) },
  maxFrameBytes: { env: "RECEIVER_MAX_FRAME_BYTES", default: "65536", schema: z.coerce.number().int().min(480).max(1_048_576) },
  oversizePolicy: { env: "RECEIVER_OVERSIZE_POLICY", default: "truncate", schema: z.enum(["truncate", "drop"]) },
  socketReadBytes: { env: "RECEIVER_SOCKET_READ_BYTES", default: "65536", schema: z.coerce.number().int().min(1024) },
  bufferBytes: { env: "RECEIVER_BUFFER_BYTES", default: "16777216", schema: z.coerce.number().int().min(65536) },
  defaultTimeZone: { env: "RECEIVER_DEFAULT_TIMEZONE", default: "UTC", schema: z.string().min(1) },
  drainTimeoutMs: { env: "RECEIVER_DRAIN_TIMEOUT_MS", default: "25000", schema: positiveInt(100) },
  healthPort: { env: "RECEIVER_HEALTH_PORT", default: "8080", schema: port },
  sink: { env: "RECEIVER_SINK", default: "firehose", schema: z.enum(SINKS) },
  outFile: { env: "RECEIVER_OUT_FILE", default: undefined, schema: z.string().min(1).optional() },
  stagingDir: { env: "RECEIVER_STAGING_DIR", default: undefined, schema: z.string().min(1).optional() },
  stagingFlushMs: { env: "RECEIVER_STAGING_FLUSH_MS", default: "1000", schema: positiveInt(10) },
  stagingMaxObjectBytes: { env: "RECEIVER_STAGING_MAX_OBJECT_BYTES", default: "5242880", schema: positiveInt(1024) },
  // Firehose sink (sinks/firehose/config.ts); its byte budget is RECEIVER_BUFFER_BYTES.
  firehoseStreams: FH.streams,
  firehoseLingerMs: FH.lingerMs,
  firehoseAckLingerMs: FH.ackLingerMs,
  firehoseRecordMaxBytes: FH.recordMaxBytes,
  firehoseGzipLevel: FH.gzipLevel,
  firehoseMaxInFlight: FH.maxInFlight,
  firehoseMaxRetries: FH.maxRetries,
  firehoseRetryBaseMs: FH.retryBaseMs,
  firehoseRetryMaxMs: FH.retryMaxMs,
  firehoseRequestTimeoutMs: FH.requestTimeoutMs,
  firehoseCloseTimeoutMs: FH.closeTimeoutMs,
  logLevel: { env: "LOG_LEVEL", default: "info", schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]) },
} as const;

type Keys = typeof CONFIG_KEYS;
type Parsed = { [K in keyof Keys]: z.output<Keys[K]["schema"]> };

export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string | undefined;
  /** Files to watch for reloads (empty when the material came from *_PEM variables). */
  files: string[];
}

export type ReceiverConfig = Readonly<Parsed>;

/**
 * Parses an environment (process.env by default). Throws one ConfigError that lists every
 * problem, each naming its variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Keys, string>> = {}): ReceiverConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_KEYS) as [keyof Keys, Keys[keyof Keys]][]) {
    const raw = overrides[name] ?? emptyToUndefined(env[spec.env]) ?? spec.default;
    const parsed = (spec.schema as z.ZodType).safeParse(raw);
    if (parsed.success) out[name] = parsed.data;
    else problems.push(`${spec.env}=${JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  if (problems.length === 0) problems.push(...crossCheck(out as Parsed));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out as Parsed);
}

function emptyToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}

function crossCheck(c: Parsed): string[] {
  const problems: string[] = [];
  if (c.tlsPort === null && c.tcpPort === null && c.relpPort === null && c.relpTlsPort === null) problems.push("RECEIVER_TLS_PORT and RECEIVER_TCP_PORT are both off (and no RELP port is on): nothing to listen on");
  if (c.tlsPort !== null || c.relpTlsPort !== null) {
    if (!c.tlsCertFile && !c.tlsCertPem) problems.push("RECEIVER_TLS_CERT_FILE (or RECEIVER_TLS_CERT_PEM) is required while the TLS listener is on");
    if (!c.tlsKeyFile && !c.tlsKeyPem) problems.push("RECEIVER_TLS_KEY_FILE (or RECEIVER_TLS_KEY_PEM) is required while the TLS listener is on");
    if (c.tlsCertFile && c.tlsCertPem) problems.push("set only one of RECEIVER_TLS_CERT_FILE and RECEIVER_TLS_CERT_PEM");
    if (c.tlsKeyFile && c.tlsKeyPem) problems.push("set only one of RECEIVER_TLS_KEY_FILE and RECEIVER_TLS_KEY_PEM");
    const needsCa = c.tlsAuthMode === "x509/certvalid" || c.tlsAuthMode === "x509/name";
    if (needsCa && !c.tlsCaFile && !c.tlsCaPem) problems.push(`RECEIVER_TLS_CA_FILE (or RECEIVER_TLS_CA_PEM) is required with RECEIVER_TLS_AUTH_MODE=${c.tlsAuthMode}`);
  }
  if (c.tlsAuthMode === "x509/name" && c.tlsPermittedPeers.length === 0) problems.push("RECEIVER_TLS_PERMITTED_PEERS must list at least one name with RECEIVER_TLS_AUTH_MODE=x509/name");
  if (c.tlsAuthMode === "x509/fingerprint" && c.tlsFingerprints.length === 0 && !c.tlsFingerprintsFile) problems.push("RECEIVER_TLS_FINGERPRINTS (or RECEIVER_TLS_FINGERPRINTS_FILE) must list at least one fingerprint with RECEIVER_TLS_AUTH_MODE=x509/fingerprint");
  if (c.sink === "file" && !c.outFile) problems.push("RECEIVER_OUT_FILE is required with RECEIVER_SINK=file");
  if (c.sink === "staging" && !c.stagingDir) problems.push("RECEIVER_STAGING_DIR is required with RECEIVER_SINK=staging");
  if (c.sink === "firehose" && c.firehoseStreams.length === 0) problems.push("RECEIVER_FIREHOSE_STREAMS must list at least one delivery stream with RECEIVER_SINK=firehose");
  if (c.sink === "firehose" && c.bufferBytes < FIREHOSE_MIN_BUFFER_BYTES) problems.push(`RECEIVER_BUFFER_BYTES=${c.bufferBytes}: the Firehose sink needs at least ${FIREHOSE_MIN_BUFFER_BYTES} (1 MiB, one full record)`);
  if (c.firehoseRetryMaxMs < c.firehoseRetryBaseMs) problems.push("RECEIVER_FIREHOSE_RETRY_MAX_MS must be >= RECEIVER_FIREHOSE_RETRY_BASE_MS");
  if (!isValidTimeZone(c.defaultTimeZone)) problems.push(`RECEIVER_DEFAULT_TIMEZONE=${JSON.stringify(c.defaultTimeZone)}: not an IANA time zone, "UTC" or an offset like "+09:00"`);
  return problems;
}

function isValidTimeZone(tz: string): boolean {
  if (/^[+-]\d{2}:\d{2}$/.test(tz)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Reads the certificate material named by the config; throws ConfigError naming the file. */
export function readTlsMaterial(c: ReceiverConfig): TlsMaterial {
  const problems: string[] = [];
  const read = (file: string | undefined, pem: string | undefined, env: string): string | undefined => {
    if (pem) return pem;
    if (!file) return undefined;
    try {
      return readFileSync(file, "utf8");
    } catch (err) {
      problems.push(`${env}=${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return undefined;
    }
  };
  const cert = read(c.tlsCertFile, c.tlsCertPem, "RECEIVER_TLS_CERT_FILE");
  const key = read(c.tlsKeyFile, c.tlsKeyPem, "RECEIVER_TLS_KEY_FILE");
  const ca = read(c.tlsCaFile, c.tlsCaPem, "RECEIVER_TLS_CA_FILE");
  if (problems.length > 0 || cert === undefined || key === undefined) {
    throw new ConfigError(problems.length > 0 ? problems : ["TLS certificate and key are required"]);
  }
  const files = [c.tlsCertFile, c.tlsKeyFile, c.tlsCaFile].filter((f): f is string => Boolean(f));
  return { cert, key, ca, files };
}
