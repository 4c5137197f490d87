import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isRecordShape, parseRecord, RecordError, safeParseRecord, serializeRecord, syslogRecordSchema, type SyslogRecord } from "./record.js";

const sample: SyslogRecord = {
  v: 1,
  received_at: "2026-11-23T10:00:00.123Z",
  timestamp: "2026-11-23T19:00:00.5+09:00",
  facility: 16,
  severity: 6,
  facility_name: "local0",
  severity_name: "info",
  hostname: "onegate",
  app_name: "OneGate",
  proc_id: null,
  msg_id: "AUTH",
  structured_data: { "meta@32473": { user: "alice", tag: ["a", "b"] } },
  message: '{"event":"login","result":"failure"}',
  message_json: { event: "login", result: "failure" },
  format: "rfc5424",
  source_ip: "192.0.2.10",
  source_port: 51514,
  tls_peer: "aws-syslog",
  listener: "tls",
  raw: null,
};

describe("record schema v1", () => {
  it("serialises to one line and parses back", () => {
    const line = serializeRecord({ ...sample, message: "two\nlines" });
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(parseRecord(line)).toEqual({ ...sample, message: "two\nlines" });
  });

  it("reports what is wrong with an invalid line", () => {
    const result = safeParseRecord(JSON.stringify({ ...sample, facility: 24 }));
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error).toContain("facility");
    expect(safeParseRecord("{not json").success).toBe(false);
    expect(() => parseRecord('{"v":2}')).toThrow(RecordError);
  });

  it("writes exactly what JSON.stringify writes for a record in field order", () => {
    const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
    fc.assert(
      fc.property(
        fc.record({
          timestamp: nullable(fc.string()),
          hostname: nullable(fc.string({ unit: "binary" })),
          app_name: nullable(fc.string()),
          proc_id: nullable(fc.string()),
          msg_id: nullable(fc.string()),
          structured_data: nullable(fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()))))),
          message: fc.string({ unit: "binary" }),
          message_json: nullable(fc.dictionary(fc.string(), fc.jsonValue())),
          source_ip: nullable(fc.string()),
          source_port: nullable(fc.integer({ min: 0, max: 65535 })),
          tls_peer: nullable(fc.string()),
          listener: fc.string(),
          raw: nullable(fc.string({ unit: "binary" })),
          truncated: fc.boolean(),
        }),
        ({ truncated, ...fields }) => {
          const record: SyslogRecord = { ...sample, ...fields, v: 1, received_at: sample.received_at, facility_name: sample.facility_name, severity_name: sample.severity_name, format: sample.format };
          const ordered = Object.fromEntries(Object.keys(sample).map((k) => [k, record[k as keyof SyslogRecord]])) as unknown as SyslogRecord;
          if (truncated) ordered.truncated = true;
          expect(serializeRecord(ordered)).toBe(JSON.stringify(ordered) + "\n");
        },
      ),
    );
  });

  it.each(["\ud800 lone", "pair \ud83d\ude00", 'q"uote', "back\\slash", "ctl\u0001\t\r", "plain", ""])("escapes %j as JSON.stringify does", (text) => {
    const record = { ...sample, message: text, hostname: text };
    expect(serializeRecord(record)).toBe(JSON.stringify(record) + "\n");
  });

  it("isRecordShape accepts exactly what the zod schema accepts", () => {
    const mutated = fc.record({
      key: fc.constantFrom(...Object.keys(sample), "truncated"),
      value: fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constantFrom("2026-11-23T10:00:00.000Z", "2026-13-45T10:00:00.000Z", 24, -1, 1.5, 65536, true, "rfc5424", [])),
    });
    fc.assert(
      fc.property(fc.array(mutated, { maxLength: 3 }), (mutations) => {
        const value: Record<string, unknown> = { ...sample };
        for (const { key, value: v } of mutations) {
          if (v === undefined) delete value[key];
          else value[key] = v;
        }
        expect(isRecordShape(value)).toBe(syslogRecordSchema.safeParse(value).success);
      }),
      { numRuns: 2000 },
    );
    expect(isRecordShape(sample)).toBe(true);
    expect(isRecordShape({ ...sample, truncated: true })).toBe(true);
    expect(isRecordShape({ ...sample, structured_data: { a: { b: ["c", 1] } } })).toBe(false);
  });

  it("round-trips any message text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.option(fc.string()), (message, hostname) => {
        const record = { ...sample, message, hostname };
        expect(parseRecord(serializeRecord(record))).toEqual(record);
      }),
    );
  });
});
