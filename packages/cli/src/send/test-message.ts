import { FACILITY_NAMES, SEVERITY_NAMES } from "@aws-syslog/record";
import { UsageError } from "../errors.js";

/**
 * The test messages `send` writes. Each carries the run id and its sequence number, so the
 * operator can find exactly this run's records (pnpm query … where message like '%<run>%')
 * and see which ones are missing.
 */
export const MESSAGE_FORMATS = ["rfc5424", "rfc3164", "onegate"] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

/** RFC 5425 §4.3 octet counting, or LF after each message (RFC 6587 §3.4.2, "non-transparent"). */
export const FRAMINGS = ["octet-counted", "lf"] as const;
export type Framing = (typeof FRAMINGS)[number];

export interface MessageOptions {
  format: MessageFormat;
  facility: number;
  severity: number;
  hostname: string;
  appName: string;
  procId: string;
  text: string;
  runId: string;
  total: number;
}

/** RFC 5612 §2: enterprise number 32473 is reserved for documentation and examples. */
const SD_ID = "aws-syslog-test@32473";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** OneGate's facility: the default routes send local0 to the OneGate JSON group. */
export const ONEGATE_FACILITY = 16;

/** A facility by rsyslog name ("local0") or number (0–23). */
export function parseFacility(value: string): number {
  return parseCode(value, FACILITY_NAMES, "--facility");
}

/** A severity by rsyslog name ("info") or number (0–7). */
export function parseSeverity(value: string): number {
  return parseCode(value, SEVERITY_NAMES, "--severity");
}

function parseCode(value: string, names: readonly string[], option: string): number {
  const byName = names.indexOf(value.toLowerCase());
  if (byName !== -1) return byName;
  if (/^[0-9]+$/.test(value) && Number(value) < names.length) return Number(value);
  throw new UsageError(`${option} must be one of ${names.join(", ")} or 0–${names.length - 1}, got "${value}"`);
}

/** RFC 5424 §6.2.4: HOSTNAME, APP-NAME are PRINTUSASCII without spaces, at most 255 / 48 octets. */
export function checkHeaderField(value: string, option: string, maxLength: number): string {
  if (value.length === 0 || value.length > maxLength || !/^[\x21-\x7e]+$/.test(value)) {
    throw new UsageError(`${option} must be 1–${maxLength} printable ASCII characters without spaces, got "${value}"`);
  }
  return value;
}

const two = (n: number) => String(n).padStart(2, "0");

/** RFC 3164 §4.1.2 TIMESTAMP, in UTC: "Mmm dd hh:mm:ss" with the day padded by a space. */
function rfc3164Timestamp(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** Message number `seq` (1-based) of the run, without framing. */
export function testMessage(o: MessageOptions, seq: number, now: Date): string {
  const pri = `<${o.facility * 8 + o.severity}>`;
  const text = `${o.text} ${seq}/${o.total} run=${o.runId}`;
  switch (o.format) {
    case "rfc5424":
      return `${pri}1 ${now.toISOString()} ${o.hostname} ${o.appName} ${o.procId} TEST [${SD_ID} run="${o.runId}" seq="${seq}"] ${text}`;
    case "rfc3164":
      return `${pri}${rfc3164Timestamp(now)} ${o.hostname} ${o.appName}[${o.procId}]: ${text}`;
    case "onegate": {
      // The shape of a OneGate event: an RFC 5424 record from facility local0 whose MSG is one
      // JSON object (the receiver puts it in message_json; the onegate route writes it as JSON).
      const event = {
        timestamp: now.toISOString(),
        event: "authentication",
        result: "success",
        user: `test-user-${String(seq).padStart(4, "0")}`,
        src_ip: "192.0.2.10",
        message: text,
        run: o.runId,
        seq,
        total: o.total,
      };
      return `${pri}1 ${now.toISOString()} ${o.hostname} ${o.appName} - - - ${JSON.stringify(event)}`;
    }
  }
}

/** The bytes on the wire for one message. */
export function frame(message: string, framing: Framing): string {
  return framing === "lf" ? `${message}\n` : `${Buffer.byteLength(message, "utf8")} ${message}`;
}
