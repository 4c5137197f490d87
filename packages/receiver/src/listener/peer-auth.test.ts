import type { PeerCertificate } from "node:tls";
import { describe, expect, it } from "vitest";
import { authorizePeer, certificateNames, matchesPeerName, parseFingerprintList, type PeerPolicy } from "./peer-auth.js";

const cert = (cn: string, sans: string[] = [], fp256 = "AA:BB", fp1 = "CC:DD") =>
  ({ subject: { CN: cn }, subjectaltname: sans.join(", "), fingerprint256: fp256, fingerprint: fp1 }) as unknown as PeerCertificate;

const policy = (p: Partial<PeerPolicy>): PeerPolicy => ({ mode: "x509/name", permittedPeers: [], fingerprints: [], ...p });

describe("matchesPeerName (rsyslog PermittedPeer semantics)", () => {
  it.each([
    ["aws-syslog", "aws-syslog", true],
    ["AWS-Syslog", "aws-syslog", true],
    ["aws-syslog", "aws-syslog2", false],
    ["*.example.com", "host1.example.com", true],
    ["*.example.com", "a.b.example.com", false],
    ["*.example.com", "example.com", false],
    ["*.example.com", ".example.com", false],
    ["host*.example.com", "host42.example.com", true],
    ["host*.example.com", "web.example.com", false],
    ["*-gw.example.com", "tokyo-gw.example.com", true],
    ["*", "anything", true],
    ["*", "a.b", false],
  ])("%s vs %s → %s", (pattern, name, expected) => {
    expect(matchesPeerName(pattern, name)).toBe(expected);
  });
});

describe("certificateNames", () => {
  it("lists DNS SANs in order, then the CN once", () => {
    expect(certificateNames(cert("aws-syslog", ["DNS:a.example.com", "IP Address:127.0.0.1", "DNS:aws-syslog"]))).toEqual(["a.example.com", "aws-syslog"]);
    expect(certificateNames(cert("only-cn"))).toEqual(["only-cn"]);
  });
});

describe("authorizePeer", () => {
  it("anon never asks", () => {
    expect(authorizePeer(policy({ mode: "anon" }), undefined)).toEqual({ ok: true, peer: null });
  });

  it("certvalid accepts any name and reports the first", () => {
    expect(authorizePeer(policy({ mode: "x509/certvalid" }), cert("c", ["DNS:d"]))).toEqual({ ok: true, peer: "d" });
    expect(authorizePeer(policy({ mode: "x509/certvalid" }), {} as PeerCertificate)).toMatchObject({ ok: false });
  });

  it("x509/name matches SANs and CN, exact and wildcard, and names what matched", () => {
    const p = policy({ permittedPeers: ["aws-syslog", "*.example.com"] });
    expect(authorizePeer(p, cert("aws-syslog"))).toEqual({ ok: true, peer: "aws-syslog" });
    expect(authorizePeer(p, cert("whatever", ["DNS:host1.example.com"]))).toEqual({ ok: true, peer: "host1.example.com" });
    const refused = authorizePeer(p, cert("not-aws-syslog", ["DNS:not-aws-syslog"]));
    expect(refused).toMatchObject({ ok: false });
    if (!refused.ok) expect(refused.reason).toContain("not-aws-syslog");
    expect(authorizePeer(p, null)).toEqual({ ok: false, reason: "no client certificate presented" });
  });

  it("x509/fingerprint accepts listed SHA-256 or SHA-1 fingerprints only", () => {
    const p = policy({ mode: "x509/fingerprint", fingerprints: ["SHA256:AA:BB", "SHA1:EE:FF"] });
    expect(authorizePeer(p, cert("x", [], "AA:BB", "00:00"))).toEqual({ ok: true, peer: "x" });
    expect(authorizePeer(p, cert("y", [], "00:00", "EE:FF"))).toEqual({ ok: true, peer: "y" });
    expect(authorizePeer(p, cert("z", [], "AA:BC", "EE:FE"))).toMatchObject({ ok: false });
  });
});

describe("parseFingerprintList (RECEIVER_TLS_FINGERPRINTS_FILE)", () => {
  it("reads one fingerprint a line, upper-cased, without comments, blanks or repeats", () => {
    const text = "# senders\r\nsha256:ab:cd:ef  # web01\n\n   SHA1:01:02\nSHA256:AB:CD:EF\n";
    expect(parseFingerprintList(text, "f")).toEqual({ fingerprints: ["SHA256:AB:CD:EF", "SHA1:01:02"], problems: [] });
    expect(parseFingerprintList("", "f")).toEqual({ fingerprints: [], problems: [] });
  });

  it("names the source and line of every bad entry and keeps the good ones", () => {
    const { fingerprints, problems } = parseFingerprintList("SHA256:AA:BB\nMD5:AA:BB\nSHA256:AA:BB,SHA1:CC:DD\nSHA256:A:B\n", "list.txt");
    expect(fingerprints).toEqual(["SHA256:AA:BB"]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^list\.txt line 2: "MD5:AA:BB" is not a fingerprint/);
    expect(problems[1]).toMatch(/^list\.txt line 3: /);
    expect(problems[2]).toMatch(/^list\.txt line 4: /);
  });
});
