import type { SyslogRecord } from "@aws-syslog/record";
import { buildRecord } from "./build-record.js";
import type { FrameContext, ParseOptions } from "./context.js";
import { DEFAULT_PRIVAL, readPri } from "./pri.js";
import { parseRfc3164 } from "./rfc3164.js";
import { parseRfc5424 } from "./rfc5424.js";

/**
 * Turns one frame into one schema-v1 record: RFC 5424 when its header is valid, else RFC 3164
 * read leniently, else `unparsed` with the whole frame in `raw`. Never throws: bad input is
 * a record, not an exception.
 *
 * The frame is decoded to text exactly once (UTF-8, invalid bytes become U+FFFD): each
 * Buffer-to-string call is a C++ round trip costing more than the whole RFC 5424 header
 * parse, so the parsers work on that one string with charCodeAt and slices.
 */
export function parseFrame(frame: Buffer, ctx: FrameContext, options: ParseOptions): SyslogRecord {
  // 0xEF starts a UTF-8 BOM; memchr on the bytes is cheaper than decoding first.
  const bomAt = frame.indexOf(0xef);
  if (bomAt !== -1) {
    const record = parseWithoutBom(frame, bomAt, ctx);
    if (record) return record;
  }
  const text = frame.toString("utf8");
  // A trailing LF/CR is framing, not message (rsyslog's parser.dropTrailingLFOnReception);
  // octet-counted senders sometimes include it.
  let end = text.length;
  for (let c = text.charCodeAt(end - 1); c === 0x0a || c === 0x0d; c = text.charCodeAt(--end - 1));
  const body = end === text.length ? text : text.slice(0, end);
  try {
    return parseRfc5424(body, ctx) ?? parseRfc3164(body, ctx, options) ?? unparsedRecord(text, ctx);
  } catch {
    // Unreachable unless a parser has a bug; the frame is still kept whole rather than
    // letting one message take down the connection.
    return unparsedRecord(text, ctx);
  }
}

/** A frame that is not syslog: kept whole in `message` and `raw`, with its PRI if valid. */
export function unparsedRecord(text: string, ctx: FrameContext): SyslogRecord {
  const pri = readPri(text, false);
  const prival = pri < 0 ? DEFAULT_PRIVAL : pri & 0xff;
  return buildRecord(ctx, "unparsed", prival, null, null, null, null, null, null, text, null, text);
}

const BOM_BYTES = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * RFC 5424 §6.4 starts MSG with a UTF-8 BOM, which rsyslog and many senders send. U+FEFF makes
 * V8 decode the whole frame as a two-byte string, and every later step (header parse, JSON
 * escaping, UTF-8 encoding of the record) then costs about twice as much; measured 0.96–1.6 µs
 * against 0.5–0.6 µs for the header parse of a 300-byte line. So a BOM where RFC 5424 puts it
 * (after the STRUCTURED-DATA and its SP) is cut out of the bytes, which decode to one-byte
 * strings when the rest is ASCII. Anything else (a BOM elsewhere, a frame that is not RFC 5424
 * then) is parsed from the original text, so nothing changes for those.
 */
function parseWithoutBom(frame: Buffer, from: number, ctx: FrameContext): SyslogRecord | null {
  const at = frame.indexOf(BOM_BYTES, from);
  if (at < 2 || frame[at - 1] !== 0x20 || (frame[at - 2] !== 0x2d /* - */ && frame[at - 2] !== 0x5d /* ] */)) return null;
  let end = frame.length;
  while (end > at + 3 && (frame[end - 1] === 0x0a || frame[end - 1] === 0x0d)) end--;
  const body = frame.toString("utf8", 0, at) + frame.toString("utf8", at + 3, end);
  try {
    return parseRfc5424(body, ctx);
  } catch {
    return null;
  }
}
