import type { SyslogRecord } from "@aws-syslog/record";

/**
 * Log stream names from a template such as `{hostname}` (the default: one stream per host,
 * like the CloudWatch Agent's `{hostname}`/instance streams) or `{hostname}/{app_name}`.
 */
export const LOG_STREAM_PLACEHOLDERS = [
  "hostname", "app_name", "source_ip", "tls_peer", "facility_name", "listener", "route",
] as const;
type Placeholder = (typeof LOG_STREAM_PLACEHOLDERS)[number];

/** Stream names: 1–512 chars, no ':' or '*'.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html */
export const MAX_LOG_STREAM_NAME_LENGTH = 512;
/** Used when the placeholder's field is null or empty (a stream name cannot be empty). */
export const UNKNOWN_STREAM_PART = "unknown";

export type LogStreamTemplate = ReadonlyArray<string | { placeholder: Placeholder }>;

export function parseLogStreamTemplate(text: string): LogStreamTemplate {
  if (text === "") throw new Error("log stream template is empty");
  const parts: Array<string | { placeholder: Placeholder }> = [];
  const pattern = /\{([^{}]*)\}/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const name = match[1] as Placeholder;
    if (!LOG_STREAM_PLACEHOLDERS.includes(name)) throw new Error(`unknown placeholder {${match[1]}} in log stream template`);
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push({ placeholder: name });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  for (const part of parts) {
    if (typeof part === "string" && /[{}:*]/.test(part)) throw new Error(`log stream template has a stray "{", "}", ":" or "*": ${text}`);
  }
  return parts;
}

/** The stream name for one record: ':' and '*' replaced by '_', cut to 512 characters. */
export function logStreamName(template: LogStreamTemplate, record: SyslogRecord, route: string): string {
  let name = "";
  if (template.length === 1) {
    // The common `{hostname}`: the field itself when it needs no change (no concatenation).
    const only = template[0]!;
    if (typeof only !== "string") {
      const value = only.placeholder === "route" ? route : record[only.placeholder];
      if (typeof value === "string" && value !== "" && value.length <= MAX_LOG_STREAM_NAME_LENGTH &&
          !value.includes(":") && !value.includes("*")) return value;
    }
  }
  for (const part of template) {
    if (typeof part === "string") name += part;
    else {
      const value = part.placeholder === "route" ? route : record[part.placeholder];
      name += value === null || value === "" ? UNKNOWN_STREAM_PART : String(value);
    }
  }
  if (name.includes(":") || name.includes("*")) name = name.replace(/[:*]/g, "_");
  return name.length > MAX_LOG_STREAM_NAME_LENGTH ? name.slice(0, MAX_LOG_STREAM_NAME_LENGTH) : name;
}
