import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InteropHarness, expectedFor } from "../support/interop-harness.js";
import { numberedBatch, octetCounted, rfc5424, type Header } from "../support/messages.js";
import { checkDelivery, countTagged } from "../support/records.js";
import { notRefused, opensslSend } from "../support/openssl-client.js";
import { sha256Fingerprint, type CertFiles } from "../support/pki.js";
import type { RunningReceiver } from "../support/receiver.js";

const COUNT = 1_000;
const HEADER: Header = { facility: 13, severity: 6, hostname: "interop-host", appName: "interop-auth", procId: "5" };
const TIMESTAMP = "2026-11-23T12:00:00Z";
const FIELDS = { facility: 13, severity: 6, hostname: "interop-host", app_name: "interop-auth", format: "rfc5424", listener: "tls" };

// The other two rsyslog auth modes, through RECEIVER_TLS_AUTH_MODE: x509/certvalid (any
// certificate from the CA, whatever its name) and x509/fingerprint (only the listed certificates,
// CA or not, as rsyslog does).
describe("x509/certvalid and x509/fingerprint", () => {
  let h: InteropHarness;
  beforeAll(async () => {
    h = await InteropHarness.create();
  });
  afterEach(() => h.cleanup());
  afterAll(() => h?.dispose());

  async function refusedFrame(rx: RunningReceiver, label: string, cert: CertFiles) {
    const batch = numberedBatch(label, 1);
    const result = await opensslSend({
      port: rx.port, ca: h.pki.ca, cert, payload: octetCounted(rfc5424(HEADER, TIMESTAMP, batch.texts[0]!)),
      waitForServerClose: true, timeoutMs: 10_000,
    });
    return { batch, why: notRefused(result) };
  }

  async function goodSender(rx: RunningReceiver, cert: CertFiles, label: string) {
    const sender = await h.rsyslogSender({
      name: `rsyslog-gtls ${label}`, targetPort: rx.port, driver: "gtls", framing: "octet-counted", format: "rfc5424",
      authMode: "x509/name", clientCert: cert,
    });
    const batch = numberedBatch(label, COUNT);
    await sender.send(batch.texts.map((t) => rfc5424(HEADER, TIMESTAMP, t)));
    await h.delivered(rx, batch.tag, COUNT);
    return batch;
  }

  it("x509/certvalid accepts any name the CA signed and refuses a foreign CA", async () => {
    const rx = await h.receiver({ env: { RECEIVER_TLS_AUTH_MODE: "x509/certvalid" } });
    const batch = await goodSender(rx, h.pki.wrongName, "certvalid-any-name");
    const foreign = await refusedFrame(rx, "certvalid-foreign", h.pki.foreign);
    expect(foreign.why).toBeUndefined();

    await h.cleanup();
    const records = await h.records(rx);
    // With no name check the record still names the verified certificate: its CN.
    expect(checkDelivery(records, batch, expectedFor(rx, { ...FIELDS, tls_peer: "not-aws-syslog" }))).toEqual([]);
    expect(countTagged(records, foreign.batch.tag)).toBe(0);
  });

  it("x509/fingerprint accepts the listed certificate and refuses another from the same CA", async () => {
    const fingerprint = await sha256Fingerprint(h.pki.client.cert);
    const rx = await h.receiver({ env: { RECEIVER_TLS_AUTH_MODE: "x509/fingerprint", RECEIVER_TLS_FINGERPRINTS: fingerprint } });
    const batch = await goodSender(rx, h.pki.client, "fingerprint-listed");
    const other = await refusedFrame(rx, "fingerprint-other", h.pki.wrongName);
    expect(other.why).toBeUndefined();

    await h.cleanup();
    const records = await h.records(rx);
    expect(checkDelivery(records, batch, expectedFor(rx, { ...FIELDS, tls_peer: "aws-syslog" }))).toEqual([]);
    expect(countTagged(records, other.batch.tag)).toBe(0);
  });
});
