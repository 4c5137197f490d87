import type { PeerCertificate } from "node:tls";
import type { AuthMode } from "../config.js";

/**
 * Client authentication with rsyslog's modes and meanings (imtcp/omfwd StreamDriver.AuthMode):
 * - anon: no client certificate is asked for.
 * - x509/certvalid: a certificate chaining to the CA is required; any name.
 * - x509/name: as certvalid, and one of its names (DNS SANs, then subject CN) must match a
 *   permitted peer: exact (case-insensitive) or with `*` wildcards inside labels, where a label
 *   `*` matches exactly one label (so `*.example.com` matches `a.example.com`, not
 *   `a.b.example.com` nor `example.com`) and `ab*` / `*ab` match labels by prefix / suffix, as
 *   rsyslog's PermittedPeer wildcards do.
 * - x509/fingerprint: the certificate's SHA-256 or SHA-1 fingerprint must be listed in rsyslog's
 *   notation (`SHA256:AB:CD:…`, `SHA1:AB:…`); the CA is not checked (self-signed senders work).
 * TLS itself (protocol version, chain validity, expiry) is checked by node during the handshake.
 */
export type PeerDecision = { ok: true; peer: string | null } | { ok: false; reason: string };

export interface PeerPolicy {
  mode: AuthMode;
  permittedPeers: readonly string[];
  fingerprints: readonly string[];
}

/** rsyslog's fingerprint notation: `SHA256:AB:CD:…` or `SHA1:AB:…` (any case; compared upper-cased). */
export const FINGERPRINT_PATTERN = /^(SHA1|SHA256):([0-9A-F]{2}:)+[0-9A-F]{2}$/i;

export interface FingerprintList {
  fingerprints: string[];
  /** One entry per bad line, naming the source and the line number; empty when all lines parsed. */
  problems: string[];
}

/**
 * The text of a RECEIVER_TLS_FINGERPRINTS_FILE: one fingerprint per line in rsyslog notation;
 * blank lines and `#` comments (whole-line or after a fingerprint) are ignored. Bad lines are
 * returned as problems, never thrown, so a caller can keep its previous list and say why.
 */
export function parseFingerprintList(text: string, source: string): FingerprintList {
  const fingerprints: string[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const entry = line.replace(/#.*$/, "").trim();
    if (entry === "") return;
    if (!FINGERPRINT_PATTERN.test(entry)) {
      problems.push(`${source} line ${index + 1}: ${JSON.stringify(entry.slice(0, 120))} is not a fingerprint (expected SHA256:AA:BB:… or SHA1:AA:BB:…, rsyslog notation)`);
      return;
    }
    const upper = entry.toUpperCase();
    if (!fingerprints.includes(upper)) fingerprints.push(upper);
  });
  return { fingerprints, problems };
}

export function authorizePeer(policy: PeerPolicy, cert: PeerCertificate | null | undefined): PeerDecision {
  if (policy.mode === "anon") return { ok: true, peer: null };
  if (!cert || Object.keys(cert).length === 0) return { ok: false, reason: "no client certificate presented" };
  const names = certificateNames(cert);
  switch (policy.mode) {
    case "x509/certvalid":
      return { ok: true, peer: names[0] ?? null };
    case "x509/name": {
      for (const name of names) {
        if (policy.permittedPeers.some((pattern) => matchesPeerName(pattern, name))) return { ok: true, peer: name };
      }
      return { ok: false, reason: `certificate names [${names.join(", ")}] match no permitted peer` };
    }
    case "x509/fingerprint": {
      const sha256 = `SHA256:${cert.fingerprint256}`.toUpperCase();
      const sha1 = `SHA1:${cert.fingerprint}`.toUpperCase();
      if (policy.fingerprints.includes(sha256) || policy.fingerprints.includes(sha1)) return { ok: true, peer: names[0] ?? sha256 };
      return { ok: false, reason: `certificate fingerprint ${sha256} is not permitted` };
    }
  }
}

/** DNS subjectAltNames in certificate order, then the subject CN (if not already listed). */
export function certificateNames(cert: PeerCertificate): string[] {
  const names: string[] = [];
  for (const entry of (cert.subjectaltname ?? "").split(",")) {
    const trimmed = entry.trim();
    if (trimmed.startsWith("DNS:")) names.push(trimmed.slice(4));
  }
  const cn = cert.subject?.CN;
  const cns = Array.isArray(cn) ? cn : cn ? [cn] : [];
  for (const c of cns) if (!names.includes(c)) names.push(c);
  return names;
}

export function matchesPeerName(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  if (!p.includes("*")) return p === n;
  const pl = p.split(".");
  const nl = n.split(".");
  if (pl.length !== nl.length) return false;
  return pl.every((label, i) => matchesLabel(label, nl[i]!));
}

function matchesLabel(pattern: string, label: string): boolean {
  if (label.length === 0) return false;
  if (pattern === "*") return true;
  const star = pattern.indexOf("*");
  if (star === -1) return pattern === label;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return label.length >= prefix.length + suffix.length && label.startsWith(prefix) && label.endsWith(suffix);
}
