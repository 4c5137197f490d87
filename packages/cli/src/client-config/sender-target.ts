import { isIP } from "node:net";
import { posix } from "node:path";
import type { CertificateInfo } from "../certs/index.js";
import { normalizeDnsName } from "../certs/subject-names.js";
import { UsageError } from "../errors.js";

/**
 * Everything a sender configuration says about one deployment: where the receiver is, how the
 * sender checks it, and where the TLS files sit on the sender host. Built once from the
 * command line (resolveSenderTarget in commands/client-config.ts) and rendered by
 * rsyslog-config.ts, syslog-ng-config.ts and onegate-settings.ts.
 */

/** How the sender checks the receiver, in rsyslog's words: anon encrypts without checking
 * anything; x509/name checks the chain against the CA and the certificate's name. */
export const SENDER_AUTH_MODES = ["x509/name", "anon"] as const;
export type SenderAuthMode = (typeof SENDER_AUTH_MODES)[number];

/** RFC 5425 §4.1: the IANA port for syslog over TLS. */
export const SYSLOG_TLS_PORT = 6514;
/** Where the generated configurations expect the sender's copies of the TLS files. */
export const DEFAULT_SENDER_TLS_DIR = "/etc/aws-syslog";
/** Amazon Linux / RHEL trust store, which holds the Amazon Trust Services roots that ACM
 * certificates chain to (mode "tls"). Debian and Ubuntu: /etc/ssl/certs/ca-certificates.crt. */
export const SYSTEM_CA_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt";

export type SenderCa =
  | { kind: "file"; source: string; senderPath: string; pem: string; info: CertificateInfo }
  | { kind: "system"; senderPath: string };

export interface SenderClientCertificate {
  source: { cert: string; key: string };
  senderPath: { cert: string; key: string };
  certPem: string;
  keyPem: string;
  info: CertificateInfo;
}

export interface SenderTarget {
  host: string;
  port: number;
  auth: SenderAuthMode;
  /** The name the receiver's certificate must carry (x509/name); null with anon. */
  peer: string | null;
  ca: SenderCa;
  client: SenderClientCertificate | null;
  /** Directory on the sender host for ca.pem, client.pem, client.key. */
  senderTlsDir: string;
}

/** File names inside senderTlsDir (and inside --out). */
export const SENDER_TLS_FILES = { ca: "ca.pem", cert: "client.pem", key: "client.key" } as const;

/** A receiver address as rsyslog and syslog-ng take it: a DNS name or an IP address. */
export function parseHost(value: string, option = "--host"): string {
  if (isIP(value) !== 0) return value;
  if (value.startsWith("*")) throw new UsageError(`${option} must name one host, not a wildcard: "${value}"`);
  return normalizeDnsName(value, option);
}

export function parsePort(value: string | undefined, option = "--port"): number {
  if (value === undefined) return SYSLOG_TLS_PORT;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < 1 || n > 65_535) throw new UsageError(`${option} must be a port number from 1 to 65535, got "${value}"`);
  return n;
}

export function parseAuthMode(value: string | undefined): SenderAuthMode {
  if (value === undefined) return "x509/name";
  if (!(SENDER_AUTH_MODES as readonly string[]).includes(value)) throw new UsageError(`--auth must be ${SENDER_AUTH_MODES.join(" or ")}, got "${value}"`);
  return value as SenderAuthMode;
}

/**
 * An absolute directory on the sender host. It is written into configuration strings, so
 * quotes, backslashes and control characters (which rsyslog and syslog-ng would read as
 * escapes or line ends) are refused rather than escaped.
 */
export function parseSenderDir(value: string | undefined): string {
  const dir = value ?? DEFAULT_SENDER_TLS_DIR;
  // eslint-disable-next-line no-control-regex
  if (!posix.isAbsolute(dir) || /["'\\\u0000-\u001f\u007f]/.test(dir)) {
    throw new UsageError(`--sender-dir must be an absolute path without quotes, backslashes or control characters, got "${dir}"`);
  }
  return posix.normalize(dir).replace(/\/$/, "") || "/";
}

export const senderFile = (dir: string, name: string): string => posix.join(dir, name);
