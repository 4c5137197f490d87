import { beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  AccessDeniedException, CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, InvalidParameterException,
  PutLogEventsCommand, ResourceAlreadyExistsException, ResourceNotFoundException, ServiceUnavailableException, ThrottlingException,
} from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchLogsWriter, type CloudWatchLogsWriterOptions } from "./cloudwatch-logs.js";
import { EVENT_OVERHEAD_BYTES, LogBatcher, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_MESSAGE_BYTES, type LogEventBatch } from "../core/log-batches.js";

const cwl = mockClient(CloudWatchLogsClient);
const meta = { $metadata: {} };
const notFound = () => new ResourceNotFoundException({ message: "The specified log stream does not exist.", ...meta });
const throttled = () => new ThrottlingException({ message: "Rate exceeded", ...meta });
const sleeps: number[] = [];

function writer(overrides: Partial<CloudWatchLogsWriterOptions> = {}): CloudWatchLogsWriter {
  return new CloudWatchLogsWriter(new CloudWatchLogsClient({ region: "us-east-1" }), {
    createLogGroups: false, maxRetries: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 1000,
    sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, ...overrides,
  });
}

const batch = (n = 3): LogEventBatch => ({
  logGroup: "/var/log/messages", logStream: "web-1",
  events: Array.from({ length: n }, (_, i) => ({ timestamp: 1_700_000_000_000 + i, message: `m${i}` })),
  bytes: n * (2 + EVENT_OVERHEAD_BYTES),
});

beforeEach(() => {
  cwl.reset();
  sleeps.length = 0;
});

describe("CloudWatchLogsWriter (contract)", () => {
  it("sends the batch as is and reports nothing rejected", async () => {
    cwl.on(PutLogEventsCommand).resolves({});
    const result = await writer().putLogEvents(batch());
    expect(cwl.commandCalls(PutLogEventsCommand)[0]!.args[0].input).toEqual({
      logGroupName: "/var/log/messages", logStreamName: "web-1", logEvents: batch().events,
    });
    expect(result).toEqual({ rejectedTooOld: 0, rejectedTooNew: 0, rejectedExpired: 0, retries: 0, streamsCreated: 0, groupsCreated: 0 });
  });

  it("counts rejectedLogEventsInfo (tooOld end exclusive, tooNew start inclusive, expired beyond tooOld)", async () => {
    cwl.on(PutLogEventsCommand).resolves({ rejectedLogEventsInfo: { tooOldLogEventEndIndex: 2, expiredLogEventEndIndex: 3, tooNewLogEventStartIndex: 8 } });
    const result = await writer().putLogEvents(batch(10));
    expect(result).toMatchObject({ rejectedTooOld: 2, rejectedExpired: 1, rejectedTooNew: 2 });
  });

  it("creates a missing stream and repeats the call", async () => {
    cwl.on(PutLogEventsCommand).rejectsOnce(notFound()).resolves({});
    cwl.on(CreateLogStreamCommand).resolves({});
    const result = await writer().putLogEvents(batch());
    expect(cwl.commandCalls(CreateLogStreamCommand)[0]!.args[0].input).toEqual({ logGroupName: "/var/log/messages", logStreamName: "web-1" });
    expect(cwl.commandCalls(PutLogEventsCommand)).toHaveLength(2);
    expect(result).toMatchObject({ streamsCreated: 1, groupsCreated: 0 });
  });

  it("treats a stream created concurrently by someone else as created", async () => {
    cwl.on(PutLogEventsCommand).rejectsOnce(notFound()).resolves({});
    cwl.on(CreateLogStreamCommand).rejects(new ResourceAlreadyExistsException({ message: "exists", ...meta }));
    await expect(writer().putLogEvents(batch())).resolves.toMatchObject({ streamsCreated: 0 });
  });

  it("creates a missing group when configured, then the stream", async () => {
    cwl.on(PutLogEventsCommand).rejectsOnce(notFound()).resolves({});
    cwl.on(CreateLogStreamCommand).rejectsOnce(new ResourceNotFoundException({ message: "group", ...meta })).resolves({});
    cwl.on(CreateLogGroupCommand).resolves({});
    const result = await writer({ createLogGroups: true }).putLogEvents(batch());
    expect(cwl.commandCalls(CreateLogGroupCommand)[0]!.args[0].input).toEqual({ logGroupName: "/var/log/messages" });
    expect(result).toMatchObject({ streamsCreated: 1, groupsCreated: 1 });
  });

  it("fails with FWD_LOG_GROUP_NOT_FOUND when the group is missing and creating it is not configured", async () => {
    cwl.on(PutLogEventsCommand).rejects(notFound());
    cwl.on(CreateLogStreamCommand).rejects(new ResourceNotFoundException({ message: "group", ...meta }));
    await expect(writer().putLogEvents(batch())).rejects.toMatchObject({ code: "FWD_LOG_GROUP_NOT_FOUND", retryable: false });
    expect(cwl.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
  });

  it("does not loop when the stream stays missing after creating it", async () => {
    cwl.on(PutLogEventsCommand).rejects(notFound());
    cwl.on(CreateLogStreamCommand).resolves({});
    await expect(writer().putLogEvents(batch())).rejects.toMatchObject({ code: "FWD_CLOUDWATCH_REQUEST_FAILED" });
    expect(cwl.commandCalls(PutLogEventsCommand)).toHaveLength(2);
  });

  it("retries throttling and 5xx with capped, jittered exponential backoff", async () => {
    cwl.on(PutLogEventsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(new ServiceUnavailableException({ message: "busy", ...meta }))
      .rejectsOnce(Object.assign(new Error("bad gateway"), { name: "BadGateway", $metadata: { httpStatusCode: 502 } }))
      .resolves({});
    const result = await writer({ maxRetries: 5, retryBaseDelayMs: 400, retryMaxDelayMs: 1000 }).putLogEvents(batch());
    expect(result.retries).toBe(3);
    expect(sleeps).toEqual([200, 400, 500]); // random 0.5 × min(1000, 400·2^n)
  });

  it("gives up after maxRetries with a retryable FWD_CLOUDWATCH_RETRIES_EXHAUSTED", async () => {
    cwl.on(PutLogEventsCommand).rejects(throttled());
    await expect(writer({ maxRetries: 2 }).putLogEvents(batch())).rejects.toMatchObject({
      code: "FWD_CLOUDWATCH_RETRIES_EXHAUSTED", retryable: true,
    });
    expect(cwl.commandCalls(PutLogEventsCommand)).toHaveLength(3);
  });

  it.each([
    ["access denied", () => new AccessDeniedException({ message: "no", ...meta })],
    ["invalid parameter", () => new InvalidParameterException({ message: "bad", ...meta })],
  ])("does not retry %s", async (_name, error) => {
    cwl.on(PutLogEventsCommand).rejects(error());
    await expect(writer().putLogEvents(batch())).rejects.toMatchObject({ code: "FWD_CLOUDWATCH_REQUEST_FAILED", retryable: false });
    expect(cwl.commandCalls(PutLogEventsCommand)).toHaveLength(1);
  });

  it("sends limit-sized batches: 10,000 events, and 1,048,576 bytes exactly", async () => {
    cwl.on(PutLogEventsCommand).resolves({});
    const byCount = new LogBatcher();
    const ready: LogEventBatch[] = [];
    for (let i = 0; i <= MAX_BATCH_EVENTS; i++) ready.push(...byCount.add("/g", "s", { timestamp: 1, message: "x" }, 1));
    expect(ready.map((b) => b.events.length)).toEqual([MAX_BATCH_EVENTS]);
    // 4 events of 262,118 message bytes + 26 = 1,048,576 bytes: exactly the limit, one call.
    const big = "y".repeat(MAX_MESSAGE_BYTES);
    const bySize = new LogBatcher();
    for (let i = 0; i < 4; i++) ready.push(...bySize.add("/g", "s", { timestamp: 2, message: big }, MAX_MESSAGE_BYTES));
    ready.push(...bySize.add("/g", "s", { timestamp: 3, message: "z" }, 1)); // the 5th would exceed it
    expect(ready[1]!.bytes).toBe(MAX_BATCH_BYTES);
    for (const b of ready) await writer().putLogEvents(b);
    const sent = cwl.commandCalls(PutLogEventsCommand).map((c) => c.args[0].input.logEvents!);
    expect(sent.map((e) => e.length)).toEqual([MAX_BATCH_EVENTS, 4]);
    expect(sent[1]!.reduce((n, e) => n + Buffer.byteLength(e.message!) + EVENT_OVERHEAD_BYTES, 0)).toBe(MAX_BATCH_BYTES);
  });
});
