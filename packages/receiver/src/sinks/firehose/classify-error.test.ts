import { describe, expect, it } from "vitest";
import { InvalidKMSResourceException, ResourceNotFoundException, ServiceUnavailableException } from "@aws-sdk/client-firehose";
import { classifyCallError, classifyEntryError, entryCodeLabel } from "./classify-error.js";

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });

describe("classifyCallError", () => {
  it.each([
    [new ServiceUnavailableException({ message: "Slow down.", $metadata: { httpStatusCode: 503 } }), "retry", "throttled", false],
    [named("ThrottlingException", { $metadata: { httpStatusCode: 400 } }), "retry", "throttled", false],
    [named("InternalFailure", { $metadata: { httpStatusCode: 500 } }), "retry", "server_error", false],
    [named("UnknownError", { $metadata: { httpStatusCode: 502 } }), "retry", "server_error", false],
    [named("TimeoutError"), "retry", "timeout", true],
    [named("AbortError"), "retry", "timeout", true],
    [named("Error", { code: "ECONNRESET" }), "retry", "network", true],
    [named("Error", { code: "ECONNREFUSED" }), "retry", "network", false],
    [new ResourceNotFoundException({ message: "missing", $metadata: {} }), "blocked", "not_found", false],
    [named("AccessDeniedException", { $metadata: { httpStatusCode: 400 } }), "blocked", "access_denied", false],
    [named("UnrecognizedClientException"), "blocked", "access_denied", false],
    [new InvalidKMSResourceException({ message: "key disabled", $metadata: {} }), "blocked", "kms", false],
    [named("InvalidSourceException"), "blocked", "invalid_source", false],
  ])("%s → %s %s", (err, kind, reason, ambiguous) => {
    const f = classifyCallError(err);
    expect(f.kind).toBe(kind);
    if (f.kind !== "invalid") expect(f.reason).toBe(reason);
    if (f.kind === "retry") expect(f.ambiguous).toBe(ambiguous);
  });

  it("treats InvalidArgumentException as invalid and unknown values as retryable", () => {
    expect(classifyCallError(named("InvalidArgumentException")).kind).toBe("invalid");
    expect(classifyCallError("weird")).toMatchObject({ kind: "retry", reason: "other", ambiguous: true });
  });
});

describe("classifyEntryError", () => {
  it("retries throttling and internal failures, blocks on KMS errors", () => {
    expect(classifyEntryError("ServiceUnavailableException")).toMatchObject({ kind: "retry", reason: "throttled" });
    expect(classifyEntryError("InternalFailure")).toMatchObject({ kind: "retry", reason: "internal" });
    expect(classifyEntryError("KMS.ThrottlingException")).toMatchObject({ kind: "retry", reason: "kms_throttled" });
    expect(classifyEntryError("KMS.DisabledException")).toMatchObject({ kind: "blocked", reason: "kms" });
    expect(classifyEntryError("Surprise")).toMatchObject({ kind: "retry", reason: "other" });
  });

  it("keeps the metric label set closed", () => {
    expect(entryCodeLabel("KMS.NotFoundException")).toBe("KMS.NotFoundException");
    expect(entryCodeLabel("made-up-by-input")).toBe("other");
  });
});
