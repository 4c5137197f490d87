import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";

describe("loadConfig", () => {
  it("has documented defaults and is frozen", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      logStreamTemplate: "{hostname}", timeZone: "UTC", createLogGroups: false, maxParallelStreams: 4,
      cloudWatchMaxRetries: 5, retryBaseDelayMs: 200, retryMaxDelayMs: 10_000, logLevel: "info",
    });
    expect(config.routes.routes.map((r) => r.name)).toEqual(["messages", "secure", "maillog", "cron", "boot", "onegate"]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads FORWARDER_* values and treats empty as unset", () => {
    const config = loadConfig({
      FORWARDER_ROUTES: "*.* /all", FORWARDER_CREATE_LOG_GROUPS: "true", FORWARDER_TIME_ZONE: "Asia/Tokyo",
      FORWARDER_MAX_PARALLEL_STREAMS: "8", FORWARDER_LOG_STREAM_TEMPLATE: "{hostname}/{app_name}", LOG_LEVEL: "",
    });
    expect(config.routes.routes.map((r) => r.logGroup)).toEqual(["/all"]);
    expect(config).toMatchObject({ createLogGroups: true, timeZone: "Asia/Tokyo", maxParallelStreams: 8, logLevel: "info" });
  });

  it("reports every problem at once", () => {
    let error: unknown;
    try {
      loadConfig({
        FORWARDER_ROUTES: "kern.nope /x", FORWARDER_TIME_ZONE: "Mars/Olympus", FORWARDER_CREATE_LOG_GROUPS: "yes",
        FORWARDER_MAX_PARALLEL_STREAMS: "0", FORWARDER_LOG_STREAM_TEMPLATE: "{host}",
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join("\n");
    for (const key of ["FORWARDER_ROUTES", "FORWARDER_TIME_ZONE", "FORWARDER_CREATE_LOG_GROUPS", "FORWARDER_MAX_PARALLEL_STREAMS", "FORWARDER_LOG_STREAM_TEMPLATE"]) {
      expect(issues).toContain(key);
    }
    expect(issues).toContain("line 1");
    expect((error as ConfigError).code).toBe("FWD_CONFIG_INVALID");
  });
});

describe("FORWARDER_ARCHIVE_MAX_BUFFER_BYTES", () => {
  // Regression: the bound was written 4 << 30, which is 0 in 32-bit arithmetic, so every explicit value was refused.
  it("accepts explicit values up to 4 GiB", () => {
    expect(loadConfig({ FORWARDER_ARCHIVE_MAX_BUFFER_BYTES: String(64 << 20) }).archive.maxBufferBytes).toBe(64 << 20);
    expect(loadConfig({ FORWARDER_ARCHIVE_MAX_BUFFER_BYTES: String(4 * 2 ** 30) }).archive.maxBufferBytes).toBe(4 * 2 ** 30);
    expect(() => loadConfig({ FORWARDER_ARCHIVE_MAX_BUFFER_BYTES: String(4 * 2 ** 30 + 1) })).toThrow();
  });
});

describe("FORWARDER_ARCHIVE_COMPRESSION", () => {
  const zstdInThisNode = typeof (zlib as Record<string, unknown>).zstdCompressSync === "function";

  it("defaults to gzip on every runtime, so one configuration writes the same files on Node 20 and 22", () => {
    expect(loadConfig({}).archive.compression).toBe("gzip");
    expect(loadConfig({ FORWARDER_ARCHIVE_COMPRESSION: "snappy" }).archive.compression).toBe("snappy");
  });

  it.runIf(zstdInThisNode)("accepts zstd where node:zlib has it (Node >= 22.15, the Lambdas' runtime)", () => {
    expect(loadConfig({ FORWARDER_ARCHIVE_COMPRESSION: "zstd" }).archive.compression).toBe("zstd");
  });

  it.runIf(!zstdInThisNode)("refuses zstd where node:zlib lacks it, naming the Node version needed", () => {
    expect(() => loadConfig({ FORWARDER_ARCHIVE_COMPRESSION: "zstd" })).toThrow(
      expect.objectContaining({ code: "FWD_CONFIG_INVALID", message: expect.stringMatching(/FORWARDER_ARCHIVE_COMPRESSION: zstd needs Node >= 22\.15/) }),
    );
  });

  it("refuses an unknown codec", () => {
    expect(() => loadConfig({ FORWARDER_ARCHIVE_COMPRESSION: "brotli" })).toThrow(expect.objectContaining({ code: "FWD_CONFIG_INVALID", message: expect.stringContaining("FORWARDER_ARCHIVE_COMPRESSION") }));
  });
});
