/**
 * PRI = "<" PRIVAL ">", PRIVAL = 1*3DIGIT in 0..191 (RFC 5424 §6.2.1, RFC 3164 §4.1.1).
 * https://www.rfc-editor.org/rfc/rfc5424#section-6.2.1
 */
export const MAX_PRIVAL = 191;

/** rsyslog's default for a message without PRI: user.notice (facility 1, severity 5). */
export const DEFAULT_PRIVAL = 13;

/**
 * Reads the PRI at the start of `s`. Returns `(indexAfterPri << 8) | prival` so the hot path
 * allocates nothing, or -1 when there is no valid PRI. `strict` (RFC 5424) refuses leading
 * zeros ("<013>"); RFC 3164 senders are treated leniently, as rsyslog does.
 */
export function readPri(s: string, strict: boolean): number {
  if (s.charCodeAt(0) !== 0x3c /* < */) return -1;
  let value = 0;
  let i = 1;
  for (; i <= 4; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3e /* > */) break;
    if (c < 0x30 || c > 0x39 || i === 4) return -1;
    if (strict && i === 2 && value === 0) return -1; // "<0" followed by another digit
    value = value * 10 + (c - 0x30);
  }
  if (i === 1 || value > MAX_PRIVAL) return -1;
  return ((i + 1) << 8) | value;
}
