import { createHash } from "node:crypto";
import type { SyslogRecord } from "@aws-syslog/record";

/**
 * Where an archived record goes: Hive-style `route=<route>/dt=YYYY-MM-DD/hour=HH`, all from the
 * receiver's clock (`received_at`, UTC, never null), never from the sender's `timestamp`, which
 * can be missing, wrong, or in another zone.
 */
export interface Partition {
  readonly route: string;
  readonly dt: string;
  readonly hour: string;
}

/** The staging object an archive run reads; the archive keys derive from it alone. */
export interface StagingObjectIdentity {
  readonly bucket: string;
  readonly key: string;
  /** S3 ETag (quotes optional); null when unknown (then bucket/key alone name the object). */
  readonly etag: string | null;
}

/** Hex characters of SHA-256 kept in object ids: 64 bits, so two staging objects collide with
 * probability ~n²/2⁶⁵ (about 1 in 10⁸ after 600 million objects). */
export const OBJECT_ID_HEX_CHARS = 16;

/** `received_at` is schema-v1 `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, validated by the record schema),
 * so date and hour are fixed slices: no Date parsing on the hot path. */
export function partitionOf(record: SyslogRecord, route: string): Partition {
  const at = record.received_at;
  return { route, dt: at.slice(0, 10), hour: at.slice(11, 13) };
}

/** `route=…/dt=…/hour=…`. A route name is percent-encoded like Hive escapes partition values, so a
 * `/` or `=` in a configured name cannot add a path level. */
export function partitionPath(partition: Partition): string {
  return `route=${encodeURIComponent(partition.route)}/dt=${partition.dt}/hour=${partition.hour}`;
}

/** Stable map key for a partition (same string as its path). */
export const partitionId = partitionPath;

/**
 * Short, deterministic id of a staging object: SHA-256 of `bucket/key@etag`. A redelivered S3
 * notification or a retried invocation reads the same object, gets the same id, and so
 * overwrites its earlier archive objects instead of adding duplicates. The ETag is included so
 * that a key rewritten with other content (not something Firehose does) is archived anew. ETags
 * are compared without their quotes: notifications carry them bare, GetObject quoted.
 */
export function stagingObjectId(object: StagingObjectIdentity): string {
  const etag = normalizeEtag(object.etag) ?? "";
  return createHash("sha256").update(`${object.bucket}/${object.key}@${etag}`).digest("hex").slice(0, OBJECT_ID_HEX_CHARS);
}

/** An ETag without its quotes, lower case; null stays null. */
export function normalizeEtag(etag: string | null): string | null {
  return etag === null ? null : etag.replace(/^"|"$/g, "").toLowerCase();
}

function withPrefix(prefix: string, rest: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? rest : `${trimmed}/${rest}`;
}

function partName(objectId: string, part: number): string {
  if (!Number.isInteger(part) || part < 0) throw new RangeError(`part number must be a non-negative integer, got ${part}`);
  return `${objectId}-${String(part).padStart(4, "0")}`;
}

/** `<prefix>/route=<route>/dt=YYYY-MM-DD/hour=HH/<objectId>-<part>.parquet`; part numbers count
 * from 0 per partition, in the order the staging object's records fill them. */
export function archiveObjectKey(prefix: string, partition: Partition, objectId: string, part: number): string {
  return withPrefix(prefix, `${partitionPath(partition)}/${partName(objectId, part)}.parquet`);
}

/** `<prefix>/errors/<objectId>-<part>.ndjson`: staging lines that are not schema-v1 records. Kept
 * outside the `route=` tree so neither the Glue table nor `**\/*.parquet` globs pick them up. */
export function archiveErrorKey(prefix: string, objectId: string, part: number): string {
  return withPrefix(prefix, `errors/${partName(objectId, part)}.ndjson`);
}
