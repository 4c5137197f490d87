/**
 * Offsets of the time zone that RFC 3164 timestamps are read in (they carry none):
 * "UTC", a fixed offset "+09:00", or an IANA name ("Asia/Tokyo") resolved with Intl.
 *
 * Intl is slow (a formatToParts call costs microseconds), so an IANA zone's offset is cached
 * per 15-minute slot of UTC time: every DST rule in the tz database switches on a quarter
 * hour (America/St_Johns at 05:30Z, Pacific/Chatham at 14:00Z), so a slot never straddles a
 * change. Messages arrive near "now", so a handful of slots serve a whole day.
 */

export interface TimeZone {
  /** Offset east of UTC, in minutes, at the instant utcMs. */
  offsetAt(utcMs: number): number;
}

const SLOT_MS = 15 * 60_000;
/** Bound on cached slots per zone (~100 days of traffic); the cache is cleared past it. */
const MAX_SLOTS = 10_000;
/** Bound on distinct zone names cached (normally one, the configured default). */
const MAX_ZONES = 64;

const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const GMT_OFFSET = /^GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/;

class FixedZone implements TimeZone {
  constructor(private readonly minutes: number) {}
  offsetAt(): number {
    return this.minutes;
  }
}

class IanaZone implements TimeZone {
  private readonly slots = new Map<number, number>();
  constructor(private readonly format: Intl.DateTimeFormat) {}

  offsetAt(utcMs: number): number {
    const slot = Math.floor(utcMs / SLOT_MS);
    let minutes = this.slots.get(slot);
    if (minutes === undefined) {
      minutes = this.compute(slot * SLOT_MS);
      if (this.slots.size >= MAX_SLOTS) this.slots.clear();
      this.slots.set(slot, minutes);
    }
    return minutes;
  }

  private compute(utcMs: number): number {
    // timeZoneName "longOffset" prints "GMT+09:00", "GMT-02:30" or plain "GMT".
    const name = this.format.formatToParts(utcMs).find((part) => part.type === "timeZoneName")?.value ?? "GMT";
    const m = GMT_OFFSET.exec(name);
    if (!m || !m[1]) return 0;
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return m[1] === "-" ? -minutes : minutes;
  }
}

const zones = new Map<string, TimeZone | null>();

/** The zone for a name, or null when the name is none of the accepted forms (cached). */
export function resolveTimeZone(name: string): TimeZone | null {
  let zone = zones.get(name);
  if (zone !== undefined) return zone;
  zone = createZone(name);
  if (zones.size >= MAX_ZONES) zones.clear();
  zones.set(name, zone);
  return zone;
}

function createZone(name: string): TimeZone | null {
  if (name === "UTC" || name === "Z") return new FixedZone(0);
  const fixed = FIXED_OFFSET.exec(name);
  if (fixed) {
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3]);
    if (Number(fixed[2]) > 23 || Number(fixed[3]) > 59) return null;
    return new FixedZone(fixed[1] === "-" ? -minutes : minutes);
  }
  try {
    return new IanaZone(new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" }));
  } catch {
    return null; // not an IANA name: config validation reports it; here timestamps become null
  }
}

/**
 * Offset (minutes) that makes the wall-clock time `localMs` (epoch ms as if the wall clock
 * were UTC) valid in `zone`. In a DST gap or overlap the wall time is missing or doubled;
 * either candidate is then accepted, deterministically.
 */
export function offsetForLocal(zone: TimeZone, localMs: number): number {
  const guess = zone.offsetAt(localMs);
  const offset = zone.offsetAt(localMs - guess * 60_000);
  if (offset === guess) return offset;
  const again = zone.offsetAt(localMs - offset * 60_000);
  return again === offset ? offset : guess;
}

/** "Z" for UTC, else "+hh:mm" / "-hh:mm" (ISO 8601). */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return "Z";
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
