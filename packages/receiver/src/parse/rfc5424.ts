import type { SyslogRecord } from "@aws-syslog/record";
import { buildRecord, messageJson } from "./build-record.js";
import type { FrameContext } from "./context.js";
import { readPri } from "./pri.js";
import { RFC5424_MAX_SECFRAC_DIGITS, rfc3339TimestampEnd } from "./rfc3339-timestamp.js";
import { parseStructuredData, sdResult } from "./structured-data.js";

/**
 * RFC 5424 §6, strictly: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [SP MSG]`.
 * https://www.rfc-editor.org/rfc/rfc5424#section-6
 *
 * Hot path (every OneGate and rsyslog-forwarded message): it reads the frame's text (decoded
 * once by the caller; every Buffer-to-string call costs a C++ round trip and an allocation,
 * ~180 ns even for 9 bytes on the 2-core dev box, more than the whole header parse) with
 * charCodeAt, and every field is a slice of that text. No regular expression, no Date: the
 * timestamp is validated digit by digit and kept as sent. A non-ASCII byte in the header
 * decodes to a char above 0x7e and fails the PRINTUSASCII checks, as it should.
 */

/** RFC 5424 §6 (ABNF): header field length limits, PRINTUSASCII (%d33-126) only. */
export const HOSTNAME_MAX = 255;
export const APP_NAME_MAX = 48;
export const PROCID_MAX = 128;
export const MSGID_MAX = 32;

const SP = 0x20;
const NIL = 0x2d; // "-"

/** Index of the SP ending a 1..max PRINTUSASCII field at p, or -1. */
function fieldEnd(s: string, p: number, max: number): number {
  const limit = p + max;
  let i = p;
  for (let c = s.charCodeAt(i); c !== SP; c = s.charCodeAt(++i)) {
    if (!(c >= 0x21 && c <= 0x7e) || i >= limit) return -1; // also NaN: the frame ended
  }
  return i === p ? -1 : i;
}

/** The field between p and e, or null for the NILVALUE "-". */
function fieldValue(s: string, p: number, e: number): string | null {
  return e - p === 1 && s.charCodeAt(p) === NIL ? null : s.slice(p, e);
}

/**
 * Parses `s`, the frame's text without its trailing CR/LF. Returns null when the header is
 * not valid RFC 5424, so the caller can try RFC 3164.
 */
export function parseRfc5424(s: string, ctx: FrameContext): SyslogRecord | null {
  const end = s.length;
  const pri = readPri(s, true);
  if (pri < 0) return null;
  let p = pri >> 8;
  // VERSION: only "1" is defined (§6.2.2, §9.1).
  if (s.charCodeAt(p) !== 0x31 || s.charCodeAt(p + 1) !== SP) return null;
  p += 2;

  let timestamp: string | null = null;
  if (s.charCodeAt(p) === NIL && s.charCodeAt(p + 1) === SP) p += 2;
  else {
    const e = rfc3339TimestampEnd(s, p, RFC5424_MAX_SECFRAC_DIGITS);
    if (e < 0 || s.charCodeAt(e) !== SP) return null;
    timestamp = s.slice(p, e);
    p = e + 1;
  }

  let e = fieldEnd(s, p, HOSTNAME_MAX);
  if (e < 0) return null;
  const hostname = fieldValue(s, p, e);
  p = e + 1;
  e = fieldEnd(s, p, APP_NAME_MAX);
  if (e < 0) return null;
  const appName = fieldValue(s, p, e);
  p = e + 1;
  e = fieldEnd(s, p, PROCID_MAX);
  if (e < 0) return null;
  const procId = fieldValue(s, p, e);
  p = e + 1;
  e = fieldEnd(s, p, MSGID_MAX);
  if (e < 0) return null;
  const msgId = fieldValue(s, p, e);
  p = e + 1;

  let structuredData = null;
  if (s.charCodeAt(p) === NIL) p++;
  else {
    if (!parseStructuredData(s, p)) return null;
    structuredData = sdResult.data;
    sdResult.data = null; // do not keep the last frame's data alive
    p = sdResult.end;
  }

  let message = "";
  if (p < end) {
    if (s.charCodeAt(p) !== SP) return null; // e.g. "-x" or "[a]x": not the end of SD
    p++;
    // §6.4: MSG-UTF8 starts with a BOM (EF BB BF, decoded as U+FEFF), not part of the text.
    if (s.charCodeAt(p) === 0xfeff) p++;
    if (p < end) message = s.slice(p, end);
  }
  return buildRecord(ctx, "rfc5424", pri & 0xff, timestamp, hostname, appName, procId, msgId, structuredData, message, messageJson(message), null);
}
