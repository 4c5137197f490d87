/**
 * RFC 5424 §6.2.3 TIMESTAMP (an RFC 3339 profile), validated on a string without regular
 * expressions or Date objects: this runs once per message on the hot path.
 * https://www.rfc-editor.org/rfc/rfc5424#section-6.2.3
 *
 *   FULL-DATE "T" FULL-TIME, TIME-SECFRAC = "." 1*6DIGIT, TIME-OFFSET = "Z" / ("+"/"-") hh ":" mm
 *
 * "T" and "Z" must be upper case and leap seconds (60) must not be used (§6.2.3).
 */

/** RFC 5424 §6.2.3: at most 6 fractional digits. */
export const RFC5424_MAX_SECFRAC_DIGITS = 6;

/** Two ASCII digits at i as a number, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  const b = s.charCodeAt(i + 1) - 0x30;
  // NaN (past the end) fails both comparisons, so it also lands here.
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Returns the index just after a valid timestamp starting at `p`, or -1. `maxFracDigits` is
 * 6 for RFC 5424; lenient callers (RFC 3164 with an RFC 3339 stamp) may allow more.
 */
export function rfc3339TimestampEnd(s: string, p: number, maxFracDigits: number): number {
  const hi = twoDigits(s, p);
  const lo = twoDigits(s, p + 2);
  if (hi < 0 || lo < 0 || s.charCodeAt(p + 4) !== 0x2d /* - */) return -1;
  const year = hi * 100 + lo;
  const month = twoDigits(s, p + 5);
  if (month < 1 || month > 12 || s.charCodeAt(p + 7) !== 0x2d) return -1;
  const day = twoDigits(s, p + 8);
  if (day < 1 || day > daysInMonth(year, month) || s.charCodeAt(p + 10) !== 0x54 /* T */) return -1;
  const hour = twoDigits(s, p + 11);
  if (hour < 0 || hour > 23 || s.charCodeAt(p + 13) !== 0x3a /* : */) return -1;
  const minute = twoDigits(s, p + 14);
  if (minute < 0 || minute > 59 || s.charCodeAt(p + 16) !== 0x3a) return -1;
  const second = twoDigits(s, p + 17);
  if (second < 0 || second > 59) return -1;
  let q = p + 19;
  if (s.charCodeAt(q) === 0x2e /* . */) {
    const start = ++q;
    for (let c = s.charCodeAt(q); c >= 0x30 && c <= 0x39; c = s.charCodeAt(++q));
    if (q === start || q - start > maxFracDigits) return -1;
  }
  const z = s.charCodeAt(q);
  if (z === 0x5a /* Z */) return q + 1;
  if (z !== 0x2b /* + */ && z !== 0x2d /* - */) return -1;
  const offHour = twoDigits(s, q + 1);
  if (offHour < 0 || offHour > 23 || s.charCodeAt(q + 3) !== 0x3a) return -1;
  const offMinute = twoDigits(s, q + 4);
  if (offMinute < 0 || offMinute > 59) return -1;
  return q + 6;
}
