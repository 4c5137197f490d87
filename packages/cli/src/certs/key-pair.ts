import { createPrivateKey, KeyObject } from "node:crypto";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";
import { webcrypto } from "./x509.js";

type CryptoKey = webcrypto.CryptoKey;

/**
 * Key types we generate. ECDSA P-256 is the default: fast (CA + server + client measured at
 * 65 ms with P-256 against 461 ms with RSA 2048 on the 2-core dev VM; RSA generation time also
 * varies widely from run to run), and P-256 with SHA-256 is mandatory-to-implement in TLS 1.3 (RFC 8446
 * §9.1) and supported by every sender we target over TLS 1.2 (OpenSSL: rsyslog ossl,
 * syslog-ng; GnuTLS: rsyslog gtls). RSA 2048 (--key rsa) is there for senders that may only
 * take RSA: OneGate's key-type requirements are not stated in any documentation we found
 * (the part of Soliton's AWS/rsyslog guide we could read, netattest.com/aws-tls-syslog-2025_tec_sol,
 * speaks of certificates imported on both ends but names no key type), so RSA is the safe
 * choice for a real OneGate until it has been tried with ECDSA.
 */
export const KEY_ALGORITHMS = ["ec", "rsa"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = "ec";

/** RSA keys below 2048 bits are refused by OpenSSL 3 at security level 2 (Debian/AL2023 default). */
const RSA_MODULUS_BITS = 2048;

const GENERATE = {
  ec: { name: "ECDSA", namedCurve: "P-256" },
  rsa: { name: "RSASSA-PKCS1-v1_5", modulusLength: RSA_MODULUS_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
} as const;

export const KEY_LABELS: Record<KeyAlgorithm, string> = { ec: "ECDSA P-256", rsa: `RSA ${RSA_MODULUS_BITS}` };

/** A private key ready to sign certificates, with the signature algorithm that fits it. */
export interface SigningKey {
  privateKey: CryptoKey;
  algorithm: KeyAlgorithm;
  /** WebCrypto parameters for the signature: ECDSA with the curve's hash, or RSA PKCS#1 v1.5 SHA-256. */
  signingAlgorithm: { name: string; hash: string };
}

export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<webcrypto.CryptoKeyPair> {
  // Extractable: the private key is written out as PKCS#8 PEM.
  return webcrypto.subtle.generateKey(GENERATE[algorithm], true, ["sign", "verify"]) as Promise<webcrypto.CryptoKeyPair>;
}

export function signingAlgorithmFor(algorithm: KeyAlgorithm, hash = "SHA-256"): { name: string; hash: string } {
  return { name: algorithm === "ec" ? "ECDSA" : "RSASSA-PKCS1-v1_5", hash };
}

/** PKCS#8 PEM ("BEGIN PRIVATE KEY"), which OpenSSL, GnuTLS and Node all read. */
export function privateKeyToPem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: "pkcs8", format: "pem" }).toString();
}

/** ECDSA curves a CA key may use, with the hash that matches each curve's strength. */
const CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: "P-256", hash: "SHA-256" },
  secp384r1: { namedCurve: "P-384", hash: "SHA-384" },
  secp521r1: { namedCurve: "P-521", hash: "SHA-512" },
};

/**
 * Imports a CA's private key from PEM to sign with. Accepts PKCS#8, PKCS#1 ("RSA PRIVATE KEY")
 * and SEC1 ("EC PRIVATE KEY"), so an operator's own openssl-made CA key works too. The key's
 * text never appears in an error message.
 */
export async function importSigningKey(pem: string, label: string): Promise<SigningKey> {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(pem) || (err as NodeJS.ErrnoException).code === "ERR_MISSING_PASSPHRASE";
    const why = encrypted ? "it is encrypted (give an unencrypted key)" : "it is not a PEM private key";
    throw new CliError(CLI_ERROR_CODES.invalidKey, `${label}: cannot use this private key: ${why}`, EXIT.failure, { cause: err });
  }
  const der = key.export({ type: "pkcs8", format: "der" });
  if (key.asymmetricKeyType === "rsa") {
    const privateKey = await webcrypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
    return { privateKey, algorithm: "rsa", signingAlgorithm: signingAlgorithmFor("rsa") };
  }
  const curve = key.asymmetricKeyType === "ec" ? CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""] : undefined;
  if (!curve) {
    const what = key.asymmetricKeyType === "ec" ? `EC curve ${key.asymmetricKeyDetails?.namedCurve}` : `${key.asymmetricKeyType} key`;
    throw new CliError(CLI_ERROR_CODES.invalidKey, `${label}: unsupported ${what} (use RSA or ECDSA P-256/P-384/P-521)`, EXIT.failure);
  }
  const privateKey = await webcrypto.subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: curve.namedCurve }, false, ["sign"]);
  return { privateKey, algorithm: "ec", signingAlgorithm: signingAlgorithmFor("ec", curve.hash) };
}
