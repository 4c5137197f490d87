import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { serializeRecord, type SyslogRecord } from "@aws-syslog/record";
import { DEFAULT_ROUTES, LocalArchiveSink, archiveStagingObject } from "@aws-syslog/forwarder";

/**
 * A week of a small estate, archived by the forwarder's own archive writer (the code the local
 * pipeline runs) into a real Parquet archive, for the review's tests. "Now" is REVIEW_NOW; the
 * default period is the 7 days before it.
 */
export const REVIEW_NOW = new Date("2026-11-23T12:00:00.000Z");

const FACILITY = { user: 1, auth: 4, authpriv: 10, local0: 16 } as const;
const SEVERITY = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"] as const;

let n = 0;
function rec(at: string, hostname: string | null, facility: keyof typeof FACILITY, app: string | null, message: string, extra: Partial<SyslogRecord> = {}): SyslogRecord {
  n++;
  const severity = extra.severity ?? 6;
  let json: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = null;
  }
  return {
    v: 1, received_at: at, timestamp: null, facility: FACILITY[facility], severity, facility_name: facility, severity_name: SEVERITY[severity]!,
    hostname, app_name: app, proc_id: null, msg_id: null, structured_data: null, message, message_json: json,
    format: json ? "rfc5424" : "rfc3164", source_ip: `10.0.0.${hostname === null ? 99 : hostname.length}`, source_port: 40000 + n, tls_peer: null, listener: "tls", raw: null, ...extra,
  };
}

const times = (count: number, first: string, stepMinutes = 7) => Array.from({ length: count }, (_, i) => new Date(Date.parse(first) + i * stepMinutes * 60_000).toISOString());

export function reviewRecords(): SyslogRecord[] {
  n = 0;
  return [
    // Baseline (before the period): web-1, db-1 and old-1, which then goes silent.
    ...times(5, "2026-11-01T10:00:00.000Z").map((t) => rec(t, "web-1", "user", "app", "baseline web")),
    ...times(3, "2026-11-02T10:00:00.000Z").map((t) => rec(t, "db-1", "user", "postgres", "baseline db")),
    ...times(2, "2026-11-03T10:00:00.000Z").map((t) => rec(t, "old-1", "user", "app", "baseline old")),
    // Authentication failures on web-1.
    ...times(3, "2026-11-18T01:00:00.000Z").map((t) => rec(t, "web-1", "authpriv", "sshd", "Failed password for root from 203.0.113.5 port 22 ssh2", { severity: 5 })),
    rec("2026-11-18T02:00:00.000Z", "web-1", "authpriv", "sshd", "Invalid user admin from 203.0.113.9 port 4711", { severity: 5 }),
    rec("2026-11-18T02:00:01.000Z", "web-1", "authpriv", "sshd", "Failed password for invalid user admin from 203.0.113.9 port 4711 ssh2", { severity: 5 }),
    ...times(2, "2026-11-19T03:00:00.000Z").map((t) => rec(t, "web-1", "auth", "sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.20  user=alice", { severity: 5 })),
    rec("2026-11-19T04:00:00.000Z", "web-1", "authpriv", "sshd", "Accepted publickey for bob from 198.51.100.21 port 50000 ssh2"),
    rec("2026-11-19T04:00:00.000Z", "web-1", "user", "app", "user typed: Failed password for nobody from nowhere"), // not auth/authpriv
    // sudo and su.
    ...times(2, "2026-11-20T09:00:00.000Z").map((t) => rec(t, "web-1", "authpriv", "sudo", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx")),
    rec("2026-11-20T09:00:00.000Z", "web-1", "authpriv", "sudo", "pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)"),
    rec("2026-11-20T10:00:00.000Z", "web-1", "authpriv", "sudo", "     bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/bash", { severity: 3 }),
    rec("2026-11-21T09:00:00.000Z", "db-1", "authpriv", "su", "pam_unix(su:session): session opened for user root(uid=0) by carol(uid=1000)"),
    rec("2026-11-21T09:30:00.000Z", "db-1", "authpriv", "su", "FAILED SU (to root) dave on pts/2", { severity: 4 }),
    // db-1 last speaks 30 h before "now": silent.
    rec("2026-11-22T06:00:00.000Z", "db-1", "user", "postgres", "checkpoint complete", { severity: 2 }),
    // OneGate (local0 JSON).
    ...times(3, "2026-11-21T12:00:00.000Z").map((t) => rec(t, "onegate", "local0", "onegate", JSON.stringify({ user: "u1", ip: "192.0.2.10", result: "FAILURE" }))),
    rec("2026-11-21T13:00:00.000Z", "onegate", "local0", "onegate", JSON.stringify({ user: "u2", ip: "192.0.2.11", result: "login failed" })),
    // A user name a report must escape (Markdown table cell, HTML).
    rec("2026-11-21T13:30:00.000Z", "onegate", "local0", "onegate", JSON.stringify({ user: "<b>eve|x</b>", ip: "192.0.2.12", result: "Failure" })),
    ...times(5, "2026-11-21T14:00:00.000Z").map((t) => rec(t, "onegate", "local0", "onegate", JSON.stringify({ user: "u1", ip: "192.0.2.10", result: "success" }))),
    // A host first seen in the period, and a sender without a HOSTNAME.
    ...times(4, "2026-11-20T00:00:00.000Z").map((t) => rec(t, "new-1", "user", "app", "hello from new-1")),
    rec("2026-11-23T11:00:00.000Z", null, "user", null, "unparsed-ish"),
    rec("2026-11-23T11:30:00.000Z", "web-1", "user", "app", "recent"),
    // After the period's end: never counted.
    rec("2026-11-23T12:30:00.000Z", "web-1", "authpriv", "sshd", "Failed password for root from 203.0.113.5 port 22 ssh2"),
  ];
}

/** Archives the records as the local pipeline does: two staging objects, small parts. */
export async function writeReviewArchive(archiveDir: string): Promise<void> {
  const records = reviewRecords();
  const half = Math.floor(records.length / 2);
  for (const [key, lines] of [["staging/review-a.gz", records.slice(0, half)], ["staging/review-b.gz", records.slice(half)]] as const) {
    const body = Readable.from([gzipSync(lines.map(serializeRecord).join(""))]);
    await archiveStagingObject({ bucket: "local", key, etag: null }, body, new LocalArchiveSink(archiveDir), {
      routes: DEFAULT_ROUTES, prefix: "", compression: "gzip", rowsPerPart: 10, maxPartBytes: 1 << 20,
      rowGroupRows: 5, rowGroupBytes: 1 << 20, maxBufferBytes: 1 << 24,
    });
  }
}
