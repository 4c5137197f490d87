import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo } from "../testing/fake-io.js";
import { startDeliveryReceiver, type DeliveryReceiver } from "./testing/rsyslog-delivery.js";

/**
 * The generated rsyslog drop-in does more than parse: a real rsyslogd running it delivers over
 * TLS (x509/name on both sides, client certificate) to the real receiver. The drop-in is used
 * as written by `client-config --out`, with the sender directory pointing at the copies it
 * wrote; the main configuration around it only adds a plain TCP input to feed messages in.
 */
const COUNT = 50;
let delivery: DeliveryReceiver;

beforeAll(async () => {
  delivery = await startDeliveryReceiver("aws-syslog-cli-rsyslog-delivery-", { tlsPort: "0" });
});

afterAll(async () => {
  await delivery?.stop();
});

describe("rsyslog with the generated drop-in delivers to the receiver", () => {
  it.each(["ossl", "gtls"] as const)("driver %s", async (driver) => {
    const { cwd, receiver } = delivery;
    const dir = join(cwd, driver);
    const port = receiver.addresses.tls!.port;
    const out = await main(["client-config", `rsyslog-${driver}`, "--out", join(dir, "files"), "--sender-dir", join(dir, "files"), "--port", String(port)], fakeIo({ cwd }));
    expect(out).toBe(0);
    const tag = `delivery-${driver}-${process.pid}`;
    const records = await delivery.deliver({ dir, dropInFile: join(dir, "files", `rsyslog-${driver}.conf`), tag, count: COUNT });
    // RFC 5424 as sent by RSYSLOG_SyslogProtocol23Format, authenticated by the client certificate.
    expect(records.every((r) => r.format === "rfc5424" && r.hostname === "web01" && r.tls_peer === "aws-syslog")).toBe(true);
    expect(records.map((r) => r.message).sort()).toEqual(Array.from({ length: COUNT }, (_, i) => `${tag} seq=${i + 1}`).sort());
  }, 90_000);
});
