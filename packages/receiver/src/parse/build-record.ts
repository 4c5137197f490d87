import { facilityName, severityName, SCHEMA_VERSION, type RecordFormat, type StructuredData, type SyslogRecord } from "@aws-syslog/record";
import type { FrameContext } from "./context.js";

/**
 * The one place a record is created, so every record gets the same fields in the same order
 * and V8 keeps one hidden class for them all (the forwarder's JSON.stringify and the batcher
 * stay monomorphic). `truncated` is added last and only when set, as the schema wants it
 * omitted otherwise; truncated frames are rare, so the extra shape is too.
 */
export function buildRecord(
  ctx: FrameContext,
  format: RecordFormat,
  prival: number,
  timestamp: string | null,
  hostname: string | null,
  appName: string | null,
  procId: string | null,
  msgId: string | null,
  structuredData: StructuredData | null,
  message: string,
  messageJson: Record<string, unknown> | null,
  raw: string | null,
): SyslogRecord {
  const facility = prival >> 3;
  const severity = prival & 7;
  const record: SyslogRecord = {
    v: SCHEMA_VERSION,
    received_at: ctx.receivedAt,
    timestamp,
    facility,
    severity,
    facility_name: facilityName(facility),
    severity_name: severityName(severity),
    hostname,
    app_name: appName,
    proc_id: procId,
    msg_id: msgId,
    structured_data: structuredData,
    message,
    message_json: messageJson,
    format,
    source_ip: ctx.sourceIp,
    source_port: ctx.sourcePort,
    tls_peer: ctx.tlsPeer,
    listener: ctx.listener,
    raw,
  };
  if (ctx.truncated) record.truncated = true;
  return record;
}

/**
 * MSG as an object when it is one (OneGate sends a JSON object as MSG), else null. Only a
 * message whose first non-blank character is '{' is handed to JSON.parse: most messages
 * are plain text and must not pay for a failed parse (an exception costs microseconds).
 */
export function messageJson(message: string): Record<string, unknown> | null {
  let i = 0;
  let c = message.charCodeAt(0);
  while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = message.charCodeAt(++i);
  if (c !== 0x7b /* { */) return null;
  try {
    // A successful parse of text starting with '{' is always a plain object.
    return JSON.parse(message) as Record<string, unknown>;
  } catch {
    return null; // not JSON after all: the message stays text, which is what it is
  }
}
