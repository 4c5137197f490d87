import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo } from "../testing/fake-io.js";
import { startDeliveryReceiver, type DeliveryReceiver } from "./testing/rsyslog-delivery.js";

/**
 * The generated omrelp drop-in delivers: a real rsyslogd running it, as written by
 * `client-config rsyslog-relp --out`, sends over RELP with TLS (x509/name both ways, client
 * certificate) to the real receiver's RELP-TLS listener, which acknowledges each message once
 * the file sink stored it. The main configuration around the drop-in only adds a plain TCP
 * input to feed messages in.
 */
const COUNT = 50;
let delivery: DeliveryReceiver;

beforeAll(async () => {
  delivery = await startDeliveryReceiver("aws-syslog-cli-relp-delivery-", { relpTlsPort: "0" });
});

afterAll(async () => {
  await delivery?.stop();
});

describe("rsyslog with the generated omrelp drop-in delivers to the receiver's RELP-TLS listener", () => {
  it("x509/name both ways, client certificate, acknowledged after the file sink", async () => {
    const { cwd, receiver } = delivery;
    const dir = join(cwd, "relp");
    const port = receiver.addresses.relpTls!.port;
    expect(await main(["client-config", "rsyslog-relp", "--out", join(dir, "files"), "--sender-dir", join(dir, "files"), "--relp-port", String(port)], fakeIo({ cwd }))).toBe(0);
    const tag = `relp-delivery-${process.pid}`;
    const records = await delivery.deliver({ dir, dropInFile: join(dir, "files", "rsyslog-relp.conf"), tag, count: COUNT });
    expect(records.every((r) => r.format === "rfc5424" && r.hostname === "web01" && r.listener === "relp-tls" && r.tls_peer === "aws-syslog")).toBe(true);
    expect(records.map((r) => r.message).sort()).toEqual(Array.from({ length: COUNT }, (_, i) => `${tag} seq=${i + 1}`).sort());
  }, 90_000);
});
