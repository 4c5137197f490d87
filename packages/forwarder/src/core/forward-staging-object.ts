import type { Readable } from "node:stream";
import type { S3ObjectRef } from "../handlers/s3-event.js";
import { forwardToLogGroups, type ForwardOptions, type ForwardStats, type LogEventsWriter } from "./forward-to-log-groups.js";
import { readStagingObjectChunks } from "./staging-object.js";

/** Where staging objects come from, and the record of which were fully forwarded. */
export interface StagingObjectStore {
  open(ref: S3ObjectRef): Promise<Readable | AsyncIterable<Uint8Array>>;
  isForwarded(ref: S3ObjectRef): Promise<boolean>;
  markForwarded(ref: S3ObjectRef): Promise<void>;
}

export type ForwardStagingResult = { skipped: true } | ({ skipped: false } & ForwardStats);

/**
 * Forwards one staging object to CloudWatch Logs, at most once per successful run.
 * PutLogEvents has no idempotency key, so redelivery is made harmless by a marker: the
 * object is marked (tagged) only after every batch was accepted, and a marked object is
 * skipped. What remains is a duplicate window: if a run fails or dies after some batches
 * were accepted but before the mark, the retry sends the whole object again, so those
 * batches appear twice. Nothing is lost either way.
 */
export async function forwardStagingObject(
  ref: S3ObjectRef,
  store: StagingObjectStore,
  writer: LogEventsWriter,
  options: ForwardOptions,
): Promise<ForwardStagingResult> {
  if (await store.isForwarded(ref)) return { skipped: true };
  const stats = await forwardToLogGroups(readStagingObjectChunks(await store.open(ref)), writer, options);
  await store.markForwarded(ref);
  return { skipped: false, ...stats };
}
