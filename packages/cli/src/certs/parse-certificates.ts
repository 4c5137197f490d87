import { X509Certificate } from "node:crypto";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;
/** Every DER certificate is an ASN.1 SEQUENCE: its first octet is 0x30. */
const DER_SEQUENCE = 0x30;

/**
 * Every certificate in a file: all PEM CERTIFICATE blocks (a chain file holds several), or one
 * DER certificate. Anything else is CLI_NOT_A_CERTIFICATE with a message that says what the file
 * seems to be instead (a private key is named as such, never echoed).
 */
export function parseCertificates(data: string | Buffer, label: string): X509Certificate[] {
  const text = typeof data === "string" ? data : data.toString("latin1");
  const blocks = text.match(PEM_CERTIFICATE);
  if (blocks) {
    return blocks.map((block, i) => {
      try {
        return new X509Certificate(block);
      } catch (err) {
        throw notACertificate(`${label}: certificate ${i + 1} of ${blocks.length} is corrupt (${(err as Error).message})`, err);
      }
    });
  }
  const other = PEM_LABEL.exec(text)?.[1];
  if (other) {
    const what = other.includes("PRIVATE KEY") ? "a private key" : `a PEM "${other}" block`;
    throw notACertificate(`${label} holds ${what}, not a certificate`);
  }
  const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  if (bytes.length > 0 && bytes[0] === DER_SEQUENCE) {
    try {
      return [new X509Certificate(bytes)];
    } catch (err) {
      throw notACertificate(`${label} is neither PEM nor a DER certificate (${(err as Error).message})`, err);
    }
  }
  throw notACertificate(bytes.length === 0 ? `${label} is empty` : `${label} is not a certificate (no "BEGIN CERTIFICATE" block, not DER)`);
}

function notACertificate(message: string, cause?: unknown): CliError {
  return new CliError(CLI_ERROR_CODES.notACertificate, message, EXIT.failure, { cause });
}
