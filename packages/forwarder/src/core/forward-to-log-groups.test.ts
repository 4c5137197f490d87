import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { Readable } from "node:stream";
import { serializeRecord, type SyslogRecord } from "@aws-syslog/record";
import { sampleRecord } from "../testing/sample-record.js";
import { forwardToLogGroups, type LogEventsWriter, type PutLogEventsResult } from "./forward-to-log-groups.js";
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_MESSAGE_BYTES, type LogEventBatch } from "./log-batches.js";
import { DEFAULT_ROUTES } from "./route.js";
import { readStagingObjectChunks, type StagingLine } from "./staging-object.js";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const OK: PutLogEventsResult = { rejectedTooOld: 0, rejectedTooNew: 0, rejectedExpired: 0, retries: 0, streamsCreated: 0, groupsCreated: 0 };

/** Records calls; checks that one stream never has two calls in flight and counts parallelism. */
class RecordingWriter implements LogEventsWriter {
  readonly batches: LogEventBatch[] = [];
  maxInFlight = 0;
  private inFlight = new Set<string>();
  constructor(private readonly result: (b: LogEventBatch) => PutLogEventsResult | Error = () => OK) {}
  async putLogEvents(batch: LogEventBatch): Promise<PutLogEventsResult> {
    const key = `${batch.logGroup} ${batch.logStream}`;
    if (this.inFlight.has(key)) throw new Error(`two calls in flight for ${key}`);
    this.inFlight.add(key);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight.delete(key);
    const result = this.result(batch);
    if (result instanceof Error) throw result;
    this.batches.push(batch);
    return result;
  }
}

const options = { routes: DEFAULT_ROUTES, logStreamTemplate: "{hostname}", now: () => NOW };
const at = (iso: string) => ({ timestamp: iso, received_at: "2026-11-23T11:59:00.000Z" });

describe("forwardToLogGroups", () => {
  it("routes, renders and counts", async () => {
    const writer = new RecordingWriter();
    const input: Array<StagingLine | SyslogRecord> = [
      sampleRecord({ ...at("2026-11-23T11:00:00.000Z"), facility: 10, app_name: "sudo", proc_id: null, message: "root : COMMAND=/bin/ls" }),
      { ok: true, lineNumber: 2, printable: false, record: sampleRecord({ ...at("2026-11-23T11:00:01.000Z"), facility: 23, hostname: "db-1", message: "booted" }) },
      { ok: false, lineNumber: 3, error: "not JSON", text: "{" },
      sampleRecord({ ...at("2026-11-23T11:00:02.000Z"), facility: 16, message_json: { user: "bob" } }),
      sampleRecord({ facility: 1, severity: 7 }), // user.debug: no route
    ];
    const stats = await forwardToLogGroups(input, writer, options);
    const byGroup = Object.fromEntries(writer.batches.map((b) => [`${b.logGroup} ${b.logStream}`, b.events.map((e) => e.message)]));
    expect(byGroup).toEqual({
      "/var/log/secure web-1": ["Nov 23 11:00:00 web-1 sudo: root : COMMAND=/bin/ls"],
      "/var/log/messages db-1": ["Nov 23 11:00:01 db-1 sshd[123]: booted"],
      "/var/log/boot.log db-1": ["Nov 23 11:00:01 db-1 sshd[123]: booted"],
      "/aws-syslog/onegate web-1": [expect.stringMatching(/^\{"timestamp":"2026-11-23T11:00:02.000Z",.*"user":"bob"\}$/)],
    });
    expect(stats).toMatchObject({
      records: 4, invalidLines: 1, unroutedRecords: 1, events: 4, eventsSent: 4, batches: 4,
      eventsSentByRoute: { secure: 1, messages: 1, boot: 1, onegate: 1 },
    });
  });

  it("renders the same batches from a staging object (printable lines) as from the records themselves", async () => {
    // Staging lines in the receiver's layout with printable ASCII fields skip the control-character
    // scan and the UTF-8 byte count; any other text takes them. Both must give the same events.
    const text = fc.oneof(fc.stringMatching(/^[ -~]{0,30}$/), fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("tab\there", 'q"uote', "back\\slash", "del\x7f", "é"));
    const anyRecord = fc.record({
      facility: fc.integer({ min: 0, max: 23 }), severity: fc.integer({ min: 0, max: 7 }), message: text,
      hostname: fc.option(fc.stringMatching(/^[a-z0-9.-]{1,20}$/), { nil: null }), app_name: fc.option(text, { nil: null }),
      second: fc.integer({ min: 0, max: 59 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(anyRecord, { minLength: 1, maxLength: 30 }), async (fields) => {
        const records = fields.map(({ second, ...f }) =>
          sampleRecord({ ...f, ...at(`2026-11-23T11:00:${String(second).padStart(2, "0")}.000Z`) }));
        const fromRecords = new RecordingWriter();
        await forwardToLogGroups(records, fromRecords, options);
        const fromStaging = new RecordingWriter();
        const body = gzipSync(records.map(serializeRecord).join(""));
        await forwardToLogGroups(readStagingObjectChunks(Readable.from([body])), fromStaging, options);
        expect(fromStaging.batches).toEqual(fromRecords.batches);
      }),
      { numRuns: 200 },
    );
  });

  it("does not send events outside 14 days back / 2 hours ahead, but counts them", async () => {
    const writer = new RecordingWriter();
    const stats = await forwardToLogGroups([
      sampleRecord(at("2026-11-09T11:59:59.000Z")), // 14 days and 1 s old
      sampleRecord(at("2026-11-09T12:00:00.000Z")), // exactly 14 days: accepted
      sampleRecord(at("2026-11-23T14:00:00.000Z")), // exactly 2 h ahead: accepted
      sampleRecord(at("2026-11-23T14:00:00.001Z")), // too new
    ], writer, options);
    expect(stats).toMatchObject({ events: 4, eventsSent: 2, eventsTooOld: 1, eventsTooNew: 1 });
    expect(writer.batches.flatMap((b) => b.events.map((e) => e.timestamp))).toEqual([
      Date.parse("2026-11-09T12:00:00.000Z"), Date.parse("2026-11-23T14:00:00.000Z"),
    ]);
  });

  it("truncates an oversize event to the limit and counts it", async () => {
    const writer = new RecordingWriter();
    const stats = await forwardToLogGroups([sampleRecord({ ...at("2026-11-23T11:00:00Z"), message: "é".repeat(200_000) })], writer, options);
    const message = writer.batches[0]!.events[0]!.message;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(Buffer.byteLength(message)).toBeGreaterThan(MAX_MESSAGE_BYTES - 2);
    expect(stats).toMatchObject({ eventsTruncated: 1, eventsSent: 1 });
  });

  it("counts events CloudWatch rejected and does not count them as sent", async () => {
    const writer = new RecordingWriter(() => ({ ...OK, rejectedTooNew: 1, retries: 2, streamsCreated: 1 }));
    const stats = await forwardToLogGroups([sampleRecord(at("2026-11-23T11:00:00Z")), sampleRecord(at("2026-11-23T11:00:01Z"))], writer, options);
    expect(stats).toMatchObject({ eventsSent: 1, eventsRejectedTooNew: 1, retries: 2, streamsCreated: 1, eventsSentByRoute: { messages: 1 } });
  });

  it("rejects with the writer's first error and stops reading", async () => {
    let read = 0;
    const writer = new RecordingWriter(() => Object.assign(new Error("denied"), { code: "FWD_CLOUDWATCH_REQUEST_FAILED" }));
    function* records() {
      for (let i = 0; i < 50_000; i++) {
        read += 1;
        yield sampleRecord({ ...at("2026-11-23T11:00:00Z"), hostname: `h${i % 5}`, message: "x".repeat(1000) });
      }
    }
    await expect(forwardToLogGroups(records(), writer, { ...options, maxParallelStreams: 2 })).rejects.toMatchObject({ code: "FWD_CLOUDWATCH_REQUEST_FAILED" });
    expect(read).toBeLessThan(50_000);
  });

  it("property: every event arrives once, per-stream order kept, parallelism bounded", async () => {
    const recordArb = fc.record({
      host: fc.constantFrom("a", "b", "c", "d", "e"),
      facility: fc.constantFrom(2, 4, 9, 10, 16, 23),
      offsetMs: fc.integer({ min: -30 * 3_600_000, max: 0 }),
      size: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 50 }) }, { weight: 1, arbitrary: fc.constant(200_000) }),
    });
    await fc.assert(fc.asyncProperty(fc.array(recordArb, { maxLength: 300 }), fc.integer({ min: 1, max: 4 }), async (specs, parallel) => {
      const writer = new RecordingWriter();
      const records = specs.map((s, i) => sampleRecord({
        timestamp: new Date(NOW + s.offsetMs).toISOString(), hostname: s.host, facility: s.facility, severity: 6,
        message: `#${i} `.padEnd(s.size, "x"),
      }));
      const stats = await forwardToLogGroups(records, writer, { ...options, maxParallelStreams: parallel, maxBufferedBytes: 600_000 });
      expect(writer.maxInFlight).toBeLessThanOrEqual(parallel);
      const expected = records.flatMap((r) => DEFAULT_ROUTES.routes.filter((route) => route.selector.masks[r.facility]! & (1 << r.severity))
        .map((route) => `${route.logGroup} ${r.hostname} ${r.message.split(" ")[0]}`)).sort();
      const got = writer.batches.flatMap((b) => b.events.map((e) => `${b.logGroup} ${b.logStream} ${(e.message.match(/#\d+/) ?? ["?"])[0]}`)).sort();
      expect(got).toEqual(expected);
      expect(stats.eventsSent).toBe(expected.length);
      for (const b of writer.batches) {
        expect(b.events.length).toBeLessThanOrEqual(MAX_BATCH_EVENTS);
        expect(b.bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
        const times = b.events.map((e) => e.timestamp);
        expect(times).toEqual([...times].sort((x, y) => x - y));
      }
    }), { numRuns: 40 });
  });
});
