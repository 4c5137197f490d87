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

/**
 * ISO 8601 timestamp of `t` read in `zone`, or null when it names no real time (Feb 30,
 * hour 25) or the zone is unknown. A missing year is the one that puts the timestamp
 * closest to the receive time: "Dec 31 23:59:59" received on Jan 1 belongs to last year,
 * "Jan 1 00:00:01" received on Dec 31 (sender clock ahead) to next year.
 */
export function bsdTimestamp(t: WallTime, zone: TimeZone | null, receivedAtMs: number): string | null {
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
