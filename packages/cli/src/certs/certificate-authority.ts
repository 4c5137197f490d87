import { createPrivateKey } from "node:crypto";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";
import { generateKeyPair, importSigningKey, privateKeyToPem, signingAlgorithmFor, type KeyAlgorithm, type SigningKey, DEFAULT_KEY_ALGORITHM } from "./key-pair.js";
import { parseCertificates } from "./parse-certificates.js";
import { x509 } from "./x509.js";

export const DAY_MS = 86_400_000;
/** A development CA outlives many leaf certificates; it is re-created only on expiry. */
export const DEFAULT_CA_DAYS = 3650;
/**
 * Certificates start this far in the past so a sender whose clock runs a little behind does
 * not reject a certificate made a moment ago as "not yet valid".
 */
export const BACKDATE_MS = 5 * 60_000;

/** A PEM certificate and its PKCS#8 PEM private key. The key must never be logged. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

/** A CA that can sign: its PEM material plus the parsed certificate and imported key. */
export interface CertificateAuthority extends IssuedCertificate {
  certificate: x509.X509Certificate;
  signingKey: SigningKey;
  notAfter: Date;
}

export interface CreateCaOptions {
  /** Default: "aws-syslog development CA <8 hex digits>", so two dev CAs can be told apart. */
  commonName?: string;
  days?: number;
  key?: KeyAlgorithm;
  now?: Date;
}

/** RFC 5280 §4.1.2.2: positive, at most 20 octets. 16 random octets make collisions moot. */
export function randomSerialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive and no leading zero octet
  return Buffer.from(bytes).toString("hex");
}

export async function createCa(options: CreateCaOptions = {}): Promise<CertificateAuthority> {
  const now = options.now ?? new Date();
  const algorithm = options.key ?? DEFAULT_KEY_ALGORITHM;
  const keys = await generateKeyPair(algorithm);
  const commonName = options.commonName ?? `aws-syslog development CA ${randomSerialNumber().slice(0, 8)}`;
  const signingAlgorithm = signingAlgorithmFor(algorithm);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: [{ O: ["aws-syslog"] }, { CN: [commonName] }],
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + (options.days ?? DEFAULT_CA_DAYS) * DAY_MS),
    keys: keys as never, // x509 is typed with the DOM WebCrypto types; Node's are the same objects
    signingAlgorithm,
    extensions: [
      // pathLen 0: this CA signs leaf certificates only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  return {
    certPem: certificate.toString("pem") + "\n",
    keyPem: privateKeyToPem(keys.privateKey),
    certificate,
    signingKey: { privateKey: keys.privateKey, algorithm, signingAlgorithm },
    notAfter: certificate.notAfter,
  };
}

/**
 * Loads a CA from its PEM certificate and key (ours or an operator's) and checks that it can
 * sign now: it is a CA, the key is its key, and it has not expired. `label` names the files
 * in error messages.
 */
export async function loadCa(certPem: string, keyPem: string, options: { now?: Date; label?: string } = {}): Promise<CertificateAuthority> {
  const label = options.label ?? "CA";
  const now = options.now ?? new Date();
  const [nodeCert] = parseCertificates(certPem, label);
  if (!nodeCert!.ca) {
    throw new CliError(CLI_ERROR_CODES.notACa, `${label} is not a CA certificate (basicConstraints CA:TRUE missing): it cannot sign`, EXIT.failure);
  }
  if (new Date(nodeCert!.validTo).getTime() <= now.getTime()) {
    throw new CliError(CLI_ERROR_CODES.certExpired, `${label} expired on ${new Date(nodeCert!.validTo).toISOString()}: create a new CA (certs init --force)`, EXIT.failure);
  }
  const signingKey = await importSigningKey(keyPem, `${label} key`);
  if (!nodeCert!.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new CliError(CLI_ERROR_CODES.keyMismatch, `${label} key does not belong to the CA certificate`, EXIT.failure);
  }
  const certificate = new x509.X509Certificate(nodeCert!.raw);
  return { certPem, keyPem, certificate, signingKey, notAfter: certificate.notAfter };
}
