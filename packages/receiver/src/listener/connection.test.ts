import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import type { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import fc from "fast-check";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ReceiverEvents } from "../events.js";
import { Registry } from "../metrics.js";
import { BatchingSink } from "../sinks/batching-sink.js";
import { firehoseSinkConfigSchema } from "../sinks/firehose/config.js";
import { FirehoseSink } from "../sinks/firehose/firehose-sink.js";
import type { Ack, Sink } from "../sinks/sink.js";
import { Connection } from "./connection.js";
import { FlowControl } from "./flow-control.js";

class FakeSocket extends EventEmitter {
  destroyed = false;
  setTimeout(): void {}
  pause(): void {}
  resume(): void {}
  end(): void {}
  destroy(): void {}
}

/** A local sink: the connection writes RFC 5424 lines straight into its buffer. */
class MemoryBatchingSink extends BatchingSink {
  readonly name = "memory";
  stored: Buffer[] = [];
  /** Lines that came as strings (the general path). */
  lineWrites = 0;
  override write(line: string, ack?: Ack): boolean {
    this.lineWrites++;
    return super.write(line, ack);
  }
  protected async store(chunks: Buffer[]): Promise<void> {
    this.stored.push(Buffer.concat(chunks));
  }
  protected failed(): void {}
  protected async release(): Promise<void> {}
}

/** A sink that only has write(line): every frame takes the general path. */
class LineSink extends EventEmitter implements Sink {
  readonly name = "lines";
  readonly pendingBytes = 0;
  lines: string[] = [];
  write(line: string, ack?: Ack): boolean {
    this.lines.push(line);
    ack?.(null);
    return true;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

function feed(sink: Sink, chunks: Buffer[]): ReceiverEvents {
  const events = new ReceiverEvents(pino({ level: "silent" }), new Registry());
  const socket = new FakeSocket();
  const deps = { sink, events, flow: new FlowControl(sink, events), parseOptions: { defaultTimeZone: "UTC" }, maxFrameBytes: 480, oversizePolicy: "truncate" as const, idleTimeoutMs: 0 };
  const identity = { listener: "tls", sourceIp: "192.0.2.7", sourcePort: 6514, tlsPeer: "aws-syslog" };
  new Connection(socket as unknown as Socket, identity, { listener: "tls", remoteAddress: "192.0.2.7", remotePort: 6514 }, deps, () => {});
  for (const chunk of chunks) socket.emit("data", chunk);
  socket.emit("end");
  return events;
}

const octets = (text: string): Buffer => {
  const body = Buffer.from(text);
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
};

describe("Connection", () => {
  it("writes the same lines through a local sink's buffer as through write(line)", async () => {
    const frames = [
      "<38>1 2026-11-23T12:00:00+00:00 host prg00001 4242 - - \ufeffseq: 1 plain ASCII\n", // fast path
      "<13>1 - h a p m - no BOM", // fast path
      '<13>1 - h a p m [x a="b"] with SD', // general path
      "<13>1 - h a p m - caf\u00e9", // general path (non-ASCII)
      "<13>Nov 23 10:00:00 host tag: RFC 3164", // general path
      `<13>1 - h a p m - ${"x".repeat(600)}`, // truncated at 480 bytes: general path
    ];
    const stream = Buffer.concat(frames.map(octets));
    // Frames split across chunks too, so some come from the framer's spill buffer.
    const chunks = [stream.subarray(0, 50), stream.subarray(50, 51), stream.subarray(51, 300), stream.subarray(300)];

    const local = new MemoryBatchingSink({ budgetBytes: 1 << 20, batchBytes: 1 << 20, lingerMs: 0 });
    const localEvents = feed(local, chunks);
    await local.close();
    const lineSink = new LineSink();
    feed(lineSink, chunks);

    const written = Buffer.concat(local.stored).toString("utf8").split("\n").slice(0, -1);
    const reference = lineSink.lines.map((l) => l.slice(0, -1));
    expect(reference).toHaveLength(frames.length);
    // received_at differs only if the two runs straddle a millisecond.
    const withoutTime = (l: string) => l.replace(/"received_at":"[^"]*"/, "");
    expect(written.map(withoutTime)).toEqual(reference.map(withoutTime));
    expect(written.every((l) => /"received_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/.test(l))).toBe(true);
    expect(JSON.parse(written[5]!).truncated).toBe(true);
    expect(local.lineWrites).toBe(4); // the first two frames took the fast path
    const counted = (name: string) => localEvents.metrics.renderPrometheus().split("\n").filter((l) => l.startsWith(name));
    expect(counted("receiver_records_total")).toEqual(expect.arrayContaining(['receiver_records_total{format="rfc5424"} 5', 'receiver_records_total{format="rfc3164"} 1']));
    expect(counted("receiver_frames_total")).toEqual(['receiver_frames_total{listener="tls"} 6']);
  });
});

/** A Firehose sink over a client that accepts everything; `records` are the payloads it got. */
function firehose(recordMaxBytes: number) {
  const records: string[] = [];
  const client = {
    send: async (cmd: PutRecordBatchCommand) => {
      for (const r of cmd.input.Records!) records.push(gunzipSync(r.Data!).toString("utf8"));
      return { FailedPutCount: 0, RequestResponses: cmd.input.Records!.map(() => ({ RecordId: "r" })), $metadata: {} };
    },
    destroy: () => {},
  } as unknown as FirehoseClient;
  const config = firehoseSinkConfigSchema.parse({ streams: "s", lingerMs: 60_000, recordMaxBytes });
  const sink = new FirehoseSink(config, { client, logger: pino({ level: "silent" }), metrics: new Registry() });
  return { sink, records };
}

/** Only Sink#write of `inner`: hides the ByteSink capability, so the connection takes the
 * general path for every frame. */
class StringsOnly extends EventEmitter implements Sink {
  readonly name = "strings-only";
  constructor(private readonly inner: Sink) {
    super();
  }
  get pendingBytes(): number {
    return this.inner.pendingBytes;
  }
  write(line: string, ack?: Ack): boolean {
    return this.inner.write(line, ack);
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const ascii = fc.string({ unit: fc.constantFrom(..."abcXYZ019 .:_/=+()[]-<>@!#$%&'*,;?^`|~"), maxLength: 300 });
const frameText = fc.oneof(
  { arbitrary: fc.tuple(fc.integer({ min: 0, max: 191 }), fc.constantFrom("-", "2026-11-23T12:00:00.5+09:00"), fc.constantFrom("host", "h2", "-"), ascii).map(([pri, ts, host, m]) => `<${pri}>1 ${ts} ${host} app 42 - - ${m}`), weight: 6 },
  fc.constantFrom('<13>1 - h a p m [x a="b"] with SD', "<13>1 - h a p m - caf\u00e9", "<13>Nov 23 10:00:00 host tag: RFC 3164", '<13>1 - h a p m - {"json":true}', "garbage \\ \"x\""),
  ascii.map((m) => `<13>1 - h a p m - ${m}${"y".repeat(400)}`), // often over maxFrameBytes: truncated
);

afterEach(() => vi.useRealTimers());

describe("Connection with the Firehose sink", () => {
  it("sends byte-identical Firehose records through the byte path as through write(line), for any frames and splits", async () => {
    vi.useFakeTimers({ toFake: ["Date"] }); // one received_at for both runs
    vi.setSystemTime(Date.parse("2026-11-23T12:34:56.789Z"));
    await fc.assert(
      fc.asyncProperty(
        fc.array(frameText, { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom(1024, 2048, 8192),
        async (frames, cuts, recordMaxBytes) => {
          const stream = Buffer.concat(frames.map(octets));
          const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
          const chunks = [0, ...points].map((p, i, all) => stream.subarray(p, all[i + 1] ?? stream.length)).filter((c) => c.length > 0);

          const bytePath = firehose(recordMaxBytes);
          const lineWrites = vi.spyOn(bytePath.sink, "write");
          feed(bytePath.sink, chunks);
          await bytePath.sink.close();
          const general = firehose(recordMaxBytes);
          feed(new StringsOnly(general.sink), chunks);
          await general.sink.close();

          expect(bytePath.records).toEqual(general.records);
          expect(bytePath.records.join("").split("\n")).toHaveLength(frames.length + 1);
          // The plain RFC 5424 frames (not truncated) took the byte path.
          expect(lineWrites.mock.calls.length).toBeLessThan(frames.length + 1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("takes the byte path for plain RFC 5424 frames", async () => {
    const { sink, records } = firehose(65_536);
    const lineWrites = vi.spyOn(sink, "write");
    feed(sink, [octets("<13>1 - h a p m - one"), octets("<13>1 - h a p m - two"), octets("<13>1 - h a p m - caf\u00e9")]);
    await sink.close();
    expect(lineWrites).toHaveBeenCalledTimes(1); // only the non-ASCII one
    expect(records).toHaveLength(1);
    expect(records[0]!.split("\n").slice(0, -1).map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(["one", "two", "caf\u00e9"]);
  });
});
