import type { SenderTarget } from "./sender-target.js";
import { SENDER_TLS_FILES } from "./sender-target.js";

/**
 * What an operator types into OneGate's syslog forwarding screen. OneGate is a SaaS: there is
 * no file to install, only fields to fill in and files to upload. Facility local0 is what the
 * default routes send to the OneGate JSON log group (forwarder DEFAULT_ROUTES_TEXT).
 */
export const ONEGATE_FACILITY = "local0";

export interface OneGateSettings {
  host: string;
  port: number;
  protocol: "TLS";
  facility: typeof ONEGATE_FACILITY;
  /** What to upload as the trusted CA, or null when the receiver's certificate is publicly trusted (ACM). */
  caCertificate: { file: string; subject: string; notAfter: string; sha256: string } | null;
  /** What to upload as OneGate's client certificate, or null when the receiver asks for none. */
  clientCertificate: { certFile: string; keyFile: string; subject: string; notAfter: string; sha256: string } | null;
}

export function oneGateSettings(target: SenderTarget): OneGateSettings {
  return {
    host: target.host,
    port: target.port,
    protocol: "TLS",
    facility: ONEGATE_FACILITY,
    caCertificate: target.ca.kind === "file"
      ? { file: SENDER_TLS_FILES.ca, subject: target.ca.info.subject, notAfter: target.ca.info.notAfter, sha256: target.ca.info.fingerprints.sha256 }
      : null,
    clientCertificate: target.client
      ? { certFile: SENDER_TLS_FILES.cert, keyFile: SENDER_TLS_FILES.key, subject: target.client.info.subject, notAfter: target.client.info.notAfter, sha256: target.client.info.fingerprints.sha256 }
      : null,
  };
}

export function oneGateText(settings: OneGateSettings): string {
  const row = (k: string, v: string) => `  ${k.padEnd(20)}${v}`;
  const ca = settings.caCertificate;
  const client = settings.clientCertificate;
  return [
    "OneGate: syslog forwarding settings",
    "",
    row("Server", settings.host),
    row("Port", String(settings.port)),
    row("Protocol", "TLS (syslog over TLS, RFC 5425)"),
    row("Facility", settings.facility),
    row("CA certificate", ca ? `upload ${ca.file} (${ca.subject}, valid until ${ca.notAfter})` : "none to upload: the receiver's certificate is publicly trusted (ACM)"),
    ...(ca ? [row("", `SHA-256 ${ca.sha256}`)] : []),
    row("Client certificate", client ? `upload ${client.certFile} and its key ${client.keyFile} (${client.subject}, valid until ${client.notAfter})` : "none (the receiver does not ask for one)"),
    ...(client ? [row("", `SHA-256 ${client.sha256}`)] : []),
    "",
    `OneGate sends RFC 5424 records whose message is JSON; with facility ${settings.facility} they land in the`,
    "OneGate log group (/aws-syslog/onegate by default) and in the archive under route=onegate.",
    "",
  ].join("\n");
}
