import type { SyslogRecord } from "@aws-syslog/record";

/**
 * The text of a CloudWatch Logs event for one record.
 *
 * - `syslog` routes (the /var/log/* groups): the line rsyslog writes with
 *   RSYSLOG_TraditionalFileFormat (`%TIMESTAMP% %HOSTNAME% %syslogtag%%msg%`), which is what
 *   the CloudWatch Agent used to ship from /var/log/messages etc., so metric filters and
 *   Logs Insights queries written for those groups keep working:
 *   `Nov  3 09:05:01 web-1 sshd[812]: Accepted publickey for ec2-user`.
 *   The time is rendered in a configured zone (the agent shipped lines in the host's local
 *   zone; default UTC); control characters are escaped as rsyslog does by default
 *   ($EscapeControlCharactersOnReceive: LF → `#012`), so one event stays one line.
 * - `json` routes (e.g. OneGate): one JSON object: the syslog header fields (the schema-v1
 *   names, nulls left out) followed by the message's own JSON fields at top level, so Logs
 *   Insights discovers both (`fields user, severity_name`). On a name clash the sender's field
 *   wins (the archive keeps both). A message that is not JSON is carried as `message`.
 */

/** The event's time: the sender's timestamp when usable, else when the receiver read it. */
export function eventTimeMs(record: SyslogRecord): number {
  if (record.timestamp !== null) {
    const ms = parseIsoTimeMs(record.timestamp);
    if (Number.isFinite(ms)) return ms;
  }
  return parseIsoTimeMs(record.received_at);
}

const DIGIT_0 = 48;
const digit = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - DIGIT_0;
  return d >= 0 && d <= 9 ? d : Number.NaN;
};
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * `Date.parse` of an ISO-8601 time, with a fast path for the shapes the receiver writes
 * (`YYYY-MM-DDTHH:MM:SS[.f{1,3}](Z|±HH:MM)`, day ≤ 28 so no month-length check is needed):
 * Date.parse was ~3% of the CloudWatch half's CPU (benchmark profile). Anything else, or a field
 * out of range, goes to Date.parse itself, so the result is always Date.parse's (a property
 * test holds the two together).
 */
export function parseIsoTimeMs(s: string): number {
  const n = s.length;
  if (n >= 20 && n <= 29 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84 &&
      s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58) {
    const year = two(s, 0) * 100 + two(s, 2);
    const month = two(s, 5);
    const day = two(s, 8);
    const hour = two(s, 11);
    const minute = two(s, 14);
    const second = two(s, 17);
    let i = 19;
    let ms = 0;
    if (s.charCodeAt(i) === 46) {
      let scale = 100;
      for (i += 1; i < n && scale >= 1; i += 1, scale /= 10) {
        const d = digit(s, i);
        if (Number.isNaN(d)) break;
        ms += d * scale;
      }
      if (i === 20) ms = Number.NaN; // "." without a digit
    }
    let offsetMin = Number.NaN;
    const sign = s.charCodeAt(i);
    if (sign === 90 && i + 1 === n) offsetMin = 0; // Z
    else if ((sign === 43 || sign === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
      const oh = two(s, i + 1);
      const om = two(s, i + 4);
      if (oh <= 23 && om <= 59) offsetMin = (sign === 43 ? 1 : -1) * (oh * 60 + om);
    }
    if (month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59 &&
        Number.isFinite(year + ms + offsetMin)) {
      return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offsetMin) * 60_000 + second * 1000 + ms;
    }
  }
  return Date.parse(s);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// Zone transitions fall on quarter hours, so one offset per 15-minute bucket is exact.
const OFFSET_BUCKET_MS = 15 * 60 * 1000;

/** Renders RFC 3164 timestamps (`Mmm dd HH:MM:SS`, day padded with a space) in one zone. */
export class SyslogClock {
  private readonly utc: boolean;
  private readonly format: Intl.DateTimeFormat | null;
  private bucket = Number.NaN;
  private offsetMs = 0;
  private lastSecond = Number.NaN;
  private lastText = "";

  constructor(readonly timeZone = "UTC") {
    this.utc = timeZone === "UTC" || timeZone === "Etc/UTC";
    this.format = this.utc ? null : new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric",
    });
  }

  /** The rendering is kept per second: consecutive records mostly share one (zone offsets
   * change on whole seconds, so the cache is exact). */
  timestamp(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second === this.lastSecond) return this.lastText;
    const d = new Date(ms + this.offset(ms));
    const day = d.getUTCDate();
    this.lastText = `${MONTHS[d.getUTCMonth()]} ${day < 10 ? " " : ""}${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
    this.lastSecond = second;
    return this.lastText;
  }

  private offset(ms: number): number {
    if (this.format === null) return 0;
    const bucket = Math.floor(ms / OFFSET_BUCKET_MS);
    if (bucket !== this.bucket) {
      const at = bucket * OFFSET_BUCKET_MS;
      const p: Record<string, number> = {};
      for (const part of this.format.formatToParts(at)) p[part.type] = Number(part.value);
      this.offsetMs = Date.UTC(p["year"]!, p["month"]! - 1, p["day"], p["hour"], p["minute"], p["second"]) - at;
      this.bucket = bucket;
    }
    return this.offsetMs;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// C0 controls and DEL, as rsyslog escapes them on receipt (`#` + three octal digits).
const CONTROL = /[\x00-\x1f\x7f]/g;
const escapeControl = (c: string): string => `#${c.charCodeAt(0).toString(8).padStart(3, "0")}`;

/** RSYSLOG_TraditionalFileFormat line (without the LF). */
export function syslogLine(record: SyslogRecord, timeMs: number, clock: SyslogClock): string {
  const host = record.hostname ?? record.source_ip ?? "-";
  let message = record.message === "" && record.raw !== null ? record.raw : record.message;
  if (message.endsWith("\n")) message = message.slice(0, -1); // %msg:::drop-last-lf%
  let line = `${clock.timestamp(timeMs)} ${host} `;
  if (record.app_name !== null) {
    line += record.proc_id !== null ? `${record.app_name}[${record.proc_id}]:` : `${record.app_name}:`;
    if (!message.startsWith(" ")) line += " "; // %msg:::sp-if-no-1st-sp%
  }
  line += message;
  CONTROL.lastIndex = 0;
  return CONTROL.test(line) ? line.replace(CONTROL, escapeControl) : line;
}

/** Header fields of a JSON event after `timestamp`, in this order, when not null. */
const JSON_HEADER_FIELDS = [
  "received_at", "hostname", "app_name", "proc_id", "msg_id", "facility", "facility_name",
  "severity", "severity_name", "source_ip", "tls_peer", "structured_data",
] as const satisfies ReadonlyArray<keyof SyslogRecord>;

/** JSON event: syslog header fields, then the message's JSON fields (or `message`). */
export function jsonEvent(record: SyslogRecord): string {
  const event: Record<string, unknown> = { timestamp: record.timestamp ?? record.received_at };
  for (const field of JSON_HEADER_FIELDS) {
    const value = record[field];
    if (value !== null) event[field] = value;
  }
  if (record.message_json !== null) Object.assign(event, record.message_json);
  else event["message"] = record.message;
  return JSON.stringify(event);
}
