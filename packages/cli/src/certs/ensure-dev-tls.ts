import { createPrivateKey, type X509Certificate } from "node:crypto";
import { join, resolve } from "node:path";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";
import { createCa, loadCa, type CertificateAuthority, type IssuedCertificate } from "./certificate-authority.js";
import { describeCertificate } from "./describe-certificate.js";
import { issueClientCertificate, issueServerCertificate } from "./issue-certificate.js";
import type { KeyAlgorithm } from "./key-pair.js";
import { parseCertificates } from "./parse-certificates.js";
import { ensureTlsDir, keyModeWarning, readOptional, writePemPair } from "./pem-files.js";
import { DEFAULT_CLIENT_CN, normalizeDnsName, normalizeIpAddress } from "./subject-names.js";

/** Where the embedded default keeps its development TLS material (DESIGN §9), relative to the project. */
export const DEFAULT_DEV_TLS_DIR = ".data/tls";
/** A certificate closer than this to its notAfter is renewed at the next start. */
export const RENEW_WITHIN_DAYS = 30;

/** File names inside the directory; the receiver and bench/receiver.sh expect exactly these. */
export const DEV_TLS_FILES = {
  ca: "ca.pem",
  caKey: "ca.key",
  server: "server.pem",
  serverKey: "server.key",
  client: "client.pem",
  clientKey: "client.key",
} as const;
export type DevTlsPaths = { [K in keyof typeof DEV_TLS_FILES]: string };

export interface EnsureDevTlsOptions {
  now?: Date;
  /** Key type for anything generated this time. Default "ec" (ECDSA P-256). */
  key?: KeyAlgorithm;
  /** SANs for the server certificate. When given, an existing certificate lacking one of them is reissued. */
  serverDnsNames?: readonly string[];
  serverIpAddresses?: readonly string[];
  /** Default "aws-syslog". */
  clientCommonName?: string;
  renewWithinDays?: number;
  /** Re-create everything, CA included. */
  force?: boolean;
}

export interface EnsureDevTlsResult {
  dir: string;
  paths: DevTlsPaths;
  /** What was (re)written this call and why; empty when everything was reused. */
  written: { file: string; reason: string }[];
  /** Things an operator should know that did not stop us (CA expiring without its key, loose key mode). */
  warnings: string[];
}

interface Leaf {
  cert: X509Certificate;
  keyPem: string;
}

async function readLeaf(certPath: string, keyPath: string): Promise<Leaf | string> {
  const certPem = await readOptional(certPath);
  const keyPem = await readOptional(keyPath);
  if (certPem === undefined || keyPem === undefined) return `${certPem === undefined ? certPath : keyPath} is missing`;
  const [cert] = parseCertificates(certPem, certPath);
  return { cert: cert!, keyPem };
}

const sansOf = (sans: string[], prefix: string) => sans.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));

/** Why this leaf must be reissued, or undefined when it can be kept. */
function staleReason(leaf: Leaf | string, ca: X509Certificate, now: Date, renewWithinDays: number, wantedNames: string[]): string | undefined {
  if (typeof leaf === "string") return leaf;
  const { cert } = leaf;
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return "it was not issued by ca.pem";
  let matches = false;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(leaf.keyPem));
  } catch {
    matches = false; // an unreadable key is as useless as a wrong one: reissue the pair
  }
  if (!matches) return "its key does not match the certificate";
  const info = describeCertificate(cert, now);
  if (info.status !== "valid") return `it is ${info.status}`;
  if (info.daysToExpiry < renewWithinDays) return `it expires in ${info.daysToExpiry} days`;
  const missing = wantedNames.filter((n) => !info.subjectAltNames.includes(n));
  if (missing.length > 0) return `it lacks ${missing.join(", ")}`;
  return undefined;
}

/**
 * Makes `dir` hold a usable development CA, server and client certificate (DEV_TLS_FILES):
 * creates what is missing on first run, reuses what is there afterwards, and reissues a
 * leaf that is missing, broken, not from this CA, or expires within `renewWithinDays`.
 * Keys are written 0600 in a 0700 directory and never logged. Throws CLI_CA_KEY_MISSING when
 * something must be signed but ca.key is gone, rather than replacing a CA senders may trust.
 */
export async function ensureDevTls(dir: string, options: EnsureDevTlsOptions = {}): Promise<EnsureDevTlsResult> {
  const now = options.now ?? new Date();
  const key = options.key;
  const renewWithinDays = options.renewWithinDays ?? RENEW_WITHIN_DAYS;
  const root = resolve(dir);
  const paths = Object.fromEntries(Object.entries(DEV_TLS_FILES).map(([k, f]) => [k, join(root, f)])) as DevTlsPaths;
  const written: EnsureDevTlsResult["written"] = [];
  const warnings: string[] = [];
  await ensureTlsDir(root);

  // The CA: reuse unless absent, forced, or (with its key at hand) about to expire.
  const caPem = options.force ? undefined : await readOptional(paths.ca);
  const caKeyPem = options.force ? undefined : await readOptional(paths.caKey);
  let ca: CertificateAuthority | undefined;
  let caCert: X509Certificate;
  let caReason: string | undefined = options.force ? "--force" : caPem === undefined ? "it is missing" : undefined;
  if (caPem !== undefined) {
    caCert = parseCertificates(caPem, paths.ca)[0]!;
    const info = describeCertificate(caCert, now);
    const ending = info.status !== "valid" || info.daysToExpiry < renewWithinDays;
    if (ending && caKeyPem !== undefined) caReason = info.status === "valid" ? `it expires in ${info.daysToExpiry} days` : `it is ${info.status}`;
    else if (ending && info.status !== "valid") {
      throw new CliError(CLI_ERROR_CODES.certExpired, `${paths.ca} is ${info.status} and ${paths.caKey} is missing, so no new CA can replace it seamlessly: delete ${root} to start afresh, or provide a valid CA`, EXIT.failure);
    } else if (ending) warnings.push(`${paths.ca} expires in ${info.daysToExpiry} days and ${paths.caKey} is missing: it cannot be renewed here`);
    else if (caKeyPem !== undefined) ca = await loadCa(caPem, caKeyPem, { now, label: paths.ca });
  }
  if (caReason !== undefined) {
    ca = await createCa({ now, ...(key ? { key } : {}) });
    await writePemPair(root, "ca", ca, true);
    written.push({ file: DEV_TLS_FILES.ca, reason: caReason });
    if (caPem !== undefined) warnings.push(`a new development CA replaced the old one (${caReason}): give senders the new ${paths.ca}`);
    caCert = parseCertificates(ca.certPem, paths.ca)[0]!;
  }

  const wantedServerNames = [
    ...(options.serverDnsNames ?? []).map((n) => `DNS:${normalizeDnsName(n)}`),
    ...(options.serverIpAddresses ?? []).map((ip) => `IP:${normalizeIpAddress(ip)}`),
  ];
  // A renewal keeps the names of the certificate it replaces (an operator may have issued it
  // with `certs server --dns …`), unless the caller names the SANs it wants.
  const explicitServerNames = options.serverDnsNames !== undefined || options.serverIpAddresses !== undefined;
  const leaves: { base: "server" | "client"; wanted: string[]; issue: (ca: CertificateAuthority, previousSans: string[]) => Promise<IssuedCertificate> }[] = [
    {
      base: "server",
      wanted: wantedServerNames,
      issue: (c, previous) => issueServerCertificate(c, {
        now,
        ...(key ? { key } : {}),
        dnsNames: explicitServerNames ? options.serverDnsNames ?? [] : sansOf(previous, "DNS:"),
        ipAddresses: explicitServerNames ? options.serverIpAddresses ?? [] : sansOf(previous, "IP:"),
      }),
    },
    {
      base: "client",
      wanted: [],
      issue: (c) => issueClientCertificate(c, { now, ...(key ? { key } : {}), commonName: options.clientCommonName ?? DEFAULT_CLIENT_CN }),
    },
  ];
  for (const leaf of leaves) {
    const certPath = join(root, `${leaf.base}.pem`);
    const keyPath = join(root, `${leaf.base}.key`);
    const existing = await readLeaf(certPath, keyPath);
    const reason = caReason ?? staleReason(existing, caCert!, now, renewWithinDays, leaf.wanted);
    if (reason === undefined) continue;
    if (!ca) {
      throw new CliError(CLI_ERROR_CODES.caKeyMissing, `${certPath} must be reissued (${reason}) but ${paths.caKey} is missing: restore it, or delete ${root} to create a new development CA`, EXIT.failure);
    }
    await writePemPair(root, leaf.base, await leaf.issue(ca, typeof existing === "string" ? [] : describeCertificate(existing.cert, now).subjectAltNames), true);
    written.push({ file: `${leaf.base}.pem`, reason });
  }

  for (const k of [paths.caKey, paths.serverKey, paths.clientKey]) {
    const w = await keyModeWarning(k);
    if (w) warnings.push(w);
  }
  return { dir: root, paths, written, warnings };
}

