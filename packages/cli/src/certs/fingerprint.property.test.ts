import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rsyslogFingerprint } from "./fingerprint.js";

describe("rsyslogFingerprint (properties)", () => {
  it("is the digest in rsyslog notation for any input, and the receiver's fingerprint pattern accepts it", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.constantFrom("sha256" as const, "sha1" as const), (bytes, algorithm) => {
        const fp = rsyslogFingerprint(bytes, algorithm);
        const octets = algorithm === "sha256" ? 32 : 20;
        expect(fp).toMatch(new RegExp(`^${algorithm.toUpperCase()}:([0-9A-F]{2}:){${octets - 1}}[0-9A-F]{2}$`));
        const hex = fp.slice(fp.indexOf(":") + 1).replaceAll(":", "").toLowerCase();
        expect(hex).toBe(createHash(algorithm).update(bytes).digest("hex"));
      }),
    );
  });
});
