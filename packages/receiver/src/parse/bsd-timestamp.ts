import { daysInMonth } from "./rfc3339-timestamp.js";
import { formatOffset, offsetForLocal, pad2, type TimeZone } from "./time-zone.js";

/**
 * Turns an RFC 3164 timestamp (`Mmm dd hh:mm:ss`, no year, no zone) into ISO 8601 with the
 * default zone's offset. Pure arithmetic on civil dates (no Date objects).
 * https://www.rfc-editor.org/rfc/rfc3164#section-4.1.2
 */

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Calendar year of a day number (inverse of daysFromCivil, year only). */
export function yearOfDays(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0); // mp 10, 11 are January, February
}

export interface WallTime {
  month: number; // 1..12
  day: number;
  /** Null when the sender gave none (plain RFC 3164); Cisco ASA sends one. */
  year: number | null;
  hour: number;
  minute: number;
  second: number;
  /** Fraction as sent, with its dot (".345"), or "". */
  fraction: string;
}

/** A scanned timestamp: the wall time and whether the sender named UTC/GMT as its zone. */
export interface ScannedBsdTimestamp extends WallTime {
  utc: boolean;
}

const SP = 0x20;
const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
/** Three lower-cased letters packed in an int → month number. */
const MONTHS = new Map(MONTH_NAMES.map((name, i) => [(name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2), i + 1]));

function digitAt(s: string, i: number): number {
  const d = s.charCodeAt(i) - 0x30;
  return d >= 0 && d <= 9 ? d : -1; // NaN (past the end) is not >= 0
}

function twoDigitsAt(s: string, i: number): number {
  const a = digitAt(s, i);
  const b = digitAt(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

/**
 * Scans `Mmm dd [yyyy ]hh:mm:ss[.f{1,6}][ ZONE]` at p into `out` and returns the index after
 * it, or -1. By hand rather than with a regular expression: this runs for every RFC 3164
 * line, and the regex (exec, eight captures, Number()) was a third of the 3164 parse time.
 * Month names in any case; day padded with a space or a zero, or not at all; a year only
 * between day and time (Cisco ASA); a fraction (Cisco IOS msec); a 3-5 capital zone name
 * only when ": " follows it, which is where Cisco IOS puts it ("... 00:01:02.345 UTC: %SYS").
 * Ranges (hour 25, Feb 30) are checked later by bsdTimestamp.
 */
export function scanBsdTimestamp(s: string, p: number, out: ScannedBsdTimestamp): number {
  const key = ((s.charCodeAt(p) | 0x20) << 16) | ((s.charCodeAt(p + 1) | 0x20) << 8) | (s.charCodeAt(p + 2) | 0x20);
  const month = MONTHS.get(key);
  if (month === undefined || s.charCodeAt(p + 3) !== SP) return -1;
  let i = p + 4;
  if (s.charCodeAt(i) === SP) i++;
  let day = digitAt(s, i++);
  if (day < 0) return -1;
  const d2 = digitAt(s, i);
  if (d2 >= 0) {
    day = day * 10 + d2;
    i++;
  }
  if (s.charCodeAt(i++) !== SP) return -1;
  let year: number | null = null;
  if (s.charCodeAt(i + 2) !== 0x3a /* : */) {
    const hi = twoDigitsAt(s, i);
    const lo = twoDigitsAt(s, i + 2);
    if (hi < 0 || lo < 0 || s.charCodeAt(i + 4) !== SP) return -1;
    year = hi * 100 + lo;
    i += 5;
  }
  const hour = twoDigitsAt(s, i);
  const minute = twoDigitsAt(s, i + 3);
  const second = twoDigitsAt(s, i + 6);
  if (hour < 0 || minute < 0 || second < 0 || s.charCodeAt(i + 2) !== 0x3a || s.charCodeAt(i + 5) !== 0x3a) return -1;
  i += 8;
  let fraction = "";
  if (s.charCodeAt(i) === 0x2e /* . */ && digitAt(s, i + 1) >= 0) {
    let j = i + 1;
    while (j - i <= 6 && digitAt(s, j) >= 0) j++;
    fraction = s.slice(i, j);
    i = j;
  }
  let utc = false;
  if (s.charCodeAt(i) === SP && isUpper(s.charCodeAt(i + 1))) {
    let j = i + 1;
    while (isUpper(s.charCodeAt(j))) j++;
    if (j - i - 1 >= 3 && j - i - 1 <= 5 && s.charCodeAt(j) === 0x3a && s.charCodeAt(j + 1) === SP) {
      const zone = s.slice(i + 1, j);
      utc = zone === "UTC" || zone === "GMT";
      i = j;
    }
  }
  out.month = month;
  out.day = day;
  out.year = year;
  out.hour = hour;
  out.minute = minute;
  out.second = second;
  out.fraction = fraction;
  out.utc = utc;
  return i;
}

/** One-entry memo of bsdTimestamp: a burst of lines usually shares one second. */
const memo = { month: 0, day: 0, year: null as number | null, hour: -1, minute: 0, second: 0, fraction: "", zone: null as TimeZone | null, receivedHour: NaN, result: null as string | null };

/**
 * ISO 8601 timestamp of `t` read in `zone`, or null when it names no real time (Feb 30,
 * hour 25) or the zone is unknown. A missing year is the one that puts the timestamp
 * closest to the receive time: "Dec 31 23:59:59" received on Jan 1 belongs to last year,
 * "Jan 1 00:00:01" received on Dec 31 (sender clock ahead) to next year.
 */
export function bsdTimestamp(t: WallTime, zone: TimeZone | null, receivedAtMs: number): string | null {
  // The year choice depends on the receive time only near the half-year point between two
  // candidates; keying the memo on the receive hour keeps it exact to within that hour.
  const receivedHour = Math.floor(receivedAtMs / 3_600_000);
  const m = memo;
  if (m.second === t.second && m.minute === t.minute && m.hour === t.hour && m.day === t.day && m.month === t.month && m.year === t.year && m.fraction === t.fraction && m.zone === zone && m.receivedHour === receivedHour) {
    return m.result;
  }
  const result = computeBsdTimestamp(t, zone, receivedAtMs);
  m.month = t.month;
  m.day = t.day;
  m.year = t.year;
  m.hour = t.hour;
  m.minute = t.minute;
  m.second = t.second;
  m.fraction = t.fraction;
  m.zone = zone;
  m.receivedHour = receivedHour;
  m.result = result;
  return result;
}

function computeBsdTimestamp(t: WallTime, zone: TimeZone | null, receivedAtMs: number): string | null {
  if (zone === null || t.hour > 23 || t.minute > 59 || t.second > 60 || t.day < 1 || t.month < 1 || t.month > 12) return null;
  // Leap second 60 (allowed by RFC 3164 clocks, not by ISO consumers) is clamped to 59.
  const timeMs = ((t.hour * 60 + t.minute) * 60 + Math.min(t.second, 59)) * 1000;
  let year = t.year;
  if (year === null) {
    const receivedLocal = receivedAtMs + zone.offsetAt(receivedAtMs) * 60_000;
    const thisYear = yearOfDays(Math.floor(receivedLocal / DAY_MS));
    let best = Infinity;
    for (let y = thisYear - 1; y <= thisYear + 1; y++) {
      if (t.day > daysInMonth(y, t.month)) continue; // Feb 29 outside a leap year
      const distance = Math.abs(daysFromCivil(y, t.month, t.day) * DAY_MS + timeMs - receivedLocal);
      if (distance < best) {
        best = distance;
        year = y;
      }
    }
    if (year === null) return null;
  } else if (t.day > daysInMonth(year, t.month)) return null;
  const localMs = daysFromCivil(year, t.month, t.day) * DAY_MS + timeMs;
  const offset = offsetForLocal(zone, localMs);
  const yyyy = year < 1000 ? String(year).padStart(4, "0") : String(year);
  return `${yyyy}-${pad2(t.month)}-${pad2(t.day)}T${pad2(t.hour)}:${pad2(t.minute)}:${pad2(Math.min(t.second, 59))}${t.fraction}${formatOffset(offset)}`;
}
