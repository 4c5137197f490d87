import { failed, skipped, type CheckResult } from "./check-result.js";

/**
 * AWS errors as findings. Wrong or missing credentials, a missing region and an unreachable
 * endpoint fail every call the same way, so the first one is reported with its fix and the
 * later AWS checks are skipped with a pointer to it: one clear line, not a stack trace and
 * not the same error six times. Access denied and not found belong to their own check.
 */
export type AwsErrorKind = "credentials" | "unreachable" | "denied" | "not-found" | "other";

export interface AwsFailure {
  kind: AwsErrorKind;
  /** "UnrecognizedClientException: The security token included in the request is invalid." */
  text: string;
}

const CREDENTIAL_ERRORS = new Set([
  "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
  "ExpiredTokenException", "ExpiredToken", "InvalidAccessKeyId", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
  "CredentialsProviderError", "TokenProviderError",
]);
const DENIED_ERRORS = new Set(["AccessDeniedException", "AccessDenied", "AuthorizationError", "KMSAccessDeniedException"]);
const NOT_FOUND_ERRORS = new Set(["ResourceNotFoundException", "NotFoundException", "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

export function classifyAwsError(err: unknown): AwsFailure {
  const e = (err ?? {}) as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? "Error";
  const message = (e.message ?? String(err)).split("\n")[0]!;
  const text = message.includes(name) ? message : `${name}: ${message}`;
  if (CREDENTIAL_ERRORS.has(name) || /could not load credentials|security token .* invalid/i.test(message)) return { kind: "credentials", text };
  if (DENIED_ERRORS.has(name)) return { kind: "denied", text };
  if (NOT_FOUND_ERRORS.has(name)) return { kind: "not-found", text };
  if (NETWORK_CODES.has(e.code ?? "") || name === "TimeoutError" || (e.$metadata?.httpStatusCode === undefined && /ECONNREFUSED|ENOTFOUND|socket hang up|timed? ?out/i.test(message))) {
    return { kind: "unreachable", text: e.code !== undefined && !text.includes(e.code) ? `${text} (${e.code})` : text };
  }
  // An HTTP 403 the SDK could not name (a proxy, a signature the endpoint refused) is a credentials answer too.
  if (e.$metadata?.httpStatusCode === 403) return { kind: "credentials", text };
  return { kind: "other", text };
}

const CREDENTIALS_FIX = "use credentials of the deployment's account: AWS_PROFILE (aws sso login) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and the stage's region";

/** Runs AWS-backed checks in turn, stopping the rest after an error that would fail them all. */
export class AwsChecks {
  private blocker: { check: string; kind: AwsErrorKind } | undefined;

  constructor(private readonly endpointOf: (service: string) => string) {}

  /**
   * `service` names the API for messages ("KMS", "CloudWatch Logs", …). `onError` may turn an
   * expected error (not found, denied) into the check's own finding; otherwise it is a failure.
   */
  async run(name: string, service: string, body: () => Promise<CheckResult>, onError?: (f: AwsFailure) => CheckResult | undefined): Promise<CheckResult> {
    if (this.blocker !== undefined) {
      const why = this.blocker.kind === "credentials" ? "the AWS credentials were refused" : "AWS could not be reached";
      return skipped(name, `not checked: ${why} (see ${this.blocker.check})`);
    }
    try {
      return await body();
    } catch (err) {
      const f = classifyAwsError(err);
      if (f.kind === "credentials") {
        this.blocker = { check: name, kind: f.kind };
        return failed(name, `${service} refused the credentials: ${f.text}`, CREDENTIALS_FIX);
      }
      if (f.kind === "unreachable") {
        this.blocker = { check: name, kind: f.kind };
        return failed(name, `cannot reach ${service} at ${this.endpointOf(service)}: ${f.text}`, "check the network, the region, and AWS_ENDPOINT_URL_* if set");
      }
      const own = onError?.(f);
      if (own !== undefined) return own;
      if (f.kind === "denied") return failed(name, `${service} denied the call: ${f.text}`, "grant the caller read access (kms:DescribeKey, kms:GetKeyPolicy, logs:DescribeLogGroups, logs:FilterLogEvents, firehose:DescribeDeliveryStream, sqs:GetQueueAttributes)");
      return failed(name, `${service} call failed: ${f.text}`, "see the message; run again if it was throttled");
    }
  }
}
