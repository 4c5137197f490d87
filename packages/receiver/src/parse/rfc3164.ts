import type { SyslogRecord } from "@aws-syslog/record";
import { bsdTimestamp, scanBsdTimestamp, type ScannedBsdTimestamp } from "./bsd-timestamp.js";
import { buildRecord, messageJson } from "./build-record.js";
import type { FrameContext, ParseOptions } from "./context.js";
import { DEFAULT_PRIVAL, readPri } from "./pri.js";
import { rfc3339TimestampEnd } from "./rfc3339-timestamp.js";
import { resolveTimeZone, type TimeZone } from "./time-zone.js";

/**
 * RFC 3164 ("BSD syslog"), leniently, the way rsyslog's pmrfc3164 reads it:
 * `[<PRI>][TIMESTAMP SP [HOSTNAME SP]]TAG[[pid]]: MSG`.
 * https://www.rfc-editor.org/rfc/rfc3164#section-4.1
 * https://github.com/rsyslog/rsyslog/blob/main/tools/pmrfc3164.c
 *
 * Accepted beyond the RFC, as real senders need: an RFC 3339 timestamp instead of the BSD
 * one; a space before the timestamp (HP ProCurve); Cisco IOS sequence numbers ("123: "),
 * '*' / '.' before the time (clock not / no longer synchronised), milliseconds and a
 * "UTC:" zone; Cisco ASA's year ("Jan 12 2026 10:11:12:") and "host : %ASA-..." layout; no
 * timestamp at all ("%ASA-6-302013: ..."); no PRI (user.notice, rsyslog's default).
 * Differences from rsyslog, on purpose: a hostname is only looked for after a timestamp
 * (without one, the first word is far more often a TAG than a host); a TAG needs ": " when
 * there is no timestamp (else the line is kept whole as MSG, e.g. Fortinet "key=value");
 * '/' stays in app_name ("postfix/smtpd"); the SP after "TAG:" is not part of MSG.
 */

/** rsyslog's CONF_TAG_MAXSIZE: RFC 3164's 32 characters are exceeded by real senders. */
export const TAG_MAX = 512;

const SP = 0x20;
const COLON = 0x3a;

// Rare variants may use regular expressions (sticky, so no slicing); RFC 5424 does not.
/** Cisco IOS "service sequence-numbers". */
const CISCO_SEQUENCE = /\d{1,10}: /y;
/** Control characters (but TAB, LF, CR) or undecodable bytes: binary, not a log line. */
const BINARY = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/;

const UTC: TimeZone = { offsetAt: () => 0 };

/** Timestamp found by the last matchTimestamp call (null if it named no real time). */
let matchedTimestamp: string | null = null;
const scanned: ScannedBsdTimestamp = { month: 0, day: 0, year: null, hour: 0, minute: 0, second: 0, fraction: "", utc: false };

/** Index after a timestamp at p, or -1. Sets matchedTimestamp. */
function matchTimestamp(s: string, p: number, ctx: FrameContext, zone: TimeZone | null): number {
  const c = s.charCodeAt(p);
  if (c >= 0x30 && c <= 0x39) {
    // rsyslog tries RFC 3339 first; it keeps up to 6 fraction digits, we accept 9 as sent.
    const e = rfc3339TimestampEnd(s, p, 9);
    if (e > 0) matchedTimestamp = s.slice(p, e);
    return e;
  }
  const e = scanBsdTimestamp(s, c === 0x2a /* * */ || c === 0x2e /* . */ ? p + 1 : p, scanned);
  // A zone name is only trusted when unambiguous; "JST" or "EST" mean the device's
  // configured zone, which the operator sets as the default.
  if (e > 0) matchedTimestamp = bsdTimestamp(scanned, scanned.utc ? UTC : zone, ctx.receivedAtMs);
  return e;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Index after a HOSTNAME at p (followed by SP or the end), or -1. rsyslog's rule (letters,
 * digits, '.', '_', '-', ending in a letter or digit) plus IPv6 literals. */
function hostnameEnd(s: string, p: number): number {
  let i = p;
  for (let c = s.charCodeAt(i); isAlnum(c) || c === 0x2e || c === 0x5f || c === 0x2d; c = s.charCodeAt(++i));
  if (i > p && isAlnum(s.charCodeAt(i - 1)) && (i === s.length || s.charCodeAt(i) === SP)) return i;
  let colons = 0;
  i = p;
  for (let c = s.charCodeAt(i); isHex(c) || c === COLON || c === 0x2e; c = s.charCodeAt(++i)) if (c === COLON) colons++;
  return colons >= 2 && (i === s.length || s.charCodeAt(i) === SP) ? i : -1;
}

/** Parses `s` (the frame's text without trailing CR/LF), or returns null when it does not
 * look like a syslog line at all, so the caller keeps it as unparsed. */
export function parseRfc3164(s: string, ctx: FrameContext, options: ParseOptions): SyslogRecord | null {
  const end = s.length;
  let p = 0;
  let prival = DEFAULT_PRIVAL;
  const hasPri = s.charCodeAt(0) === 0x3c; /* < */
  if (hasPri) {
    const pri = readPri(s, false);
    if (pri < 0) return null; // "<" that is not a PRI (e.g. PRI > 191): not syslog
    prival = pri & 0xff;
    p = pri >> 8;
  }
  const zone = resolveTimeZone(options.defaultTimeZone);

  CISCO_SEQUENCE.lastIndex = p;
  const first = s.charCodeAt(p);
  if (first >= 0x30 && first <= 0x39 && CISCO_SEQUENCE.test(s)) {
    // Only a sequence number when a timestamp or a %MNEMONIC follows it.
    const q = CISCO_SEQUENCE.lastIndex;
    if (s.charCodeAt(q) === 0x25 /* % */ || matchTimestamp(s, q, ctx, zone) > 0) p = q;
  }

  matchedTimestamp = null;
  let e = matchTimestamp(s, p, ctx, zone);
  if (e < 0 && s.charCodeAt(p) === SP) e = matchTimestamp(s, p + 1, ctx, zone);
  let hasTimestamp = false;
  let hostname: string | null = null;
  if (e > 0 && (e === end || s.charCodeAt(e) === SP || s.charCodeAt(e) === COLON)) {
    hasTimestamp = true;
    if (s.charCodeAt(e) === COLON) {
      // Cisco "00:01:02.345: %SYS-...": the colon ends the header; no hostname follows.
      p = s.charCodeAt(e + 1) === SP ? e + 2 : e + 1;
    } else {
      p = e === end ? e : e + 1;
      const h = hostnameEnd(s, p);
      if (h > 0) {
        hostname = s.slice(p, h);
        p = h === end ? h : h + 1;
        // Cisco ASA with "logging device-id": "asa01 : %ASA-6-...".
        if (s.charCodeAt(p) === COLON && s.charCodeAt(p + 1) === SP) p += 2;
      }
    }
  }
  const timestamp = hasTimestamp ? matchedTimestamp : null;
  matchedTimestamp = null;
  // Without a timestamp there is little evidence this is syslog: refuse binary data.
  if (!hasTimestamp && BINARY.test(p === 0 ? s : s.slice(p))) return null;

  let appName: string | null = null;
  let procId: string | null = null;
  let i = p;
  for (let c = s.charCodeAt(i); i < end && c !== COLON && c !== SP; c = s.charCodeAt(++i));
  const hasColon = i < end && s.charCodeAt(i) === COLON;
  // Without a timestamp only "TAG: " (colon then SP or the end) counts, so "http://x" is
  // not read as TAG "http".
  const tagged = hasTimestamp || (hasColon && (i + 1 === end || s.charCodeAt(i + 1) === SP));
  if (i > p && i - p <= TAG_MAX && tagged) {
    const open = s.charCodeAt(i - 1) === 0x5d /* ] */ ? s.indexOf("[", p) : -1;
    if (open > p && open < i) {
      appName = s.slice(p, open);
      if (i - 1 > open + 1) procId = s.slice(open + 1, i - 1);
    } else appName = s.slice(p, i);
    p = i < end ? i + 1 : i;
    if (hasColon && s.charCodeAt(p) === SP) p++;
  } else if (!hasTimestamp && (!hasPri || p === end)) {
    return null; // nothing of a syslog line: neither PRI nor timestamp nor TAG, or nothing at all
  }
  const message = p === 0 ? s : s.slice(p);
  return buildRecord(ctx, "rfc3164", prival, timestamp, hostname, appName, procId, null, null, message, messageJson(message), null);
}
