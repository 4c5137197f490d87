import { PutRecordBatchCommand, type FirehoseClient, type PutRecordBatchCommandOutput } from "@aws-sdk/client-firehose";
import { classifyCallError, classifyEntryError, type Failure } from "./classify-error.js";
import { buildPutRecordBatchInput } from "./request-builder.js";

/**
 * One PutRecordBatch call, turned into a value: either the whole call failed, or each entry
 * was accepted (null) or failed (its classified ErrorCode), in request order. Never throws.
 *
 * The client is expected to make one attempt (maxAttempts 1): the sink owns retries, so it can
 * resend only failed entries, rotate streams and count every retry by reason.
 */
export type CallResult = { ok: true; entries: (Failure | null)[] } | { ok: false; failure: Failure };

export interface CallOptions {
  /** The call is abandoned (and counted as an ambiguous timeout) after this long. */
  timeoutMs: number;
  /** Aborts the call at once (shutdown deadline). */
  signal?: AbortSignal;
}

export async function putRecordBatch(
  client: FirehoseClient,
  stream: string,
  records: readonly Uint8Array[],
  options: CallOptions,
): Promise<CallResult> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  // Our own timer, not only the SDK's socket timeout: it bounds the whole call (connect,
  // upload, answer) and also works with clients that ignore abortSignal.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`PutRecordBatch to ${stream}: no answer within ${options.timeoutMs} ms`);
      err.name = "TimeoutError";
      controller.abort();
      reject(err);
    }, options.timeoutMs);
  });
  try {
    const input = buildPutRecordBatchInput(stream, records);
    const out = await Promise.race([client.send(new PutRecordBatchCommand(input), { abortSignal: controller.signal }), timeout]);
    return interpret(out, records.length);
  } catch (err) {
    // A limit check of ours failed (a bug): handled like the service's own refusal, so the
    // sink splits the batch and, for a lone record, gives it up with an ERROR.
    if (err instanceof RangeError) return { ok: false, failure: { kind: "invalid", code: "LocalLimitExceeded", message: err.message } };
    return { ok: false, failure: classifyCallError(err) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

function interpret(out: PutRecordBatchCommandOutput, count: number): CallResult {
  const responses = out.RequestResponses;
  if (!responses || responses.length !== count) {
    if ((out.FailedPutCount ?? 0) === 0 && !responses) return { ok: true, entries: new Array<null>(count).fill(null) };
    // Cannot tell which entries failed: resend all, and count possible duplicates.
    const failure: Failure = { kind: "retry", reason: "other", ambiguous: true, code: "MalformedResponse", message: `${responses?.length ?? 0} responses for ${count} records` };
    return { ok: false, failure };
  }
  return { ok: true, entries: responses.map((r) => (r.ErrorCode ? classifyEntryError(r.ErrorCode, r.ErrorMessage ?? "") : null)) };
}
