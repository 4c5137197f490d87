import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isRecordShape, ownString, parseRecord, RecordError, safeParseRecord, serializeRecord, syslogRecordSchema, type SyslogRecord } from "./record.js";

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
      value: fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constantFrom("2026-11-23T10:00:00.000Z", "2026-13-45T10:00:00.000Z", "2026-11-31T10:00:00.000Z", "2026-11-23T24:00:00.000Z", "2026-02-29T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2000-02-29T00:00:00.000Z", "1900-02-29T00:00:00.000Z", "2026-00-10T00:00:00.000Z", "2026-11-23T10:60:00.000Z", 24, -1, 1.5, 65536, true, "rfc5424", [])),
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

describe("safeParseRecord's canonical fast path", () => {
  /** The parse without the fast path: JSON.parse, then the schema. */
  function referenceParse(line: string): SyslogRecord | null {
    try {
      const value: unknown = JSON.parse(line);
      return syslogRecordSchema.safeParse(value).success ? (value as SyslogRecord) : null;
    } catch {
      return null;
    }
  }

  /** Same outcome as the reference, down to the record's key order. */
  function expectSameAsReference(line: string): void {
    const result = safeParseRecord(line);
    const reference = referenceParse(line);
    expect(result.success, line).toBe(reference !== null);
    if (result.success) {
      expect(result.record).toEqual(reference);
      expect(JSON.stringify(result.record)).toBe(JSON.stringify(reference));
      if (result.plain) {
        for (const value of Object.values(result.record)) {
          if (typeof value === "string") expect(value, line).not.toMatch(/["\\\x00-\x1f\x7f]/);
        }
      }
    }
  }

  const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
  const text = fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 12 }), fc.constantFrom("", '"', "\\", "\u007f", "\t", "é", "\ud800", "null", '","x":"'));
  const anyRecord = fc.record({
    received_at: fc.constantFrom("2026-11-23T10:00:00.000Z", "2026-02-28T23:59:59.999Z", "2024-02-29T00:00:00.000Z"),
    timestamp: nullable(text),
    facility: fc.integer({ min: 0, max: 23 }),
    severity: fc.integer({ min: 0, max: 7 }),
    facility_name: text,
    severity_name: text,
    hostname: nullable(text),
    app_name: nullable(text),
    proc_id: nullable(text),
    msg_id: nullable(text),
    structured_data: fc.oneof(
      fc.constant(null),
      fc.constant({ "a@1": { b: "c" } }),
      fc.dictionary(text, fc.dictionary(text, fc.oneof(text, fc.array(text, { maxLength: 3 })), { maxKeys: 3 }), { maxKeys: 3 }),
    ),
    message: text,
    message_json: fc.oneof(
      fc.constant(null),
      fc.constant({ k: "v" }),
      fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
      // A sender's JSON that imitates the fields after it.
      fc.constant({ x: {}, format: "rfc5424", source_ip: "10.0.0.1", source_port: 1, tls_peer: "admin", listener: "tls", raw: null }),
    ),
    format: fc.constantFrom(...(["rfc5424", "rfc3164", "unparsed"] as const)),
    source_ip: nullable(text),
    source_port: nullable(fc.integer({ min: 0, max: 65535 })),
    tls_peer: nullable(text),
    listener: text,
    raw: nullable(text),
    truncated: fc.boolean(),
  });
  type Fields = typeof anyRecord extends fc.Arbitrary<infer T> ? T : never;
  const toRecord = ({ truncated, ...fields }: Fields): SyslogRecord => {
    const record: SyslogRecord = { v: 1, ...fields };
    const ordered = Object.fromEntries(Object.keys(sample).map((k) => [k, record[k as keyof SyslogRecord]])) as unknown as SyslogRecord;
    if (truncated) ordered.truncated = true;
    return ordered;
  };

  it("parses every serialised record exactly as JSON.parse does", () => {
    fc.assert(fc.property(anyRecord, (fields) => expectSameAsReference(serializeRecord(toRecord(fields)))), { numRuns: 2000 });
  });

  it("agrees with JSON.parse on lines edited anywhere", () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.integer({ min: 0, max: 3 }),
      insert: fc.constantFrom("", '"', "\\", ",", ":", "0", "05", "1", "9", "n", "null", "}", "{", " ", "\u007f", "\u0001", "é", "\\u0041", '"x"', "65536", ".5"),
    });
    fc.assert(
      fc.property(anyRecord, fc.array(edit, { minLength: 1, maxLength: 3 }), (fields, edits) => {
        let line = serializeRecord(toRecord(fields));
        for (const { at, remove, insert } of edits) {
          const i = at % (line.length + 1);
          line = line.slice(0, i) + insert + line.slice(i + remove);
        }
        expectSameAsReference(line);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ["a leading zero", (l: string) => l.replace('"facility":16', '"facility":016')],
    ["a port above 65535", (l: string) => l.replace('"source_port":51514', '"source_port":65536')],
    ["a day past the month's end", (l: string) => l.replace("2026-11-23T10:00:00.123Z", "2026-11-31T10:00:00.123Z")],
    ["an hour of 24", (l: string) => l.replace("2026-11-23T10:00:00.123Z", "2026-11-23T24:00:00.000Z")],
    ["a raw control character", (l: string) => l.replace('"listener":"tls"', '"listener":"t\u0001ls"')],
    ["whitespace between fields", (l: string) => l.replace(',"format"', ', "format"')],
    ["a truncated flag", (l: string) => l.replace(/\}\n$/, ',"truncated":true}\n')],
    ["a false truncated flag", (l: string) => l.replace(/\}\n$/, ',"truncated":false}\n')],
    ["no trailing LF", (l: string) => l.trimEnd()],
  ])("agrees with JSON.parse on %s", (_, change) => {
    const line = change(serializeRecord({ ...sample, structured_data: null, message_json: null, message: "plain" }));
    expectSameAsReference(line);
  });

  it("says plain only for the canonical layout without escapes", () => {
    const plainLine = serializeRecord({ ...sample, structured_data: null, message_json: null, message: "plain" });
    expect(safeParseRecord(plainLine)).toMatchObject({ success: true, plain: true });
    expect(safeParseRecord(serializeRecord({ ...sample, structured_data: null, message_json: null, message: 'a "quote"' }))).toMatchObject({ success: true, plain: false });
    const withSd = { ...sample, message: "login", message_json: null, structured_data: { "meta@1": { a: ["x", "y"], b: "z" }, e: {} } };
    expect(safeParseRecord(serializeRecord(withSd))).toEqual({ success: true, record: withSd, plain: true });
    expect(safeParseRecord(serializeRecord(sample))).toMatchObject({ success: true, plain: false }); // message_json: JSON.parse
  });
});

describe("ownString", () => {
  it("keeps the text exactly, lone surrogates included", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), fc.nat(), (text, at) => {
      const slice = (text + "padding to make a slice").slice(at % (text.length + 1));
      expect(ownString(slice)).toBe(slice);
    }));
    expect(ownString("\ud800 lone, long enough to copy")).toBe("\ud800 lone, long enough to copy");
  });
});
