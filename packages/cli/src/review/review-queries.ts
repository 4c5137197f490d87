/**
 * The periodic log review's queries, written once and rendered for two engines: DuckDB over the
 * local archive and Athena (Trino) over the deployed one. Both read the same table `logs`
 * (schema-v1 columns plus the partition columns route, dt, hour; see archive-schema.ts), so
 * only three things differ, and each is one function below:
 *
 * - reading a JSON field: DuckDB `json_extract_string`, Trino `json_extract_scalar`;
 * - `regexp_extract` gives '' on no match in DuckDB and NULL in Trino: NULLIF(…, '') in both;
 * - nothing else: timestamps are compared with `TIMESTAMP 'YYYY-MM-DD HH:MM:SS.sss'` literals,
 *   which both read as UTC (the local session runs with TimeZone UTC, Athena is UTC), and the
 *   period is also given as a `dt BETWEEN` range so Athena's partition projection prunes it.
 *
 * Regular expressions are RE2 (DuckDB) and Java-style (Trino); the ones here use only what both
 * accept: classes, `\S`, `\s`, non-capturing groups, anchors.
 */

export type Dialect = "duckdb" | "athena";

/** Where OneGate puts things in its JSON MSG (local0). These names are ASSUMPTIONS, the same as
 * the saved queries in infra/analytics.ts: OneGate's event format is not published with field
 * names, so check one real event (`pnpm query "select message_json from logs where
 * facility_name = 'local0' limit 5"`) and pass --onegate-fields if they differ. */
export interface OnegateFields {
  /** The account that tried to log in. */
  user: string;
  /** The client's source address. */
  ip: string;
  /** The outcome; a login failed when it contains `failure` (case-insensitive). */
  result: string;
  /** Substring of `result` that marks a failure. */
  failure: string;
}

export const DEFAULT_ONEGATE_FIELDS: Readonly<OnegateFields> = Object.freeze({ user: "user", ip: "ip", result: "result", failure: "fail" });

/** A JSON path such as `user` or `login.ip`: letters, digits, `_`, dots between. */
export const JSON_FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** What the failure marker may hold: it is put into a LIKE pattern. */
export const FAILURE_MARKER_PATTERN = /^[A-Za-z0-9 _-]+$/;

export interface ReviewWindow {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, exclusive. */
  until: number;
  /** How far before `since` to look for hosts (new hosts: not seen then; silent hosts: seen then). */
  baselineMs: number;
  /** A host is silent when it sent nothing in the last silentAfterMs before `until`. */
  silentAfterMs: number;
}

export type ColumnKind = "text" | "count" | "time";

export interface ReviewColumn {
  name: string;
  label: string;
  kind: ColumnKind;
}

export interface ReviewSection {
  id: "auth_failures" | "privilege_use" | "onegate_failures" | "new_hosts" | "silent_hosts" | "volume";
  title: string;
  /** What the section lists and how it is selected, printed above its table. */
  description: string;
  columns: ReviewColumn[];
  /** At most this many rows: the runner adds LIMIT limit + 1, and the report says when there were more. */
  limit: number;
  /** A bar chart of the section: label column, value column. */
  chart?: { label: string; value: string };
  sql(d: Dialect, w: ReviewWindow, onegate: OnegateFields): string;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** `TIMESTAMP '2026-11-16 00:00:00.000'`: UTC in both engines. */
export function timestampLiteral(ms: number): string {
  return `TIMESTAMP '${new Date(ms).toISOString().replace("T", " ").replace("Z", "")}'`;
}

const dtOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `received_at` in [from, to), with the dt range that holds it, for partition pruning. */
export function timeFilter(from: number, to: number): string {
  return `dt BETWEEN '${dtOf(from)}' AND '${dtOf(to)}' AND received_at >= ${timestampLiteral(from)} AND received_at < ${timestampLiteral(to)}`;
}

export function jsonField(d: Dialect, column: string, field: string): string {
  if (!JSON_FIELD_PATTERN.test(field)) throw new RangeError(`not a JSON field name: ${field}`);
  return `${d === "duckdb" ? "json_extract_string" : "json_extract_scalar"}(${column}, '$.${field}')`;
}

/** The first group of `pattern` in `text`, or NULL, in both engines. */
export function extract(text: string, pattern: string): string {
  return `NULLIF(regexp_extract(${text}, ${sqlString(pattern)}, 1), '')`;
}

/** The sender as the review names it: its HOSTNAME, else its address. */
const HOST = "coalesce(hostname, source_ip, '(unknown)')";
const FIRST_LAST = "min(received_at) AS first_seen, max(received_at) AS last_seen";

const AUTH_FAILURE_TEXT = ["Failed password", "authentication failure", "Invalid user"];

export const REVIEW_SECTIONS: readonly ReviewSection[] = Object.freeze([
  {
    id: "auth_failures",
    title: "Authentication failures",
    description: `Messages of facility auth or authpriv containing ${AUTH_FAILURE_TEXT.map((t) => `"${t}"`).join(", ")} (sshd, PAM), by host, user and remote address. One failed attempt can log more than one line (sshd writes "Invalid user" and "Failed password").`,
    columns: [
      { name: "host", label: "Host", kind: "text" }, { name: "user_name", label: "User", kind: "text" }, { name: "remote", label: "Remote address", kind: "text" },
      { name: "failures", label: "Messages", kind: "count" }, { name: "first_seen", label: "First", kind: "time" }, { name: "last_seen", label: "Last", kind: "time" },
    ],
    limit: 100,
    chart: { label: "host", value: "failures" },
    sql: (_d, w) => `SELECT host, user_name, remote, count(*) AS failures, ${FIRST_LAST}
FROM (SELECT ${HOST} AS host,
    coalesce(${extract("message", "for (?:invalid user )?(\\S+) from ")}, ${extract("message", "Invalid user (\\S+)")}, ${extract("message", " user=(\\S+)")}) AS user_name,
    coalesce(${extract("message", " from (\\S+)")}, ${extract("message", "rhost=(\\S+)")}) AS remote,
    received_at
  FROM logs
  WHERE ${timeFilter(w.since, w.until)}
    AND facility_name IN ('auth', 'authpriv')
    AND (${AUTH_FAILURE_TEXT.map((t) => `message LIKE ${sqlString(`%${t}%`)}`).join(" OR ")})) f
GROUP BY host, user_name, remote
ORDER BY failures DESC, host, user_name, remote`,
  },
  {
    id: "privilege_use",
    title: "sudo and su",
    description: "Messages of the programs sudo (its \"user : … ; USER=… ; COMMAND=…\" lines) and su (sessions opened, \"(to user)\" lines, failures), by host, user, target user and command. Failures: wrong passwords, users not in sudoers, authentication failures.",
    columns: [
      { name: "host", label: "Host", kind: "text" }, { name: "program", label: "Program", kind: "text" }, { name: "user_name", label: "User", kind: "text" },
      { name: "run_as", label: "As", kind: "text" }, { name: "command", label: "Command", kind: "text" }, { name: "uses", label: "Messages", kind: "count" },
      { name: "failures", label: "Failures", kind: "count" }, { name: "first_seen", label: "First", kind: "time" }, { name: "last_seen", label: "Last", kind: "time" },
    ],
    limit: 200,
    sql: (_d, w) => `SELECT host, program, user_name, run_as, command, count(*) AS uses, count(*) FILTER (WHERE failed) AS failures, ${FIRST_LAST}
FROM (SELECT ${HOST} AS host, app_name AS program,
    CASE WHEN app_name = 'sudo' THEN ${extract("message", "^\\s*(\\S+) : ")}
         ELSE coalesce(${extract("message", " by ([^(\\s]+)")}, ${extract("message", "\\(to \\S+\\) (\\S+) on")}, ${extract("message", "ruser=(\\S+)")}) END AS user_name,
    CASE WHEN app_name = 'sudo' THEN ${extract("message", "USER=(\\S+)")}
         ELSE coalesce(${extract("message", "session opened for user ([^(\\s]+)")}, ${extract("message", "\\(to ([^)\\s]+)\\)")}, ${extract("message", " user=(\\S+)")}) END AS run_as,
    CASE WHEN app_name = 'sudo' THEN ${extract("message", "COMMAND=(.*)$")} END AS command,
    (lower(message) LIKE '%incorrect password%' OR lower(message) LIKE '%authentication failure%'
      OR message LIKE '%NOT in sudoers%' OR message LIKE '%FAILED SU%') AS failed,
    received_at
  FROM logs
  WHERE ${timeFilter(w.since, w.until)}
    AND ((app_name = 'sudo' AND message LIKE '% : %')
      OR (app_name = 'su' AND (message LIKE '%session opened%' OR message LIKE '%(to %' OR message LIKE '%authentication failure%')))) p
GROUP BY host, program, user_name, run_as, command
ORDER BY uses DESC, host, program, user_name, run_as, command`,
  },
  {
    id: "onegate_failures",
    title: "OneGate login failures",
    description: "OneGate events (facility local0, JSON message) whose result field marks a failure, by user and source address. The JSON field names are assumptions (see the report's footer and --onegate-fields).",
    columns: [
      { name: "user_name", label: "User", kind: "text" }, { name: "client_ip", label: "Source address", kind: "text" },
      { name: "failures", label: "Failures", kind: "count" }, { name: "first_seen", label: "First", kind: "time" }, { name: "last_seen", label: "Last", kind: "time" },
    ],
    limit: 100,
    chart: { label: "user_name", value: "failures" },
    sql: (d, w, f) => {
      if (!FAILURE_MARKER_PATTERN.test(f.failure)) throw new RangeError(`not a failure marker: ${f.failure}`);
      return `SELECT user_name, client_ip, count(*) AS failures, ${FIRST_LAST}
FROM (SELECT ${jsonField(d, "message_json", f.user)} AS user_name, ${jsonField(d, "message_json", f.ip)} AS client_ip,
    ${jsonField(d, "message_json", f.result)} AS result, received_at
  FROM logs
  WHERE ${timeFilter(w.since, w.until)} AND facility_name = 'local0' AND message_json IS NOT NULL) o
WHERE lower(result) LIKE ${sqlString(`%${f.failure.toLowerCase()}%`)}
GROUP BY user_name, client_ip
ORDER BY failures DESC, user_name, client_ip`;
    },
  },
  {
    id: "new_hosts",
    title: "New source hosts",
    description: "Hosts first seen in the period: nothing from them in the baseline before it (--baseline).",
    columns: [
      { name: "host", label: "Host", kind: "text" }, { name: "source_ip", label: "Source address", kind: "text" },
      { name: "first_seen", label: "First", kind: "time" }, { name: "messages", label: "Messages", kind: "count" },
    ],
    limit: 200,
    sql: (_d, w) => `SELECT host, min(source_ip) AS source_ip, min(received_at) AS first_seen, count(*) AS messages
FROM (SELECT ${HOST} AS host, source_ip, received_at FROM logs WHERE ${timeFilter(w.since - w.baselineMs, w.until)}) h
GROUP BY host
HAVING min(received_at) >= ${timestampLiteral(w.since)}
ORDER BY first_seen, host`,
  },
  {
    id: "silent_hosts",
    title: "Silent hosts",
    description: "Hosts seen in the baseline or the period that sent nothing in the last hours before its end (--silent-after).",
    columns: [
      { name: "host", label: "Host", kind: "text" }, { name: "last_seen", label: "Last message", kind: "time" }, { name: "messages", label: "Messages (baseline and period)", kind: "count" },
    ],
    limit: 200,
    sql: (_d, w) => `SELECT host, max(received_at) AS last_seen, count(*) AS messages
FROM (SELECT ${HOST} AS host, received_at FROM logs WHERE ${timeFilter(w.since - w.baselineMs, w.until)}) h
GROUP BY host
HAVING max(received_at) < ${timestampLiteral(w.until - w.silentAfterMs)}
ORDER BY last_seen, host`,
  },
  {
    id: "volume",
    title: "Volume per host",
    description: "Messages per host in the period; errors are severity 0-3 (emerg, alert, crit, err).",
    columns: [
      { name: "host", label: "Host", kind: "text" }, { name: "messages", label: "Messages", kind: "count" }, { name: "errors", label: "Errors", kind: "count" },
      { name: "first_seen", label: "First", kind: "time" }, { name: "last_seen", label: "Last", kind: "time" },
    ],
    limit: 100,
    chart: { label: "host", value: "messages" },
    sql: (_d, w) => `SELECT host, count(*) AS messages, count(*) FILTER (WHERE severity <= 3) AS errors, ${FIRST_LAST}
FROM (SELECT ${HOST} AS host, severity, received_at FROM logs WHERE ${timeFilter(w.since, w.until)}) v
GROUP BY host
ORDER BY messages DESC, host`,
  },
] satisfies ReviewSection[]);
