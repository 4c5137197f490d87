import { UsageError } from "../errors.js";
import { parseDuration } from "../tail/parse-duration.js";

/**
 * A point in time on the command line (--since, --until): a duration back from now ("7d",
 * "36h", "90m") or an ISO-8601 date or date-time ("2026-11-16", "2026-11-16T08:00:00Z"). A
 * date alone is midnight UTC, as the archive's dt partitions are UTC dates. Returns epoch ms.
 */
export function parseTimeBound(option: string, value: string, now: Date): number {
  const text = value.trim();
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text)) return checked(option, value, Date.parse(`${text}T00:00:00Z`));
  if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}T/.test(text)) {
    // Without an offset, Date.parse would read local time: the archive is UTC, so say which.
    if (!/(Z|[+-][0-9]{2}:?[0-9]{2})$/.test(text)) throw new UsageError(`${option} "${value}" has no time zone: end it with Z (UTC) or an offset such as +09:00`);
    return checked(option, value, Date.parse(text));
  }
  try {
    return now.getTime() - parseDuration(option, text);
  } catch {
    throw new UsageError(`${option} must be a duration back from now (30m, 36h, 7d) or an ISO-8601 date or time (2026-11-16, 2026-11-16T08:00:00Z), got "${value}"`);
  }
}

function checked(option: string, value: string, ms: number): number {
  if (Number.isNaN(ms)) throw new UsageError(`${option}: "${value}" is not a valid date or time`);
  return ms;
}
