/**
 * The forwarder's error catalogue. Every error carries a stable `code` (documented in
 * docs/errors.md), keeps its `cause`, and says whether retrying the same input can succeed
 * (`retryable`): a Lambda redelivery helps with throttling, never with a corrupt object.
 */
export interface ForwarderErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

export class ForwarderError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: ForwarderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** FWD_CONFIG_INVALID: one or more FORWARDER_* settings are invalid; `issues` lists all. */
export class ConfigError extends ForwarderError {
  constructor(readonly issues: readonly string[]) {
    super("FWD_CONFIG_INVALID", `invalid forwarder configuration:\n  - ${issues.join("\n  - ")}`);
  }
}

/** FWD_SELECTOR_INVALID: an rsyslog selector could not be parsed; `column` is 1-based. */
export class SelectorError extends ForwarderError {
  constructor(message: string, readonly selector: string, readonly column: number) {
    super("FWD_SELECTOR_INVALID", `selector "${selector}", column ${column}: ${message}`);
  }
}

/** FWD_ROUTES_INVALID: a line of the routing table is invalid; `line` is 1-based. */
export class RouteTableError extends ForwarderError {
  constructor(message: string, readonly line: number, options: ForwarderErrorOptions = {}) {
    super("FWD_ROUTES_INVALID", `routing table line ${line}: ${message}`, options);
  }
}

/** FWD_SQS_BODY_INVALID: an SQS message body is not an S3 event notification (poison). */
export class SqsMessageError extends ForwarderError {
  constructor(message: string, options: ForwarderErrorOptions = {}) {
    super("FWD_SQS_BODY_INVALID", message, { ...options, retryable: false });
  }
}

/** FWD_STAGING_CORRUPT: a staging object is not valid gzip (poison: retrying cannot help). */
export class StagingObjectError extends ForwarderError {
  constructor(message: string, options: ForwarderErrorOptions = {}) {
    super("FWD_STAGING_CORRUPT", message, { ...options, retryable: false });
  }
}

/** FWD_S3_OBJECT_NOT_FOUND: the staging object named by a notification does not exist. */
export class StagingObjectNotFoundError extends ForwarderError {
  constructor(bucket: string, key: string, options: ForwarderErrorOptions = {}) {
    super("FWD_S3_OBJECT_NOT_FOUND", `staging object s3://${bucket}/${key} not found`, {
      ...options,
      retryable: false,
    });
  }
}

/** FWD_LOG_GROUP_NOT_FOUND: the log group does not exist and creating it is not configured. */
export class LogGroupNotFoundError extends ForwarderError {
  constructor(readonly logGroup: string, options: ForwarderErrorOptions = {}) {
    super(
      "FWD_LOG_GROUP_NOT_FOUND",
      `log group ${logGroup} does not exist (create it, or set FORWARDER_CREATE_LOG_GROUPS=true)`,
      { ...options, retryable: false },
    );
  }
}

/** FWD_CLOUDWATCH_RETRIES_EXHAUSTED: throttling or 5xx outlasted the retry budget. */
export class CloudWatchRetriesExhaustedError extends ForwarderError {
  constructor(message: string, options: ForwarderErrorOptions = {}) {
    super("FWD_CLOUDWATCH_RETRIES_EXHAUSTED", message, { ...options, retryable: true });
  }
}

/** FWD_CLOUDWATCH_REQUEST_FAILED: CloudWatch Logs refused a call (access, parameters, KMS). */
export class CloudWatchRequestError extends ForwarderError {
  constructor(message: string, options: ForwarderErrorOptions = {}) {
    super("FWD_CLOUDWATCH_REQUEST_FAILED", message, { ...options });
  }
}

/** FWD_ARCHIVE_ENCODE_FAILED: Parquet encoding of validated records failed (a defect, not bad
 * input): not retryable, so the message goes to the DLQ with the staging object named. */
export class ArchiveEncodeError extends ForwarderError {
  constructor(message: string, options: ForwarderErrorOptions = {}) {
    super("FWD_ARCHIVE_ENCODE_FAILED", message, { ...options, retryable: false });
  }
}

/** FWD_ARCHIVE_PUT_FAILED: an archive object could not be stored (S3 PutObject after the SDK's
 * own retries, or a local write). Retryable unless access is denied (IAM or KMS key policy). */
export class ArchivePutError extends ForwarderError {
  constructor(readonly key: string, message: string, options: ForwarderErrorOptions = {}) {
    super("FWD_ARCHIVE_PUT_FAILED", `archive object ${key}: ${message}`, { retryable: true, ...options });
  }
}

/** FWD_S3_READ_FAILED: a staging object could not be read (GetObject or its body stream after
 * the SDK's retries). Retryable unless access is denied. */
export class StagingObjectReadError extends ForwarderError {
  constructor(bucket: string, key: string, message: string, options: ForwarderErrorOptions = {}) {
    super("FWD_S3_READ_FAILED", `staging object s3://${bucket}/${key}: ${message}`, { retryable: true, ...options });
  }
}

/** FWD_S3_TAGGING_FAILED: the "forwarded" tag of a staging object could not be read or written
 * (GetObjectTagging / PutObjectTagging). Retryable unless access is denied or the object
 * already has S3's maximum of 10 tags. */
export class StagingObjectTaggingError extends ForwarderError {
  constructor(bucket: string, key: string, message: string, options: ForwarderErrorOptions = {}) {
    super("FWD_S3_TAGGING_FAILED", `staging object s3://${bucket}/${key}: ${message}`, { retryable: true, ...options });
  }
}
