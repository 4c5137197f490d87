import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { safeParseRecord, serializeRecord, syslogRecordSchema } from "../../packages/record/src/index.js";
import { Framer, type FramingEvent } from "../../packages/receiver/src/framing/framer.js";
import { PROXY_HEADER_MAX_BYTES, parseProxyHeader, type ProxyParseResult } from "../../packages/receiver/src/listener/proxy-protocol.js";
import type { FrameContext } from "../../packages/receiver/src/parse/context.js";
import { parseFrame } from "../../packages/receiver/src/parse/parse-frame.js";
import { Rng, SYSLOG_LINES, fuzzInput, proxySamples, randomChunks, streamSamples } from "../support/fuzz-inputs.js";

/**
 * In-process fuzzing of the three parsers a sender's bytes reach: the framer, the PROXY
 * protocol header parser and the syslog parser (and the three chained as a connection chains
 * them). Seeded, so a failure names the seed and input index that reproduce it.
 *
 * FUZZ_INPUTS inputs per target (default 25,000 here: a share of the 1,000,000 per target that
 * bench/soak/fuzz.sh runs), FUZZ_SEED the seed. A parser that loops forever would hang the
 * test until vitest's timeout; one that is merely pathological (backtracking, quadratic
 * rescans) is caught by MAX_INPUT_MS, a bound on each single input far above the microseconds
 * a normal input takes, so it is a hang guard, not a speed assertion.
 */
const INPUTS = Number(process.env.FUZZ_INPUTS ?? 25_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const MAX_INPUT_MS = 500;

const ctx: FrameContext = {
  receivedAt: "2026-11-23T10:00:00.123Z",
  receivedAtMs: Date.parse("2026-11-23T10:00:00.123Z"),
  sourceIp: "192.0.2.10",
  sourcePort: 51514,
  tlsPeer: null,
  listener: "tls",
  truncated: false,
};
const ZONES = ["UTC", "+09:00", "Asia/Tokyo", "America/New_York"];

/** Runs `check` on `count` inputs, timing each; returns the slowest time and throughput. */
function fuzz(name: string, seed: number, count: number, check: (rng: Rng, i: number) => void): { slowestMs: number } {
  const rng = new Rng(seed);
  let slowestMs = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    try {
      check(rng, i);
    } catch (err) {
      throw new Error(`${name}: input #${i} (FUZZ_SEED=${seed}): ${(err as Error).message}`, { cause: err });
    }
    const ms = performance.now() - t0;
    if (ms > slowestMs) slowestMs = ms;
  }
  const s = (performance.now() - started) / 1000;
  console.log(`fuzz ${name}: ${count} inputs in ${s.toFixed(1)} s (${Math.round(count / s)}/s), slowest input ${slowestMs.toFixed(2)} ms, seed ${seed}`);
  return { slowestMs };
}

interface Emitted {
  frames: string[];
  events: FramingEvent[];
}

function runFramer(max: number, oversize: "truncate" | "drop", chunks: readonly Buffer[]): Emitted {
  const out: Emitted = { frames: [], events: [] };
  const framer = new Framer({ maxFrameBytes: max, oversize }, {
    frame(frame, truncated) {
      if (frame.length > max) throw new Error(`frame of ${frame.length} bytes over maxFrameBytes ${max}`);
      out.frames.push(`${truncated ? "T" : "-"}${frame.toString("latin1")}`);
    },
    event(e) {
      out.events.push(e);
    },
  });
  for (const chunk of chunks) {
    // The caller may reuse chunk memory after push() returns: scribble over a copy to prove
    // no frame emitted later still points into it.
    const copy = Buffer.from(chunk);
    framer.push(copy);
    copy.fill(0x58);
    if (framer.bufferedBytes > max + 1) throw new Error(`framer holds ${framer.bufferedBytes} bytes, over maxFrameBytes + 1`);
  }
  framer.end();
  if (framer.bufferedBytes !== 0) throw new Error(`framer holds ${framer.bufferedBytes} bytes after end()`);
  return out;
}

/** A record must be valid, keep unparsed input in raw, and survive the NDJSON round trip. */
function checkRecord(frame: Buffer, zone: string, truncated: boolean): void {
  const record = parseFrame(frame, { ...ctx, truncated }, { defaultTimeZone: zone });
  const valid = syslogRecordSchema.safeParse(record);
  if (!valid.success) throw new Error(`invalid record for ${JSON.stringify(frame.toString("latin1"))}: ${valid.error.message}`);
  if (record.format === "unparsed") {
    if (record.raw !== frame.toString("utf8")) throw new Error(`unparsed record lost input: raw ${JSON.stringify(record.raw)}`);
  } else if (record.raw !== null) throw new Error(`${record.format} record with raw set`);
  const line = serializeRecord(record);
  if (line.indexOf("\n") !== line.length - 1) throw new Error("serialised record is not one line");
  const back = safeParseRecord(line);
  if (!back.success) throw new Error(`serialised record does not parse back: ${back.error}`);
  expect(back.record).toEqual(record);
}

describe("fuzzing the receiver's parsers", () => {
  const streams = streamSamples();
  const lines = SYSLOG_LINES.map((l) => Buffer.from(l, "utf8"));
  const headers = proxySamples();

  it("framer: never throws, frames and buffers within maxFrameBytes, same frames however the stream is split", () => {
    const { slowestMs } = fuzz("framer", SEED, INPUTS, (rng) => {
      const input = fuzzInput(rng, streams, 4096);
      const max = rng.pick([480, 512, 1024, 65536]);
      const policy = rng.int(2) ? "truncate" : "drop";
      const whole = runFramer(max, policy, [input]);
      const split = runFramer(max, policy, randomChunks(rng, input));
      if (whole.frames.length !== split.frames.length || whole.frames.some((f, i) => f !== split.frames[i])) {
        throw new Error(`frames differ when split (max ${max}, ${policy}) for ${JSON.stringify(input.toString("latin1"))}:\nwhole ${JSON.stringify(whole.frames)}\nsplit ${JSON.stringify(split.frames)}`);
      }
    });
    expect(slowestMs).toBeLessThan(MAX_INPUT_MS);
  });

  it("PROXY header parser: never throws; answers are final, consistent with prefixes, and never ask for more than PROXY_HEADER_MAX_BYTES", () => {
    const { slowestMs } = fuzz("proxy-protocol", SEED + 1, INPUTS, (rng) => {
      const input = fuzzInput(rng, headers, 300);
      const result = parseProxyHeader(input);
      const show = () => JSON.stringify(input.toString("latin1"));
      if (result.status === "incomplete" && input.length >= PROXY_HEADER_MAX_BYTES) throw new Error(`incomplete after ${input.length} bytes: ${show()}`);
      if (result.status === "ok") {
        if (result.consumed > input.length || result.consumed > PROXY_HEADER_MAX_BYTES) throw new Error(`consumed ${result.consumed} of ${input.length}: ${show()}`);
        expect(parseProxyHeader(input.subarray(0, result.consumed))).toEqual(result);
        const cut = rng.int(result.consumed);
        const prefix = parseProxyHeader(input.subarray(0, cut));
        if (prefix.status !== "incomplete") {
          throw new Error(`prefix of ${cut} bytes of an ok header gave ${prefix.status}: ${show()}`);
        }
      } else if (result.status !== "incomplete") {
        // absent and invalid are final: more bytes must not change the answer.
        const more = parseProxyHeader(Buffer.concat([input, rng.bytes(1 + rng.int(64))]));
        expect(statusOf(more), show()).toBe(statusOf(result));
      }
    });
    expect(slowestMs).toBeLessThan(MAX_INPUT_MS);
  });

  it("syslog parser: never throws, every record valid per syslogRecordSchema, unparsed input kept in raw", () => {
    const { slowestMs } = fuzz("parse-frame", SEED + 2, INPUTS, (rng) => {
      checkRecord(fuzzInput(rng, lines, 1024), rng.pick(ZONES), rng.int(16) === 0);
    });
    expect(slowestMs).toBeLessThan(MAX_INPUT_MS);
  });

  it("framer → parser → NDJSON, chained as a connection chains them", () => {
    const { slowestMs } = fuzz("connection-pipeline", SEED + 3, Math.ceil(INPUTS / 5), (rng) => {
      const input = fuzzInput(rng, streams, 4096);
      const framer = new Framer({ maxFrameBytes: 480, oversize: "truncate" }, {
        frame: (frame, truncated) => checkRecord(Buffer.from(frame), "UTC", truncated),
        event: () => undefined,
      });
      for (const chunk of randomChunks(rng, input)) framer.push(chunk);
      framer.end();
    });
    expect(slowestMs).toBeLessThan(MAX_INPUT_MS);
  });
});

function statusOf(r: ProxyParseResult): string {
  return r.status;
}
