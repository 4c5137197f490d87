import { FACILITY_NAMES, SEVERITY_NAMES, type SyslogRecord } from "@aws-syslog/record";

/**
 * Deterministic schema-v1 records for archive tests and the archive benchmark: every column
 * varies (nulls, JSON objects, non-ASCII text, `truncated`), one record per second from
 * 2024-05-06T07:00:00Z, so record i lands in hour 07 + floor(i / 3600).
 */
export function sampleRecord(i: number, overrides: Partial<SyslogRecord> = {}): SyslogRecord {
  const facility = i % 24;
  const severity = i % 8;
  return {
    v: 1,
    received_at: new Date(Date.UTC(2024, 4, 6, 7, 0, 0) + i * 1000).toISOString(),
    timestamp: i % 3 === 0 ? null : "2024-05-06T16:00:00.5+09:00",
    facility,
    severity,
    facility_name: FACILITY_NAMES[facility]!,
    severity_name: SEVERITY_NAMES[severity]!,
    hostname: `host-${i % 5}`,
    app_name: i % 4 === 0 ? null : "sshd",
    proc_id: String(1000 + i),
    msg_id: null,
    structured_data: i % 2 === 0 ? null : { "origin@1": { ip: ["192.0.2.1", "192.0.2.2"], n: String(i) } },
    message: `message ${i} ünïcødé ✓`,
    message_json: i % 5 === 0 ? { user: "alice", n: i, nested: { ok: true } } : null,
    format: "rfc5424",
    source_ip: "198.51.100.7",
    source_port: i % 65536,
    tls_peer: null,
    listener: "tls",
    raw: null,
    ...(i % 7 === 0 ? { truncated: true as const } : {}),
    ...overrides,
  };
}
