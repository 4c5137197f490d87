import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCa } from "./certificate-authority.js";
import { rsyslogFingerprint } from "./fingerprint.js";

describe("rsyslogFingerprint", () => {
  it("matches node's own fingerprints of a certificate, with rsyslog's SHA256:/SHA1: prefix", async () => {
    const ca = await createCa();
    const cert = new X509Certificate(ca.certPem);
    expect(rsyslogFingerprint(cert.raw, "sha256")).toBe(`SHA256:${cert.fingerprint256}`);
    expect(rsyslogFingerprint(cert.raw, "sha1")).toBe(`SHA1:${cert.fingerprint}`);
  });

  it("prints a known digest in upper-case colon notation", () => {
    // SHA-1("abc") from FIPS 180-2 appendix A.1.
    expect(rsyslogFingerprint(Buffer.from("abc"), "sha1")).toBe("SHA1:A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D");
  });
});
