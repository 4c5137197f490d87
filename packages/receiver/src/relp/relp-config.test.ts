import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";

const sink = { RECEIVER_SINK: "file", RECEIVER_OUT_FILE: "/tmp/out" };
const tls = { RECEIVER_TLS_CERT_FILE: "/c.pem", RECEIVER_TLS_KEY_FILE: "/k.pem" };

describe("RELP configuration", () => {
  it("is off by default, acks after the sink, window 65536", () => {
    const c = loadConfig({ ...sink, ...tls });
    expect(c).toMatchObject({ relpPort: null, relpTlsPort: null, relpProxyProtocol: "off", relpTlsProxyProtocol: "off", relpAck: "stored", relpMaxWindow: 65536 });
  });

  it("a RELP listener alone is something to listen on", () => {
    const c = loadConfig({ ...sink, RECEIVER_TLS_PORT: "off", RECEIVER_RELP_PORT: "2514" });
    expect(c.relpPort).toBe(2514);
  });

  it("RELP over TLS needs the certificate and key even with the syslog TLS listener off", () => {
    expect(() => loadConfig({ ...sink, RECEIVER_TLS_PORT: "off", RECEIVER_RELP_TLS_PORT: "2515" })).toThrow(/RECEIVER_TLS_CERT_FILE[\s\S]*RECEIVER_TLS_KEY_FILE/);
  });

  it("rejects unknown ack modes and a zero window, naming the variables", () => {
    expect(() => loadConfig({ ...sink, ...tls, RECEIVER_RELP_ACK: "never", RECEIVER_RELP_MAX_WINDOW: "0" })).toThrow(/RECEIVER_RELP_ACK[\s\S]*RECEIVER_RELP_MAX_WINDOW/);
  });
});
