import type { SyslogRecord } from "@aws-syslog/record";
import { parseIsoTimeMs } from "./iso-time.js";

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

/** A RegExp match starts by flattening its subject, and this one then matches at once. */
const START = /^/;

/**
 * The same string, flattened: V8 keeps a concatenation as a tree of its parts, and a part that
 * is a slice keeps its whole parent string alive. A buffered event must hold only its own
 * characters (without this the CloudWatch benchmark's live heap went from ~230 to ~470 MiB:
 * every buffered event kept the staging line it came from). `charCodeAt` does not do it:
 * optimised code reads the first character through the tree.
 */
function flatten(s: string): string {
  START.test(s);
  return s;
}

/** RSYSLOG_TraditionalFileFormat line (without the LF). `printable`: the caller knows every
 * string field of the record is printable ASCII (StagingLine.printable), so the scan for
 * control characters, a tenth of the CloudWatch half's CPU, is skipped. */
export function syslogLine(record: SyslogRecord, timeMs: number, clock: SyslogClock, printable = false): string {
  const host = record.hostname ?? record.source_ip ?? "-";
  let message = record.message === "" && record.raw !== null ? record.raw : record.message;
  if (message.endsWith("\n")) message = message.slice(0, -1); // %msg:::drop-last-lf%
  let line = `${clock.timestamp(timeMs)} ${host} `;
  if (record.app_name !== null) {
    line += record.proc_id !== null ? `${record.app_name}[${record.proc_id}]:` : `${record.app_name}:`;
    if (!message.startsWith(" ")) line += " "; // %msg:::sp-if-no-1st-sp%
  }
  line += message;
  if (printable) return flatten(line);
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
