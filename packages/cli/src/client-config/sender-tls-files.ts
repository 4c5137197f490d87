import { createPrivateKey, type KeyObject } from "node:crypto";
import { describeCertificate, parseCertificates, type CertificateInfo } from "../certs/index.js";
import { readRequired } from "../certs/pem-files.js";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";

/**
 * The TLS files a sender uses (the CA it trusts, its client certificate and key), read and
 * checked before anything is generated or sent, so an operator learns "client.pem expired on
 * …" from the CLI instead of from a sender that retries a failing handshake for ever.
 */
export interface CheckedCertificateFile {
  /** Absolute path. */
  path: string;
  /** As the user typed it (for messages). */
  label: string;
  pem: string;
  /** The first certificate (the leaf of a chain file, or the first CA of a bundle). */
  info: CertificateInfo;
  /** How many certificates the file holds. */
  count: number;
}

export interface CheckedClientCertificate {
  cert: CheckedCertificateFile;
  keyPath: string;
  keyLabel: string;
  keyPem: string;
  key: KeyObject;
}

/** `client.pem` → `client.key`: the layout `certs client` writes. */
export function defaultKeyPath(certPath: string): string {
  return `${certPath.replace(/\.(pem|crt|cer)$/i, "")}.key`;
}

function checkValidity(info: CertificateInfo, label: string, what: string): void {
  if (info.status === "expired") {
    throw new CliError(CLI_ERROR_CODES.certExpired, `${label}: the ${what} ${info.subject} expired on ${info.notAfter} (issue a new one: pnpm cli certs client|server, or your CA)`, EXIT.failure);
  }
  if (info.status === "not-yet-valid") {
    throw new CliError(CLI_ERROR_CODES.certNotYetValid, `${label}: the ${what} ${info.subject} is not valid before ${info.notBefore} (check this machine's clock)`, EXIT.failure);
  }
}

/** The CA bundle a sender trusts: every certificate must be in its validity period. */
export async function readCaFile(path: string, label: string, now: Date, missingHint?: string): Promise<{ file: CheckedCertificateFile; warnings: string[] }> {
  const pem = (await readRequired(path, label).catch((err: unknown) => {
    if (missingHint !== undefined && err instanceof CliError && err.code === CLI_ERROR_CODES.fileNotFound) {
      throw new CliError(err.code, `${err.message} (${missingHint})`, err.exitCode, { cause: err });
    }
    throw err;
  })).toString("utf8");
  const certs = parseCertificates(pem, label);
  const warnings: string[] = [];
  const infos = certs.map((c) => describeCertificate(c, now));
  // A bundle (the system's, or old + new CA during a rotation) may hold an expired root:
  // that is a warning; a file in which nothing is valid is an error.
  const valid = infos.filter((i) => i.status === "valid");
  if (valid.length === 0) checkValidity(infos[0]!, label, "CA certificate");
  else if (valid.length < infos.length) warnings.push(`${label}: ${infos.length - valid.length} of its ${infos.length} certificates are expired or not yet valid`);
  if (!infos.some((i) => i.isCa)) warnings.push(`${label} holds no CA certificate (basicConstraints CA:TRUE); senders verify the receiver against it only if it is the receiver's own certificate`);
  return { file: { path, label, pem, info: infos[0]!, count: certs.length }, warnings };
}

/** A client certificate and its private key: both readable, valid now, and belonging together. */
export async function readClientCertificate(
  paths: { cert: string; certLabel: string; key: string; keyLabel: string },
  now: Date,
): Promise<{ client: CheckedClientCertificate; warnings: string[] }> {
  const pem = (await readRequired(paths.cert, paths.certLabel)).toString("utf8");
  const certs = parseCertificates(pem, paths.certLabel);
  const leaf = certs[0]!;
  const info = describeCertificate(leaf, now);
  checkValidity(info, paths.certLabel, "client certificate");
  const keyPem = (await readRequired(paths.key, paths.keyLabel)).toString("utf8");
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    // Never echo the key; the reason from OpenSSL names the problem (encrypted, not a key, …).
    throw new CliError(CLI_ERROR_CODES.invalidKey, `${paths.keyLabel}: cannot use this private key: ${(err as Error).message}`, EXIT.failure, { cause: err });
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new CliError(CLI_ERROR_CODES.keyMismatch, `${paths.keyLabel} is not the private key of ${paths.certLabel} (${info.subject})`, EXIT.failure);
  }
  const warnings: string[] = [];
  if (info.extendedKeyUsage.length > 0 && !info.extendedKeyUsage.includes("clientAuth")) {
    warnings.push(`${paths.certLabel} (${info.subject}) is not for client authentication (extendedKeyUsage: ${info.extendedKeyUsage.join(", ")}); a receiver checking client certificates will refuse it`);
  }
  return { client: { cert: { path: paths.cert, label: paths.certLabel, pem, info, count: certs.length }, keyPath: paths.key, keyLabel: paths.keyLabel, keyPem, key }, warnings };
}
