import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ReceiverEvents } from "../events.js";
import { Registry } from "../metrics.js";
import { BatchingSink } from "../sinks/batching-sink.js";
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

/** A sink that only has write(line) (like Firehose): every frame takes the general path. */
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
