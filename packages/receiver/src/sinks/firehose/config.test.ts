import { describe, expect, it } from "vitest";
import { MAX_RECORD_PAYLOAD_BYTES } from "../../batch/firehose-limits.js";
import { FIREHOSE_CONFIG_KEYS, firehoseSinkConfigSchema } from "./config.js";
import { buildPutRecordBatchInput } from "./request-builder.js";

describe("firehoseSinkConfigSchema", () => {
  it("fills every default and splits the stream list", () => {
    expect(firehoseSinkConfigSchema.parse({ streams: " a, b ,," })).toEqual({
      streams: ["a", "b"],
      lingerMs: 1000,
      ackLingerMs: 100,
      recordMaxBytes: MAX_RECORD_PAYLOAD_BYTES,
      gzipLevel: 1,
      maxInFlight: 4,
      bufferBytes: 67_108_864,
      maxRetries: 8,
      retryBaseMs: 100,
      retryMaxMs: 10_000,
      requestTimeoutMs: 10_000,
      closeTimeoutMs: 20_000,
    });
  });

  it("takes env-style strings and reports every problem", () => {
    expect(firehoseSinkConfigSchema.parse({ streams: ["x"], lingerMs: "250", maxInFlight: "8" })).toMatchObject({ lingerMs: 250, maxInFlight: 8 });
    const r = firehoseSinkConfigSchema.safeParse({ streams: "", recordMaxBytes: String(MAX_RECORD_PAYLOAD_BYTES + 1), gzipLevel: "0" });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(["streams", "recordMaxBytes", "gzipLevel"]);
    expect(firehoseSinkConfigSchema.safeParse({ streams: "bad name" }).success).toBe(false);
    expect(firehoseSinkConfigSchema.safeParse({ streams: "x", ackLingerMs: "-1" }).success).toBe(false);
    expect(firehoseSinkConfigSchema.safeParse({ streams: "x", ackLingerMs: "soon" }).success).toBe(false);
  });

  it("keys carry their RECEIVER_FIREHOSE_* variable and a default the schema accepts", () => {
    for (const spec of Object.values(FIREHOSE_CONFIG_KEYS)) {
      expect(spec.env).toMatch(/^RECEIVER_FIREHOSE_[A-Z_]+$/);
      expect(spec.schema.safeParse(spec.default).success).toBe(true);
    }
  });
});

describe("buildPutRecordBatchInput", () => {
  it("accepts a 1,000 KiB entry and refuses one byte over, 501 entries or 4 MiB + 1", () => {
    expect(buildPutRecordBatchInput("s", [new Uint8Array(1_024_000)]).Records).toHaveLength(1);
    expect(() => buildPutRecordBatchInput("s", [new Uint8Array(1_024_001)])).toThrow(RangeError);
    expect(() => buildPutRecordBatchInput("s", Array.from({ length: 501 }, () => new Uint8Array(1)))).toThrow(RangeError);
    const four = Array.from({ length: 4 }, () => new Uint8Array(1_024_000));
    expect(buildPutRecordBatchInput("s", [...four, new Uint8Array(4 * 1024 * 1024 - 4_096_000)]).Records).toHaveLength(5);
    expect(() => buildPutRecordBatchInput("s", [...four, new Uint8Array(4 * 1024 * 1024 - 4_096_000 + 1)])).toThrow(RangeError);
  });
});
