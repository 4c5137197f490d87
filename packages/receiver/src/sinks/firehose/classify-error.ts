/**
 * What to do about a failed PutRecordBatch call or entry. Three answers:
 * - "retry": transient (throttling, 5xx, timeouts, connection errors): back off and resend.
 *   `ambiguous` when the service may have accepted the call before it failed (a timeout or
 *   a reset after the request left): resending may duplicate, so it is counted.
 * - "blocked": only an operator can fix it (missing stream, IAM, KMS, wrong stream type).
 *   The data is kept; the stream is probed slowly until it works again.
 * - "invalid": the request itself was refused; resending it unchanged cannot succeed.
 *
 * Error names are the service's `__type` codes as the SDK exposes them (err.name), see
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html#API_PutRecordBatch_Errors
 * and https://docs.aws.amazon.com/firehose/latest/APIReference/CommonErrors.html
 */
export type RetryReason = "throttled" | "server_error" | "internal" | "timeout" | "network" | "kms_throttled" | "other";
export type BlockReason = "not_found" | "access_denied" | "kms" | "invalid_source";

export type Failure =
  | { kind: "retry"; reason: RetryReason; ambiguous: boolean; code: string; message: string }
  | { kind: "blocked"; reason: BlockReason; code: string; message: string }
  | { kind: "invalid"; code: string; message: string };

const THROTTLING = new Set([
  "ServiceUnavailableException", "ThrottlingException", "Throttling", "LimitExceededException",
  "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException", "SlowDown",
]);
const SERVER = new Set(["InternalFailure", "InternalServerError", "InternalError", "ServiceFailure", "ServiceException"]);
const ACCESS = new Set([
  "AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidSignatureException",
  "ExpiredTokenException", "ExpiredToken", "InvalidClientTokenId", "MissingAuthenticationToken",
  "IncompleteSignature", "NotAuthorized", "SignatureDoesNotMatch", "CredentialsProviderError",
]);
const INVALID = new Set(["InvalidArgumentException", "ValidationException", "SerializationException"]);
/** Transport errors that prove the request never reached the service. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const TRANSPORT = new Set([...NOT_SENT, "ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE", "UND_ERR_SOCKET"]);
const TIMEOUT = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "ETIMEDOUT", "ESOCKETTIMEDOUT", "AbortError"]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: unknown;
}

export function classifyCallError(err: unknown): Failure {
  const e = (typeof err === "object" && err !== null ? err : {}) as ErrorShape;
  const name = typeof e.name === "string" ? e.name : "Error";
  const errno = typeof e.code === "string" ? e.code : undefined;
  const message = typeof e.message === "string" ? e.message : String(err);
  const status = e.$metadata?.httpStatusCode;
  const code = errno && (TRANSPORT.has(errno) || TIMEOUT.has(errno)) ? errno : name;

  if (THROTTLING.has(name) || status === 429) return { kind: "retry", reason: "throttled", ambiguous: false, code, message };
  if (name === "ResourceNotFoundException") return { kind: "blocked", reason: "not_found", code, message };
  if (ACCESS.has(name)) return { kind: "blocked", reason: "access_denied", code, message };
  if (name === "InvalidKMSResourceException" || name.startsWith("KMS")) return { kind: "blocked", reason: "kms", code, message };
  if (name === "InvalidSourceException") return { kind: "blocked", reason: "invalid_source", code, message };
  if (INVALID.has(name)) return { kind: "invalid", code, message };
  if (TIMEOUT.has(name) || (errno && TIMEOUT.has(errno))) return { kind: "retry", reason: "timeout", ambiguous: true, code, message };
  if (errno && TRANSPORT.has(errno)) return { kind: "retry", reason: "network", ambiguous: !NOT_SENT.has(errno), code, message };
  if (SERVER.has(name) || (status !== undefined && status >= 500)) return { kind: "retry", reason: "server_error", ambiguous: false, code, message };
  // Unknown: retried with back-off; RECEIVER_FIREHOSE_MAX_RETRIES turns a persistent one into
  // an ERROR. A response we could not parse may follow an accepted call, hence ambiguous.
  return { kind: "retry", reason: "other", ambiguous: status === undefined || status < 400, code, message };
}

/** Per-entry ErrorCode of a PutRecordBatch response (RequestResponses[i].ErrorCode). */
export function classifyEntryError(errorCode: string, message = ""): Failure {
  if (errorCode === "ServiceUnavailableException") return { kind: "retry", reason: "throttled", ambiguous: false, code: errorCode, message };
  if (errorCode === "InternalFailure") return { kind: "retry", reason: "internal", ambiguous: false, code: errorCode, message };
  if (errorCode === "KMS.ThrottlingException") return { kind: "retry", reason: "kms_throttled", ambiguous: false, code: errorCode, message };
  if (errorCode.startsWith("KMS.")) return { kind: "blocked", reason: "kms", code: errorCode, message };
  return { kind: "retry", reason: "other", ambiguous: false, code: errorCode, message };
}

/** Entry error codes documented for PutRecordBatch; anything else is labelled "other" so the
 * metric's label set stays closed. */
const KNOWN_ENTRY_CODES = new Set([
  "ServiceUnavailableException", "InternalFailure", "KMS.ThrottlingException", "KMS.DisabledException",
  "KMS.InvalidStateException", "KMS.NotFoundException", "KMS.OptInRequired", "KMS.AccessDeniedException",
  "KMS.InvalidKeyUsageException",
]);

export function entryCodeLabel(errorCode: string): string {
  return KNOWN_ENTRY_CODES.has(errorCode) ? errorCode : "other";
}
