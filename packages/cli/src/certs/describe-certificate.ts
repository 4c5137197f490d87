import type { X509Certificate as NodeX509 } from "node:crypto";
import { DAY_MS } from "./certificate-authority.js";
import { rsyslogFingerprint } from "./fingerprint.js";
import { x509 } from "./x509.js";

export type CertificateStatus = "valid" | "expired" | "not-yet-valid";

/** What `certs show` prints for one certificate; also its --json shape (keep it stable). */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** "DNS:localhost", "IP:127.0.0.1", "email:…", "URI:…". */
  subjectAltNames: string[];
  /** Upper-case hex, as openssl and rsyslog's logs print it. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (rounded toward zero): 0 on the last day, -N when it expired N whole days ago. */
  daysToExpiry: number;
  status: CertificateStatus;
  isCa: boolean;
  selfSigned: boolean;
  /** "ECDSA P-256", "RSA 2048", … */
  key: string;
  /** Purposes by name ("serverAuth", "clientAuth") or OID when unnamed; empty when unrestricted. */
  extendedKeyUsage: string[];
  /** rsyslog notation, ready for PermittedPeer / RECEIVER_TLS_FINGERPRINTS. */
  fingerprints: { sha256: string; sha1: string };
}

const SAN_PREFIX: Record<string, string> = { dns: "DNS", ip: "IP", email: "email", url: "URI", dn: "DirName", guid: "GUID", upn: "UPN", id: "RID" };
const EKU_NAMES: Record<string, string> = Object.fromEntries(Object.entries(x509.ExtendedKeyUsage).map(([name, oid]) => [oid, name]));
const CURVE_NAMES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

function keyDescription(cert: NodeX509): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "ec") return `ECDSA ${CURVE_NAMES[details.namedCurve ?? ""] ?? details.namedCurve ?? "?"}`;
  if (key.asymmetricKeyType === "rsa" || key.asymmetricKeyType === "rsa-pss") return `RSA ${details.modulusLength ?? "?"}`;
  return key.asymmetricKeyType === "ed25519" ? "Ed25519" : String(key.asymmetricKeyType);
}

export function describeCertificate(cert: NodeX509, now: Date = new Date()): CertificateInfo {
  const parsed = new x509.X509Certificate(cert.raw);
  const san = parsed.getExtension(x509.SubjectAlternativeNameExtension);
  const notBefore = parsed.notBefore;
  const notAfter = parsed.notAfter;
  const status: CertificateStatus = now < notBefore ? "not-yet-valid" : now > notAfter ? "expired" : "valid";
  return {
    subject: parsed.subject,
    issuer: parsed.issuer,
    subjectAltNames: (san?.names.toJSON() ?? []).map((n) => `${SAN_PREFIX[n.type] ?? n.type}:${n.value}`),
    serialNumber: cert.serialNumber.toUpperCase(),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysToExpiry: Math.trunc((notAfter.getTime() - now.getTime()) / DAY_MS) || 0, // || 0: no -0 in JSON
    status,
    isCa: cert.ca,
    selfSigned: cert.checkIssued(cert),
    key: keyDescription(cert),
    extendedKeyUsage: (cert.keyUsage ?? []).map((oid) => EKU_NAMES[oid] ?? oid),
    fingerprints: { sha256: rsyslogFingerprint(cert.raw, "sha256"), sha1: rsyslogFingerprint(cert.raw, "sha1") },
  };
}
