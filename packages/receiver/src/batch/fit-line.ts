/**
 * Oversize policy of the Firehose sink: "truncate and flag". A line is never split across
 * Firehose records, so one NDJSON line larger than a record's payload is shrunk to fit:
 *
 * 1. `message_json` is dropped (its text stays in `message`), then the longer of `raw` and
 *    `message` is cut, until the re-serialised record fits; `truncated: true` is set, the
 *    flag schema v1 already uses for frames cut at the receiver's max frame size.
 * 2. `structured_data` is dropped if cutting both strings was not enough.
 * 3. A line that is not a JSON object (never produced by the receiver) is cut at a UTF-8
 *    boundary; the result is not valid JSON, so this is counted apart ("cut").
 *
 * The caller counts and logs every fitted line; nothing here is silent.
 */
export type FitAction = "truncated" | "cut";

export interface FitResult {
  line: string;
  action: FitAction;
}

/** Shrinks `line` (an NDJSON line with its LF) to at most `maxBytes` UTF-8 bytes. */
export function fitLine(line: string, maxBytes: number): FitResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { line: cutBytes(line, maxBytes), action: "cut" };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { line: cutBytes(line, maxBytes), action: "cut" };
  const record = value as Record<string, unknown>;
  record.truncated = true;
  if (record.message_json !== undefined && record.message_json !== null) record.message_json = null;
  let out = serialize(record);
  let size = Buffer.byteLength(out);
  while (size > maxBytes) {
    const field = longestString(record, ["raw", "message"]);
    if (!field) break;
    const text = record[field] as string;
    // Every character serialises to at least one byte, so cutting `excess` characters
    // removes at least `excess` bytes: the loop ends in a few rounds, not one per byte.
    let keep = Math.max(0, text.length - (size - maxBytes));
    if (keep > 0 && isHighSurrogate(text.charCodeAt(keep - 1))) keep -= 1;
    record[field] = text.slice(0, keep);
    out = serialize(record);
    size = Buffer.byteLength(out);
  }
  if (size > maxBytes && record.structured_data !== undefined && record.structured_data !== null) {
    record.structured_data = null;
    out = serialize(record);
    size = Buffer.byteLength(out);
  }
  if (size > maxBytes) return { line: cutBytes(out, maxBytes), action: "cut" };
  return { line: out, action: "truncated" };
}

function serialize(record: Record<string, unknown>): string {
  return JSON.stringify(record) + "\n";
}

function longestString(record: Record<string, unknown>, fields: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestLength = 0;
  for (const f of fields) {
    const v = record[f];
    if (typeof v === "string" && v.length > bestLength) {
      best = f;
      bestLength = v.length;
    }
  }
  return best;
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/** The first bytes of `line` that fit with a closing LF, never ending inside a UTF-8 sequence. */
function cutBytes(line: string, maxBytes: number): string {
  const bytes = Buffer.from(line.endsWith("\n") ? line.slice(0, -1) : line);
  let end = Math.max(0, Math.min(bytes.length, maxBytes - 1));
  // Back up over continuation bytes (10xxxxxx) and the lead byte of the cut sequence.
  if (end < bytes.length) {
    while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  }
  return bytes.toString("utf8", 0, end) + "\n";
}
