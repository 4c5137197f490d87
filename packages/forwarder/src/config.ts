import { z } from "zod";
import { ConfigError } from "./errors.js";
import { DEFAULT_ROUTES_TEXT, parseRoutes, type RouteTable } from "./core/route.js";
import { LOG_STREAM_PLACEHOLDERS, parseLogStreamTemplate } from "./core/log-stream-name.js";
import { ARCHIVE_COMPRESSIONS, compressionSupported } from "./core/archive-writer.js";
import type { ArchiveOptions } from "./core/archive.js";

/**
 * The forwarder's configuration: one zod schema over FORWARDER_* environment variables
 * (documented in docs/configuration.md), parsed once, every problem reported together,
 * frozen. This is the only module that reads process.env. An empty value counts as unset.
 */
const booleanText = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const intText = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  /** Routing table, rsyslog selector lines (see core/route.ts). */
  FORWARDER_ROUTES: z.string().default(DEFAULT_ROUTES_TEXT).transform((text, ctx) => {
    try {
      return parseRoutes(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  }),
  FORWARDER_LOG_STREAM_TEMPLATE: z.string().default("{hostname}").superRefine((text, ctx) => {
    try {
      parseLogStreamTemplate(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `${(err as Error).message}; placeholders: ${LOG_STREAM_PLACEHOLDERS.join(", ")}` });
    }
  }),
  FORWARDER_TIME_ZONE: z.string().default("UTC").refine(isTimeZone, { message: "not an IANA time zone name" }),
  FORWARDER_CREATE_LOG_GROUPS: booleanText.default(false),
  FORWARDER_MAX_PARALLEL_STREAMS: intText(1, 64).default(4),
  FORWARDER_CLOUDWATCH_MAX_RETRIES: intText(0, 20).default(5),
  FORWARDER_RETRY_BASE_DELAY_MS: intText(1, 60_000).default(200),
  FORWARDER_RETRY_MAX_DELAY_MS: intText(1, 300_000).default(10_000),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "silent"]).default("info"),
  // Archive (handlers/archive.ts, core/archive.ts). Sizes in bytes.
  /** Archive bucket; required by the archive handler only. */
  FORWARDER_ARCHIVE_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "not an S3 bucket name").optional(),
  /** Key prefix before route=…; "" (default) for none. */
  FORWARDER_ARCHIVE_PREFIX: z
    .string()
    .default("")
    .refine((p) => !p.startsWith("/") && !p.split("/").some((s) => s === "." || s === ".."), { message: "must be a relative key prefix without . or .. segments" })
    .transform((p) => p.replace(/\/+$/, "")),
  FORWARDER_ARCHIVE_COMPRESSION: z
    .enum(ARCHIVE_COMPRESSIONS)
    .default("gzip")
    .refine(compressionSupported, { message: `zstd needs Node >= 22.15 (this is ${process.version}); use gzip or snappy` }),
  FORWARDER_ARCHIVE_ROWS_PER_PART: intText(1, 100_000_000).default(1_000_000),
  FORWARDER_ARCHIVE_MAX_PART_BYTES: intText(1 << 20, 1 << 30).default(32 << 20),
  FORWARDER_ARCHIVE_ROW_GROUP_ROWS: intText(1, 1_000_000).default(20_000),
  FORWARDER_ARCHIVE_ROW_GROUP_BYTES: intText(1 << 16, 256 << 20).default(8 << 20),
  FORWARDER_ARCHIVE_MAX_BUFFER_BYTES: intText(1 << 20, 4 * 2 ** 30).default(64 << 20), // 4 << 30 would overflow to 0
  /** Path-style S3 URLs, for an S3 emulator reached through AWS_ENDPOINT_URL_S3. */
  FORWARDER_S3_FORCE_PATH_STYLE: booleanText.default(false),
});

/** The archive options (core/archive.ts) other than the routes, plus the bucket. */
export interface ArchiveConfig extends Omit<ArchiveOptions, "routes"> {
  readonly bucket: string | null;
}

export interface ForwarderConfig {
  readonly routes: RouteTable;
  readonly logStreamTemplate: string;
  readonly timeZone: string;
  readonly createLogGroups: boolean;
  readonly maxParallelStreams: number;
  readonly cloudWatchMaxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly logLevel: "trace" | "debug" | "info" | "warn" | "error" | "silent";
  readonly archive: ArchiveConfig;
  readonly s3ForcePathStyle: boolean;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): ForwarderConfig {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") input[key] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const e = parsed.data;
  return Object.freeze({
    routes: e.FORWARDER_ROUTES,
    logStreamTemplate: e.FORWARDER_LOG_STREAM_TEMPLATE,
    timeZone: e.FORWARDER_TIME_ZONE,
    createLogGroups: e.FORWARDER_CREATE_LOG_GROUPS,
    maxParallelStreams: e.FORWARDER_MAX_PARALLEL_STREAMS,
    cloudWatchMaxRetries: e.FORWARDER_CLOUDWATCH_MAX_RETRIES,
    retryBaseDelayMs: e.FORWARDER_RETRY_BASE_DELAY_MS,
    retryMaxDelayMs: e.FORWARDER_RETRY_MAX_DELAY_MS,
    logLevel: e.LOG_LEVEL,
    archive: Object.freeze({
      bucket: e.FORWARDER_ARCHIVE_BUCKET ?? null,
      prefix: e.FORWARDER_ARCHIVE_PREFIX,
      compression: e.FORWARDER_ARCHIVE_COMPRESSION,
      rowsPerPart: e.FORWARDER_ARCHIVE_ROWS_PER_PART,
      maxPartBytes: e.FORWARDER_ARCHIVE_MAX_PART_BYTES,
      rowGroupRows: e.FORWARDER_ARCHIVE_ROW_GROUP_ROWS,
      rowGroupBytes: e.FORWARDER_ARCHIVE_ROW_GROUP_BYTES,
      maxBufferBytes: e.FORWARDER_ARCHIVE_MAX_BUFFER_BYTES,
    }),
    s3ForcePathStyle: e.FORWARDER_S3_FORCE_PATH_STYLE,
  });
}

let cached: ForwarderConfig | undefined;

/** The process's configuration, parsed on first use (Lambda init) and then reused. */
export function forwarderConfig(): ForwarderConfig {
  cached ??= loadConfig();
  return cached;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
