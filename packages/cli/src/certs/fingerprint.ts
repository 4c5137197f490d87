import { createHash } from "node:crypto";

export type FingerprintAlgorithm = "sha256" | "sha1";

/**
 * A certificate fingerprint in rsyslog's notation: algorithm prefix, then the digest of the DER
 * certificate as upper-case hex octets joined by colons, e.g. `SHA256:10:C4:…:64`. This is the
 * form rsyslog's ossl and gtls drivers accept in PermittedPeer with x509/fingerprint
 * (https://www.rsyslog.com/doc/concepts/ns_ossl.html) and the receiver's
 * RECEIVER_TLS_FINGERPRINTS, so `certs show` output can be pasted into either.
 */
export function rsyslogFingerprint(der: Uint8Array, algorithm: FingerprintAlgorithm): string {
  const hex = createHash(algorithm).update(der).digest("hex").toUpperCase();
  return `${algorithm.toUpperCase()}:${hex.match(/../g)!.join(":")}`;
}
