import { randomBytes } from "node:crypto";

/**
 * Numbered test messages. Every MSG carries a run-unique tag and a sequence number, so a test
 * can tell its own records from anyone else's and find each one missing or duplicated.
 */
export interface Batch {
  /** Unique per batch: appears in every MSG. */
  tag: string;
  /** The MSG texts, in sending order. */
  texts: string[];
}

/** `count` texts "<tag> seq=000001 <filler>", each `sizeBytes` long (ASCII) when that is more
 * than the fixed part, so tests exercise realistic frame sizes without caring about content. */
export function numberedBatch(label: string, count: number, sizeBytes = 120): Batch {
  const tag = `interop-${label}-${randomBytes(4).toString("hex")}`;
  const texts: string[] = [];
  for (let i = 1; i <= count; i++) {
    const head = `${tag} seq=${String(i).padStart(6, "0")}`;
    const fill = sizeBytes - head.length - 1;
    texts.push(fill > 0 ? `${head} ${"abcdefghijklmnopqrstuvwxyz0123456789".repeat(Math.ceil(fill / 36)).slice(0, fill)}` : head);
  }
  return { tag, texts };
}

export interface Header {
  facility: number;
  severity: number;
  hostname: string;
  appName: string;
  procId: string;
  /** RFC 5424 only. */
  msgId?: string;
  /** RFC 5424 STRUCTURED-DATA as written on the wire ("-" when omitted). */
  structuredData?: string;
}

const pri = (h: Header) => `<${h.facility * 8 + h.severity}>`;

/** RFC 5424 §6 message (no BOM): `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`. */
export function rfc5424(h: Header, timestamp: string, text: string): string {
  return `${pri(h)}1 ${timestamp} ${h.hostname} ${h.appName} ${h.procId} ${h.msgId ?? "-"} ${h.structuredData ?? "-"} ${text}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 3164 §4.1.2 TIMESTAMP in UTC: "Mmm dd hh:mm:ss", day padded with a space. */
export function rfc3164Timestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, " ")} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

/** RFC 3164 message as rsyslog and logger write it: `<PRI>Mmm dd hh:mm:ss HOST app[pid]: MSG`. */
export function rfc3164(h: Header, date: Date, text: string): string {
  return `${pri(h)}${rfc3164Timestamp(date)} ${h.hostname} ${h.appName}[${h.procId}]: ${text}`;
}

/** RFC 5425 §4.3 / RFC 6587 §3.4.1 octet counting: "MSG-LEN SP SYSLOG-MSG", length in bytes. */
export function octetCounted(message: string): string {
  return `${Buffer.byteLength(message, "utf8")} ${message}`;
}
