import type { Ack, Sink } from "./sink.js";

/**
 * A sink that takes lines as bytes written straight into its own buffer, besides write(line):
 * the connection's RFC 5424 fast path (Rfc5424LineWriter) encodes a record from the frame's
 * bytes into the buffer `reserve` returns, so no string is built, escaped or re-encoded.
 *
 * `reserve(n)` returns a buffer with at least n bytes free from `reservedAt`; `commit(bytes,
 * ack?)` then takes the `bytes` written there as one line (its LF included), with write()'s
 * return value and ack semantics. Nothing is taken without commit, so a caller may write and
 * then give up (and call write(line) instead). Between reserve and commit nothing else may
 * write to the sink; both happen in one synchronous step of the caller.
 *
 * The local sinks (BatchingSink) and the Firehose sink implement it; callers check for the
 * capability with isByteSink, not for a class.
 */
export interface ByteSink extends Sink {
  reserve(maxBytes: number): Buffer;
  readonly reservedAt: number;
  commit(bytes: number, ack?: Ack): boolean;
}

export function isByteSink(sink: Sink): sink is ByteSink {
  const s = sink as Partial<ByteSink>;
  return typeof s.reserve === "function" && typeof s.commit === "function";
}
