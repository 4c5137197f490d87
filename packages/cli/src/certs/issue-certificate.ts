import { UsageError } from "../errors.js";
import { DAY_MS, BACKDATE_MS, randomSerialNumber, type CertificateAuthority, type IssuedCertificate } from "./certificate-authority.js";
import { DEFAULT_KEY_ALGORITHM, generateKeyPair, privateKeyToPem, type KeyAlgorithm } from "./key-pair.js";
import {
  DEFAULT_CLIENT_CN,
  DEFAULT_SERVER_DNS_NAMES,
  DEFAULT_SERVER_IP_ADDRESSES,
  normalizeClientName,
  normalizeDnsName,
  normalizeIpAddress,
} from "./subject-names.js";
import { x509 } from "./x509.js";

/**
 * 825 days: the longest validity Apple platforms accept for a TLS server certificate
 * (https://support.apple.com/en-us/103769); a longer one works with rsyslog but fails the
 * first time someone tests with a Mac. ensureDevTls renews before the end anyway.
 */
export const DEFAULT_LEAF_DAYS = 825;
export const MAX_LEAF_DAYS = 3650;

export interface LeafOptions {
  days?: number;
  key?: KeyAlgorithm;
  now?: Date;
}

export interface ServerCertificateOptions extends LeafOptions {
  /** Default ["localhost"] when neither names nor addresses are given. */
  dnsNames?: readonly string[];
  /** Default ["127.0.0.1", "::1"] when neither names nor addresses are given. */
  ipAddresses?: readonly string[];
}

export interface ClientCertificateOptions extends LeafOptions {
  /** Subject CN and SAN DNS name; default "aws-syslog". */
  commonName?: string;
}

export async function issueServerCertificate(ca: CertificateAuthority, options: ServerCertificateOptions = {}): Promise<IssuedCertificate> {
  const given = (options.dnsNames?.length ?? 0) + (options.ipAddresses?.length ?? 0) > 0;
  const dnsNames = [...new Set((given ? options.dnsNames ?? [] : DEFAULT_SERVER_DNS_NAMES).map((n) => normalizeDnsName(n)))];
  const ipAddresses = [...new Set((given ? options.ipAddresses ?? [] : DEFAULT_SERVER_IP_ADDRESSES).map(normalizeIpAddress))];
  // CN is informative only: TLS clients match the SAN (RFC 6125 §6.4.4), but people read the CN.
  const commonName = dnsNames[0] ?? ipAddresses[0]!;
  return issueLeaf(ca, options, commonName, [
    ...dnsNames.map((value) => ({ type: "dns" as const, value })),
    ...ipAddresses.map((value) => ({ type: "ip" as const, value })),
  ], x509.ExtendedKeyUsage.serverAuth);
}

export async function issueClientCertificate(ca: CertificateAuthority, options: ClientCertificateOptions = {}): Promise<IssuedCertificate> {
  const commonName = normalizeClientName(options.commonName ?? DEFAULT_CLIENT_CN);
  return issueLeaf(ca, options, commonName, [{ type: "dns", value: commonName }], x509.ExtendedKeyUsage.clientAuth);
}

async function issueLeaf(
  ca: CertificateAuthority,
  options: LeafOptions,
  commonName: string,
  subjectAltNames: { type: "dns" | "ip"; value: string }[],
  purpose: x509.ExtendedKeyUsage,
): Promise<IssuedCertificate> {
  const days = options.days ?? DEFAULT_LEAF_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_LEAF_DAYS) throw new UsageError(`--days must be a whole number from 1 to ${MAX_LEAF_DAYS}, got ${days}`);
  const now = options.now ?? new Date();
  const algorithm = options.key ?? DEFAULT_KEY_ALGORITHM;
  const keys = await generateKeyPair(algorithm);
  // A leaf that outlives its CA fails verification from the CA's end anyway; stop it there.
  const notAfter = new Date(Math.min(now.getTime() + days * DAY_MS, ca.notAfter.getTime()));
  // ECDHE key exchange needs digitalSignature only; RSA also keeps keyEncipherment for TLS 1.2
  // RSA key transport, which some older senders still negotiate.
  const usages = x509.KeyUsageFlags.digitalSignature | (algorithm === "rsa" ? x509.KeyUsageFlags.keyEncipherment : 0);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: [{ CN: [commonName] }],
    // The CA's encoded name as is, so issuer and CA subject compare byte for byte.
    issuer: ca.certificate.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    publicKey: keys.publicKey as never,
    signingKey: ca.signingKey.privateKey as never,
    signingAlgorithm: ca.signingKey.signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usages, true),
      new x509.ExtendedKeyUsageExtension([purpose]),
      new x509.SubjectAlternativeNameExtension(subjectAltNames),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate.publicKey),
    ],
  });
  return { certPem: certificate.toString("pem") + "\n", keyPem: privateKeyToPem(keys.privateKey) };
}
