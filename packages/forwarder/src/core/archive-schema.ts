import type { SyslogRecord } from "@aws-syslog/record";
import { parseIsoTimeMs } from "./iso-time.js";

/**
 * The archive's columns: schema-v1 fields → Parquet physical/logical types → Glue/Athena types.
 * ONE list, used by the Parquet writer (archive-writer.ts) and by infra for the Glue table, so
 * the table and the files cannot drift apart. Column names are the record's field names
 * (snake_case, no mapping needed in Athena).
 *
 * Type choices, with Athena (Trino) in mind:
 * - `received_at` is a Parquet INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true): the receiver's
 *   clock, never null, always UTC, so it can be a real `timestamp` for range filters.
 * - `timestamp` (the sender's clock) keeps its original offset, which a Parquet timestamp would
 *   lose, and may be null or odd: stored as the ISO-8601 string it arrived as.
 * - `structured_data` and `message_json` are objects of unknown shape: stored as JSON text
 *   (UTF8 strings, not the JSON logical type, which some Athena/Hive readers refuse for a
 *   `string` column); query them with `json_extract_scalar`.
 * - `facility`, `severity`, `source_port`, `v` are small ints: INT32 / Glue `int`.
 * - `truncated` is omitted from a record when false; the archive stores false then.
 *
 * Adding a column is compatible (Athena reads old files with nulls for it); removing or retyping
 * one is not: that is a new schema version.
 */

export type GlueType = "int" | "string" | "timestamp" | "boolean";

/** Parquet physical type plus the annotation the writer puts on it. */
export type ParquetColumnType =
  | { physical: "INT32" }
  | { physical: "BOOLEAN" }
  | { physical: "BYTE_ARRAY"; annotation: "UTF8" }
  | { physical: "INT64"; annotation: "TIMESTAMP_MILLIS_UTC" };

/** What one column holds for one record: JS number (INT32, and epoch ms for the timestamp),
 * string, boolean or null. */
export type ArchiveValue = number | string | boolean | null;

export interface ArchiveColumn {
  readonly name: string;
  readonly glueType: GlueType;
  readonly parquet: ParquetColumnType;
  readonly nullable: boolean;
  readonly comment: string;
  /** The column's value for a record (already validated against schema v1). */
  readonly value: (record: SyslogRecord) => ArchiveValue;
}

const int32: ParquetColumnType = { physical: "INT32" };
const utf8: ParquetColumnType = { physical: "BYTE_ARRAY", annotation: "UTF8" };

function json(value: object | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

export const ARCHIVE_COLUMNS: ReadonlyArray<ArchiveColumn> = Object.freeze([
  { name: "v", glueType: "int", parquet: int32, nullable: false, comment: "record schema version", value: (r) => r.v },
  {
    name: "received_at",
    glueType: "timestamp",
    parquet: { physical: "INT64", annotation: "TIMESTAMP_MILLIS_UTC" },
    nullable: false,
    comment: "when the receiver read the frame (UTC, ms); source of the dt/hour partitions",
    value: (r) => parseIsoTimeMs(r.received_at),
  },
  { name: "timestamp", glueType: "string", parquet: utf8, nullable: true, comment: "sender's timestamp, ISO-8601 with its original offset", value: (r) => r.timestamp },
  { name: "facility", glueType: "int", parquet: int32, nullable: false, comment: "0-23 (RFC 5424 6.2.1)", value: (r) => r.facility },
  { name: "severity", glueType: "int", parquet: int32, nullable: false, comment: "0-7 (RFC 5424 6.2.1)", value: (r) => r.severity },
  { name: "facility_name", glueType: "string", parquet: utf8, nullable: false, comment: "as rsyslog prints it, e.g. authpriv", value: (r) => r.facility_name },
  { name: "severity_name", glueType: "string", parquet: utf8, nullable: false, comment: "as rsyslog prints it, e.g. warning", value: (r) => r.severity_name },
  { name: "hostname", glueType: "string", parquet: utf8, nullable: true, comment: "HOSTNAME field", value: (r) => r.hostname },
  { name: "app_name", glueType: "string", parquet: utf8, nullable: true, comment: "APP-NAME / tag", value: (r) => r.app_name },
  { name: "proc_id", glueType: "string", parquet: utf8, nullable: true, comment: "PROCID", value: (r) => r.proc_id },
  { name: "msg_id", glueType: "string", parquet: utf8, nullable: true, comment: "MSGID", value: (r) => r.msg_id },
  { name: "structured_data", glueType: "string", parquet: utf8, nullable: true, comment: "RFC 5424 structured data as JSON text", value: (r) => json(r.structured_data) },
  { name: "message", glueType: "string", parquet: utf8, nullable: false, comment: "MSG", value: (r) => r.message },
  { name: "message_json", glueType: "string", parquet: utf8, nullable: true, comment: "MSG as JSON text when it is a JSON object (OneGate)", value: (r) => json(r.message_json) },
  { name: "format", glueType: "string", parquet: utf8, nullable: false, comment: "rfc5424 | rfc3164 | unparsed", value: (r) => r.format },
  { name: "source_ip", glueType: "string", parquet: utf8, nullable: true, comment: "sender address (from PROXY protocol when enabled)", value: (r) => r.source_ip },
  { name: "source_port", glueType: "int", parquet: int32, nullable: true, comment: "sender port", value: (r) => r.source_port },
  { name: "tls_peer", glueType: "string", parquet: utf8, nullable: true, comment: "verified client certificate name", value: (r) => r.tls_peer },
  { name: "listener", glueType: "string", parquet: utf8, nullable: false, comment: "input that received the message (tls, tcp, relp)", value: (r) => r.listener },
  { name: "raw", glueType: "string", parquet: utf8, nullable: true, comment: "the frame as received, when it could not be parsed", value: (r) => r.raw },
  { name: "truncated", glueType: "boolean", parquet: { physical: "BOOLEAN" }, nullable: true, comment: "frame was cut at the receiver's max frame size", value: (r) => r.truncated === true },
] satisfies ArchiveColumn[]);

export interface ArchivePartitionKey {
  readonly name: "route" | "dt" | "hour";
  readonly glueType: "string";
  readonly comment: string;
  /** Athena partition projection properties for this key (`projection.<name>.<k>` = v);
   * infra adds what only it knows (route values, dt range). */
  readonly projection: Readonly<Record<string, string>>;
}

/** Hive-style partition keys, in path order. They are in the object key only, not in the
 * files (Athena and DuckDB's hive_partitioning read them from the path). */
const partitionKeys: ArchivePartitionKey[] = [
  { name: "route", glueType: "string", comment: "archive route: first matching route's name, or unrouted", projection: { type: "enum" } },
  {
    name: "dt",
    glueType: "string",
    comment: "UTC date of received_at, YYYY-MM-DD",
    projection: { type: "date", format: "yyyy-MM-dd", interval: "1", "interval.unit": "DAYS" },
  },
  { name: "hour", glueType: "string", comment: "UTC hour of received_at, 00-23", projection: { type: "integer", range: "0,23", digits: "2" } },
];
export const ARCHIVE_PARTITION_KEYS: ReadonlyArray<ArchivePartitionKey> = Object.freeze(partitionKeys);

/** For the Glue table's `storage.location.template`, appended to `s3://<bucket>/<prefix>/`. */
export const ARCHIVE_LOCATION_TEMPLATE_SUFFIX = "route=${route}/dt=${dt}/hour=${hour}";
