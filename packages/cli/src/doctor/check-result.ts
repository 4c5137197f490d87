/**
 * One line of `doctor`'s report: what was checked, the outcome, what was seen, and for a
 * failure what to do. Checks never throw for a problem they find: a broken deployment is the
 * expected input, so it is a value (STYLE: expected bad input is a value, not an exception).
 */
export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  /** Stable id, also the --json key: "dns", "tls", "kms-key", "log-group /var/log/messages", … */
  name: string;
  status: CheckStatus;
  /** What was seen, one line. */
  detail: string;
  /** What to do, for a failure (and for a skip that the operator can fix). */
  fix?: string;
}

export const passed = (name: string, detail: string): CheckResult => ({ name, status: "pass", detail });
export const failed = (name: string, detail: string, fix: string): CheckResult => ({ name, status: "fail", detail, fix });
export const skipped = (name: string, detail: string, fix?: string): CheckResult => ({ name, status: "skip", detail, ...(fix !== undefined ? { fix } : {}) });

/** docs/operations.md sections the fixes point at. */
export const DOCS = {
  rotation: "docs/operations.md#certificate-rotation",
  dlq: "docs/operations.md#dlq-redrive",
  alarms: "docs/operations.md#alarms",
  doctor: "docs/operations.md#checking-a-deployment-doctor",
} as const;
