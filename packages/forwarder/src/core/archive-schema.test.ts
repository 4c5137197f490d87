import { describe, expect, it } from "vitest";
import { syslogRecordSchema, type SyslogRecord } from "@aws-syslog/record";
import { ARCHIVE_COLUMNS, ARCHIVE_PARTITION_KEYS, ARCHIVE_LOCATION_TEMPLATE_SUFFIX } from "./archive-schema.js";

const record: SyslogRecord = {
  v: 1,
  received_at: "2024-05-06T07:08:09.123Z",
  timestamp: "2024-05-06T16:08:09.1+09:00",
  facility: 16,
  severity: 6,
  facility_name: "local0",
  severity_name: "info",
  hostname: "gw1",
  app_name: "onegate",
  proc_id: null,
  msg_id: "ID47",
  structured_data: { "meta@1": { a: "1", b: ["x", "y"] } },
  message: '{"user":"alice"}',
  message_json: { user: "alice" },
  format: "rfc5424",
  source_ip: "192.0.2.1",
  source_port: 51000,
  tls_peer: "aws-syslog",
  listener: "tls",
  raw: null,
};

describe("ARCHIVE_COLUMNS", () => {
  it("has exactly one column per schema-v1 field, in no other name", () => {
    const names = ARCHIVE_COLUMNS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(syslogRecordSchema.shape).sort());
  });

  it("does not reuse a partition key as a column (Glue refuses duplicates)", () => {
    const names = new Set(ARCHIVE_COLUMNS.map((c) => c.name));
    for (const key of ARCHIVE_PARTITION_KEYS) expect(names.has(key.name)).toBe(false);
    expect(ARCHIVE_PARTITION_KEYS.map((k) => k.name)).toEqual(["route", "dt", "hour"]);
    expect(ARCHIVE_LOCATION_TEMPLATE_SUFFIX).toBe("route=${route}/dt=${dt}/hour=${hour}");
  });

  it("maps a record to values whose JS type matches the Parquet and Glue types", () => {
    const values = Object.fromEntries(ARCHIVE_COLUMNS.map((c) => [c.name, c.value(record)]));
    expect(values.received_at).toBe(Date.UTC(2024, 4, 6, 7, 8, 9, 123));
    expect(values.timestamp).toBe("2024-05-06T16:08:09.1+09:00");
    expect(JSON.parse(values.structured_data as string)).toEqual(record.structured_data);
    expect(JSON.parse(values.message_json as string)).toEqual({ user: "alice" });
    expect(values.proc_id).toBeNull();
    expect(values.truncated).toBe(false);
    expect(ARCHIVE_COLUMNS.find((c) => c.name === "truncated")!.value({ ...record, truncated: true })).toBe(true);
    for (const column of ARCHIVE_COLUMNS) {
      const value = column.value(record);
      if (value === null) {
        expect(column.nullable, column.name).toBe(true);
        continue;
      }
      const expected = { int: "number", timestamp: "number", string: "string", boolean: "boolean" }[column.glueType];
      expect(typeof value, column.name).toBe(expected);
    }
  });
});
