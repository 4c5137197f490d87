import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";

const base = { RECEIVER_TLS_CERT_FILE: "/c.pem", RECEIVER_TLS_KEY_FILE: "/k.pem", RECEIVER_SINK: "file", RECEIVER_OUT_FILE: "/tmp/out" };

describe("loadConfig", () => {
  it("applies documented defaults and freezes the result", () => {
    const c = loadConfig(base);
    expect(c.tlsPort).toBe(6514);
    expect(c.tcpPort).toBeNull();
    expect(c.tlsAuthMode).toBe("anon");
    expect(c.maxFrameBytes).toBe(65536);
    expect(c.drainTimeoutMs).toBe(25000);
    expect(Object.isFrozen(c)).toBe(true);
    for (const spec of Object.values(CONFIG_KEYS)) expect(spec.env).toMatch(/^(RECEIVER_|LOG_LEVEL$)/);
  });

  it("reports every problem at once, each naming its variable", () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ ...base, RECEIVER_TLS_PORT: "70000", RECEIVER_MAX_FRAME_BYTES: "abc", RECEIVER_TLS_AUTH_MODE: "x509/nam" });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.code).toBe("RCV_CONFIG_INVALID");
    expect(error!.problems).toHaveLength(3);
    expect(error!.message).toContain("RECEIVER_TLS_PORT");
    expect(error!.message).toContain("RECEIVER_MAX_FRAME_BYTES");
    expect(error!.message).toContain("RECEIVER_TLS_AUTH_MODE");
  });

  it("checks combinations: x509/name needs a CA and peers; sinks need their target", () => {
    expect(() => loadConfig({ ...base, RECEIVER_TLS_AUTH_MODE: "x509/name" })).toThrow(/RECEIVER_TLS_CA_FILE[\s\S]*RECEIVER_TLS_PERMITTED_PEERS/);
    expect(() => loadConfig({ ...base, RECEIVER_OUT_FILE: "" })).toThrow(/RECEIVER_OUT_FILE is required/);
    expect(() => loadConfig({ RECEIVER_TLS_PORT: "off", RECEIVER_SINK: "staging" })).toThrow(/both off[\s\S]*RECEIVER_STAGING_DIR/);
    expect(() => loadConfig({ ...base, RECEIVER_DEFAULT_TIMEZONE: "Mars/Olympus" })).toThrow(/RECEIVER_DEFAULT_TIMEZONE/);
    const firehose = { ...base, RECEIVER_SINK: "firehose", RECEIVER_FIREHOSE_STREAMS: "a" };
    expect(() => loadConfig({ ...firehose, RECEIVER_BUFFER_BYTES: "524288" })).toThrow(/RECEIVER_BUFFER_BYTES=524288: the Firehose sink needs at least 1048576/);
    expect(loadConfig({ ...firehose, RECEIVER_BUFFER_BYTES: "1048576" }).bufferBytes).toBe(1_048_576);
    expect(loadConfig({ ...base, RECEIVER_BUFFER_BYTES: "524288" }).bufferBytes).toBe(524_288);
  });

  it("parses lists, fingerprints and off ports", () => {
    const c = loadConfig({
      ...base,
      RECEIVER_TLS_AUTH_MODE: "x509/fingerprint",
      RECEIVER_TLS_FINGERPRINTS: "sha256:ab:cd, SHA1:01:02",
      RECEIVER_TCP_PORT: "6601",
      RECEIVER_HEALTH_PORT: "off",
      RECEIVER_DEFAULT_TIMEZONE: "Asia/Tokyo",
    });
    expect(c.tlsFingerprints).toEqual(["SHA256:AB:CD", "SHA1:01:02"]);
    expect(c.tcpPort).toBe(6601);
    expect(c.healthPort).toBeNull();
    expect(() => loadConfig({ ...base, RECEIVER_TLS_AUTH_MODE: "x509/fingerprint", RECEIVER_TLS_FINGERPRINTS: "md5:00" })).toThrow(/rsyslog notation/);
  });
});
