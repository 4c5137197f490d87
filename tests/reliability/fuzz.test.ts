import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { safeParseRecord, serializeRecord, syslogRecordSchema } from "../../packages/record/src/index.js";
import { Framer, type FramingEvent } from "../../packages/receiver/src/framing/framer.js";
import { PROXY_HEADER_MAX_BYTES, parseProxyHeader, type ProxyParseResult } from "../../packages/receiver/src/listener/proxy-protocol.js";
import type { FrameContext } from "../../packages/receiver/src/parse/context.js";
import { parseFrame } from "../../packages/receiver/src/parse/parse-frame.js";
import { Rng, SYSLOG_LINES, fuzzInput, proxySamples, randomChunks, streamSamples } from "../support/fuzz-inputs.js";
import { frameContext } from "../../packages/receiver/src/parse/testing/frame-context.js";

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

const ctx: FrameContext = frameContext();
const ZONES = ["UTC", "+09:00", "Asia/Tokyo", "America/New_York"];

/** One generated case: its input (for the report) and the check to run on it. */
interface Case {
  input: Buffer;
  run: () => void;
}

/**
 * Runs `count` cases from `make`, timing each check. A check over MAX_INPUT_MS runs once more
 * and keeps the faster time, so a stall of the shared machine (another process, a GC) is not
 * taken for a slow input; an input slow both times fails the test and is printed.
 */
function fuzz(name: string, seed: number, count: number, make: (rng: Rng) => Case): { slowestMs: number } {
  const rng = new Rng(seed);
  let slowestMs = 0;
  let slowest: Buffer = Buffer.alloc(0);
  let slowestIndex = -1;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const c = make(rng);
    const timed = () => {
      const t0 = performance.now();
      try {
        c.run();
      } catch (err) {
        throw new Error(`${name}: input #${i} (FUZZ_SEED=${seed}): ${(err as Error).message}`, { cause: err });
      }
      return performance.now() - t0;
    };
    let ms = timed();
    if (ms > MAX_INPUT_MS) ms = Math.min(ms, timed());
    if (ms > slowestMs) [slowestMs, slowest, slowestIndex] = [ms, c.input, i];
  }
  const s = (performance.now() - started) / 1000;
  console.log(`fuzz ${name}: ${count} inputs in ${s.toFixed(1)} s (${Math.round(count / s)}/s), slowest input #${slowestIndex} ${slowestMs.toFixed(2)} ms (${slowest.length} bytes), seed ${seed}`);
  if (slowestMs > MAX_INPUT_MS) console.log(`fuzz ${name}: slowest input ${JSON.stringify(slowest.toString("latin1"))}`);
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
      const chunks = randomChunks(rng, input);
      return { input, run: () => checkSplitInvariance(input, chunks, max, policy) };
    });
    expect(slowestMs).toBeLessThan(MAX_INPUT_MS);
  });

  it("PROXY header parser: never throws; answers are final, consistent with prefixes, and never ask for more than PROXY_HEADER_MAX_BYTES", () => {
    const { slowestMs } = fuzz("proxy-protocol", SEED + 1, INPUTS, (rng) => {
      const input = fuzzInput(rng, headers, 300);
      const cutAt = rng.next();
      const extra = rng.bytes(1 + rng.int(64));
      return { input, run: () => checkProxyAnswer(input, cutAt, extra) };
    });
    expect(slowestMs).toBeLessThan(MAX_INPUT_MS);
  });

  it("syslog parser: never throws, every record valid per syslogRecordSchema, unparsed input kept in raw", () => {
    const { slowestMs } = fuzz("parse-frame", SEED + 2, INPUTS, (rng) => {
      const input = fuzzInput(rng, lines, 1024);
      const zone = rng.pick(ZONES);
      const truncated = rng.int(16) === 0;
      return { input, run: () => checkRecord(input, zone, truncated) };
    });
    expect(slowestMs).toBeLessThan(MAX_INPUT_MS);
  });

  it("framer → parser → NDJSON, chained as a connection chains them", () => {
    const { slowestMs } = fuzz("connection-pipeline", SEED + 3, Math.ceil(INPUTS / 5), (rng) => {
      const input = fuzzInput(rng, streams, 4096);
      const chunks = randomChunks(rng, input);
      return { input, run: () => {
        const framer = new Framer({ maxFrameBytes: 480, oversize: "truncate" }, {
          frame: (frame, truncated) => checkRecord(Buffer.from(frame), "UTC", truncated),
          event: () => undefined,
        });
        for (const chunk of chunks) framer.push(chunk);
        framer.end();
      } };
    });
    expect(slowestMs).toBeLessThan(MAX_INPUT_MS);
  });
});

function checkSplitInvariance(input: Buffer, chunks: readonly Buffer[], max: number, policy: "truncate" | "drop"): void {
  const whole = runFramer(max, policy, [input]);
  const split = runFramer(max, policy, chunks);
  if (whole.frames.length !== split.frames.length || whole.frames.some((f, i) => f !== split.frames[i])) {
    throw new Error(`frames differ when split (max ${max}, ${policy}) for ${JSON.stringify(input.toString("latin1"))}:\nwhole ${JSON.stringify(whole.frames)}\nsplit ${JSON.stringify(split.frames)}`);
  }
}

/** `cutAt` in [0, 1) picks a prefix of an ok header; `extra` extends a final answer. */
function checkProxyAnswer(input: Buffer, cutAt: number, extra: Buffer): void {
  const result: ProxyParseResult = parseProxyHeader(input);
  const show = () => JSON.stringify(input.toString("latin1"));
  if (result.status === "incomplete" && input.length >= PROXY_HEADER_MAX_BYTES) throw new Error(`incomplete after ${input.length} bytes: ${show()}`);
  if (result.status === "ok") {
    if (result.consumed > input.length || result.consumed > PROXY_HEADER_MAX_BYTES) throw new Error(`consumed ${result.consumed} of ${input.length}: ${show()}`);
    expect(parseProxyHeader(input.subarray(0, result.consumed))).toEqual(result);
    const cut = Math.floor(cutAt * result.consumed);
    const prefix = parseProxyHeader(input.subarray(0, cut));
    if (prefix.status !== "incomplete") throw new Error(`prefix of ${cut} bytes of an ok header gave ${prefix.status}: ${show()}`);
  } else if (result.status !== "incomplete") {
    // absent and invalid are final: more bytes must not change the answer.
    expect(parseProxyHeader(Buffer.concat([input, extra])).status, show()).toBe(result.status);
  }
}
