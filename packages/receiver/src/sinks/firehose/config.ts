import { z } from "zod";
import { MAX_RECORD_PAYLOAD_BYTES } from "../../batch/firehose-limits.js";

/**
 * Configuration of the Firehose sink. FIREHOSE_CONFIG_KEYS has the shape of the receiver's
 * CONFIG_KEYS (environment variable, default as written in the env, schema of the string), so
 * it can be merged there; firehoseSinkConfigSchema validates the camelCase object the sink
 * takes, with the same defaults and at least one stream.
 *
 * Region, credentials and endpoint are not here on purpose: the SDK's own chain reads
 * AWS_REGION, AWS_ENDPOINT_URL_FIREHOSE and the ECS task role.
 */

/** Delivery stream names: 1–64 of [a-zA-Z0-9_.-] (CreateDeliveryStream, DeliveryStreamName). */
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

const streamList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(STREAM_NAME, "a delivery stream name is 1-64 characters of a-z A-Z 0-9 _ . -")));

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** The sink's byte budget must hold at least one full Firehose record. */
export const FIREHOSE_MIN_BUFFER_BYTES = 1_048_576;

export const FIREHOSE_CONFIG_KEYS = {
  streams: { env: "RECEIVER_FIREHOSE_STREAMS", default: "", schema: streamList },
  lingerMs: { env: "RECEIVER_FIREHOSE_LINGER_MS", default: "1000", schema: int(0, 900_000) },
  ackLingerMs: { env: "RECEIVER_FIREHOSE_ACK_LINGER_MS", default: "100", schema: int(0, 900_000) },
  recordMaxBytes: { env: "RECEIVER_FIREHOSE_RECORD_MAX_BYTES", default: String(MAX_RECORD_PAYLOAD_BYTES), schema: int(1024, MAX_RECORD_PAYLOAD_BYTES) },
  gzipLevel: { env: "RECEIVER_FIREHOSE_GZIP_LEVEL", default: "1", schema: int(1, 9) },
  maxInFlight: { env: "RECEIVER_FIREHOSE_MAX_IN_FLIGHT", default: "4", schema: int(1, 64) },
  maxRetries: { env: "RECEIVER_FIREHOSE_MAX_RETRIES", default: "8", schema: int(0, 1000) },
  retryBaseMs: { env: "RECEIVER_FIREHOSE_RETRY_BASE_MS", default: "100", schema: int(1, 60_000) },
  retryMaxMs: { env: "RECEIVER_FIREHOSE_RETRY_MAX_MS", default: "10000", schema: int(1, 600_000) },
  requestTimeoutMs: { env: "RECEIVER_FIREHOSE_REQUEST_TIMEOUT_MS", default: "10000", schema: int(100, 600_000) },
  closeTimeoutMs: { env: "RECEIVER_FIREHOSE_CLOSE_TIMEOUT_MS", default: "20000", schema: int(0, 3_600_000) },
} as const;

type Keys = typeof FIREHOSE_CONFIG_KEYS;

const withDefault = <K extends keyof Keys>(key: K) => {
  const spec = FIREHOSE_CONFIG_KEYS[key];
  return z.preprocess((v) => (v === undefined ? spec.default : v), spec.schema as Keys[K]["schema"]);
};

export const firehoseSinkConfigSchema = z
  .object({
    streams: withDefault("streams").pipe(z.array(z.string()).min(1, "list at least one delivery stream")),
    lingerMs: withDefault("lingerMs"),
    /** Linger of a record once a RELP sender waits only on acks (Sink.flushSoon). */
    ackLingerMs: withDefault("ackLingerMs"),
    recordMaxBytes: withDefault("recordMaxBytes"),
    gzipLevel: withDefault("gzipLevel"),
    maxInFlight: withDefault("maxInFlight"),
    /** The receiver passes RECEIVER_BUFFER_BYTES: one byte budget for whichever sink runs. */
    bufferBytes: int(FIREHOSE_MIN_BUFFER_BYTES).default(67_108_864),
    maxRetries: withDefault("maxRetries"),
    retryBaseMs: withDefault("retryBaseMs"),
    retryMaxMs: withDefault("retryMaxMs"),
    requestTimeoutMs: withDefault("requestTimeoutMs"),
    closeTimeoutMs: withDefault("closeTimeoutMs"),
  })
  .refine((c) => c.retryMaxMs >= c.retryBaseMs, { message: "RECEIVER_FIREHOSE_RETRY_MAX_MS must be >= RECEIVER_FIREHOSE_RETRY_BASE_MS", path: ["retryMaxMs"] });

export type FirehoseSinkConfig = Readonly<z.output<typeof firehoseSinkConfigSchema>>;
