import type { SyslogRecord } from "@aws-syslog/record";

/** A valid schema-v1 record for tests and benchmarks; override any field. */
export function sampleRecord(overrides: Partial<SyslogRecord> = {}): SyslogRecord {
  return {
    v: 1, received_at: "2026-11-23T10:00:00.000Z", timestamp: "2026-11-23T10:00:00.000+00:00",
    facility: 4, severity: 6, facility_name: "auth", severity_name: "info", hostname: "web-1",
    app_name: "sshd", proc_id: "123", msg_id: null, structured_data: null, message: "héllo ✓",
    message_json: null, format: "rfc5424", source_ip: "192.0.2.1", source_port: 5514, tls_peer: null,
    listener: "tls", raw: null, ...overrides,
  };
}
