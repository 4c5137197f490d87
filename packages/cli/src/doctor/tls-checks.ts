import { DAY_MS } from "../certs/certificate-authority.js";
import { DOCS, failed, passed, skipped, type CheckResult } from "./check-result.js";
import type { DoctorTarget } from "./doctor-target.js";
import { probeTls, type ProbeOptions, type ProbeResult } from "./tls-probe.js";

/**
 * The network half of `doctor`: the TLS handshake a sender makes (chain, name, expiry) and,
 * in mode mtls, that the receiver accepts a client certificate and refuses a client without
 * one. Each probe is one connection that sends nothing.
 */

/** Below this many days the certificate must be rotated now: senders cache nothing, and
 * ACM starts renewing 60 days before expiry, so an ACM certificate this close failed to renew. */
export const MIN_DAYS_TO_EXPIRY = 30;

const ROTATE = `rotate the certificate: ${DOCS.rotation}`;

export type Probe = (o: ProbeOptions) => Promise<ProbeResult>;

function trustedBy(t: Pick<DoctorTarget, "ca">): string {
  return t.ca !== undefined ? t.ca.label : "the system trust store";
}

function unreachableFix(t: Pick<DoctorTarget, "host" | "port">): string {
  return `check that the NLB listens on ${t.port}, that this machine's address is in allowedSourceCidrs, and that receiver tasks are healthy (the NoHealthyTargets alarm: ${DOCS.alarms})`;
}

/** The server's side of the handshake: chain verified against the CA, name, days left. */
export function evaluateServerHandshake(t: DoctorTarget, p: ProbeResult, now: Date): CheckResult {
  const name = "tls";
  const where = `${t.host}:${t.port}`;
  if (p.kind === "unreachable") return failed(name, `cannot connect to ${where}: ${p.error}`, unreachableFix(t));
  if (p.kind === "handshake-failed") {
    const hint = t.mode === "mtls" && t.client === undefined
      ? "in mode mtls a TLS 1.2 server ends the handshake without a client certificate: pass --cert and --key"
      : "check --mode (tls: the NLB terminates TLS; mtls: the receiver does) and the port";
    return failed(name, `TLS handshake with ${where} failed: ${p.error}`, hint);
  }
  const leaf = p.chain[0];
  const chainText = p.chain.map((c) => c.subject).join(" <- ");
  switch (p.authorizationError) {
    case null:
      break;
    case "CERT_HAS_EXPIRED":
      return failed(name, `a certificate of the chain has expired (${p.chain.map((c) => `${c.subject} until ${c.validTo}`).join(", ")})`, ROTATE);
    case "CERT_NOT_YET_VALID":
      return failed(name, `the certificate ${leaf?.subject ?? ""} is not valid yet`, "check the issuing machine's clock, and this machine's");
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return failed(name, `the certificate is for ${leaf?.subjectAltName ?? leaf?.subject ?? "another name"}, not ${t.servername ?? t.host}`,
        "connect with a name the certificate holds (--host, or --servername when the NLB is reached through another name), or issue a certificate for this name");
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_SIGNATURE_FAILURE":
      return failed(name, `the chain ${chainText} is not trusted by ${trustedBy(t)} (${p.authorizationError})`,
        t.mode === "mtls"
          ? "pass --ca with the CA that issued the receiver's certificate (RECEIVER_TLS_CERT_PEM's issuer)"
          : "mode tls: the NLB's ACM certificate chains to Amazon's public roots; pass --ca only for an imported private certificate");
    default:
      return failed(name, `the certificate was not accepted: ${p.authorizationError} (chain ${chainText})`, ROTATE);
  }
  const soonest = p.chain.reduce((min, c) => (Date.parse(c.validTo) < Date.parse(min.validTo) ? c : min), leaf!);
  const days = Math.floor((Date.parse(soonest.validTo) - now.getTime()) / DAY_MS);
  const detail = `${p.protocol}, chain ${chainText} verified by ${trustedBy(t)}, name ${t.servername ?? t.host} matches`;
  if (days <= MIN_DAYS_TO_EXPIRY) {
    return failed(name, `${detail}, but ${soonest.subject} expires in ${days} days (${soonest.validTo}; at least ${MIN_DAYS_TO_EXPIRY} wanted)`, ROTATE);
  }
  return passed(name, `${detail}, expires in ${days} days`);
}

/** mode mtls, with --cert: the receiver keeps the connection open after the handshake. */
export function evaluateClientAccepted(t: DoctorTarget, p: ProbeResult | undefined): CheckResult {
  const name = "mtls-client-accepted";
  if (t.mode !== "mtls") return skipped(name, "mode tls: the NLB terminates TLS and asks for no client certificate");
  if (t.client === undefined || p === undefined) {
    return skipped(name, "no client certificate given", "pass --cert and --key of a sender's client certificate to check that the receiver accepts it");
  }
  const refusedFix = `the receiver refuses ${t.client.label}: is it issued by the CA in RECEIVER_TLS_CA_PEM, and is its name permitted (RECEIVER_TLS_PERMITTED_PEERS)? The receiver log says RCV_TLS_PEER_REFUSED or tls_handshake_failed`;
  if (p.kind === "unreachable") return skipped(name, `cannot connect: ${p.error}`);
  if (p.kind === "handshake-failed") return failed(name, `the handshake with client certificate ${t.client.label} failed: ${p.error}`, refusedFix);
  if (!p.afterHandshake.open) return failed(name, `the receiver dropped the connection after the handshake with ${t.client.label}: ${p.afterHandshake.reason}`, refusedFix);
  return passed(name, `${p.protocol}: the receiver accepted ${t.client.label}`);
}

/** mode mtls: a client without a certificate must be refused, in or right after the handshake. */
export function evaluateCertlessRefused(t: DoctorTarget, p: ProbeResult | undefined): CheckResult {
  const name = "mtls-certless-refused";
  if (t.mode !== "mtls" || p === undefined) return skipped(name, "mode tls: the NLB terminates TLS and asks for no client certificate");
  if (p.kind === "unreachable") return skipped(name, `cannot connect: ${p.error}`);
  if (p.kind === "handshake-failed") return passed(name, `a client without a certificate is refused in the handshake (${p.error})`);
  if (!p.afterHandshake.open) return passed(name, `${p.protocol}: a client without a certificate is refused after the handshake (${p.afterHandshake.reason})`);
  return failed(name, `${p.protocol}: the receiver kept a connection without a client certificate open`,
    "mode mtls must require client certificates: set the stage's receiverTls auth mode to x509/name, x509/certvalid or x509/fingerprint (RECEIVER_TLS_AUTH_MODE), deploy, and check again");
}

export async function tlsChecks(t: DoctorTarget, now: Date, probe: Probe = probeTls, probeOptions: Partial<ProbeOptions> = {}): Promise<CheckResult[]> {
  if (t.host === undefined) {
    const why = "no host: no nlbDnsName in the outputs and no --host";
    return [skipped("tls", why, "pass --host"), skipped("mtls-client-accepted", why), skipped("mtls-certless-refused", why)];
  }
  const base = { host: t.host, port: t.port, servername: t.servername, ca: t.ca?.pem, ...probeOptions };
  const withCert = t.mode === "mtls" && t.client !== undefined ? await probe({ ...base, client: t.client }) : undefined;
  const certless = withCert === undefined || withCert.kind !== "unreachable" ? await probe({ ...base, client: undefined }) : withCert;
  // The server's certificate is judged on a connection that saw it: under TLS 1.2 a refused
  // client certificate fails the handshake, but the certificate-less probe may still complete it.
  const serverSide = withCert?.kind === "handshake-done" ? withCert : certless.kind === "handshake-done" ? certless : (withCert ?? certless);
  return [
    evaluateServerHandshake(t, serverSide, now),
    evaluateClientAccepted(t, withCert),
    evaluateCertlessRefused(t, t.mode === "mtls" ? certless : undefined),
  ];
}
