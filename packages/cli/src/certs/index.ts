/**
 * Development TLS material: a CA, server and client certificates, with @peculiar/x509 on
 * Node's WebCrypto. Used by `certs` and by `start` (ensureDevTls on .data/tls/).
 */
export { createCa, loadCa, randomSerialNumber, DEFAULT_CA_DAYS, type CertificateAuthority, type CreateCaOptions, type IssuedCertificate } from "./certificate-authority.js";
export {
  issueServerCertificate,
  issueClientCertificate,
  DEFAULT_LEAF_DAYS,
  MAX_LEAF_DAYS,
  type ServerCertificateOptions,
  type ClientCertificateOptions,
  type LeafOptions,
} from "./issue-certificate.js";
export { ensureDevTls, DEFAULT_DEV_TLS_DIR, DEV_TLS_FILES, RENEW_WITHIN_DAYS, type DevTlsPaths, type EnsureDevTlsOptions, type EnsureDevTlsResult } from "./ensure-dev-tls.js";
export { describeCertificate, type CertificateInfo, type CertificateStatus } from "./describe-certificate.js";
export { parseCertificates } from "./parse-certificates.js";
export { rsyslogFingerprint, type FingerprintAlgorithm } from "./fingerprint.js";
export { KEY_ALGORITHMS, DEFAULT_KEY_ALGORITHM, type KeyAlgorithm } from "./key-pair.js";
export { DEFAULT_CLIENT_CN, DEFAULT_SERVER_DNS_NAMES, DEFAULT_SERVER_IP_ADDRESSES } from "./subject-names.js";
export { writePemPair, KEY_FILE_MODE, CERT_FILE_MODE } from "./pem-files.js";
