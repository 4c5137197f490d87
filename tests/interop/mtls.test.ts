import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InteropHarness, expectedFor } from "../support/interop-harness.js";
import { numberedBatch, octetCounted, rfc5424, type Header } from "../support/messages.js";
import { checkDelivery, countTagged } from "../support/records.js";
import { notRefused, opensslSend } from "../support/openssl-client.js";
import type { CertFiles, TestPki } from "../support/pki.js";
import type { RsyslogDriver } from "../support/rsyslog-sender.js";
import { receiverKind, type RunningReceiver } from "../support/receiver.js";

/** Messages from the good sender, half before the refused clients try, half after. */
const COUNT = 2_000;
/** Messages each refused sender is handed (none may arrive). */
const REFUSED_COUNT = 200;

const HEADER: Header = { facility: 16, severity: 6, hostname: "interop-host", appName: "interop-mtls", procId: "1" };
const TIMESTAMP = "2026-11-23T12:00:00.000Z";

type Refused = "wrongName" | "foreign" | "expired" | "none";
const REFUSED: Refused[] = ["wrongName", "foreign", "expired", "none"];

const certOf = (pki: TestPki, r: Refused): CertFiles | undefined => (r === "none" ? undefined : pki[r]);

const FIELDS = {
  facility: 16,
  severity: 6,
  hostname: "interop-host",
  app_name: "interop-mtls",
  format: "rfc5424",
  listener: "tls",
};

describe("client certificates checked as x509/name (MTLS=1)", () => {
  let h: InteropHarness;
  beforeAll(async () => {
    h = await InteropHarness.create();
  });
  afterEach(() => h.cleanup());
  afterAll(() => h?.dispose());

  /** Sends one octet-counted frame with openssl s_client; returns its tag and the client's result. */
  async function opensslAttempt(rx: RunningReceiver, label: string, cert: CertFiles | undefined, expectRefusal: boolean) {
    const batch = numberedBatch(`openssl-${label}`, 1);
    const frame = octetCounted(rfc5424(HEADER, TIMESTAMP, batch.texts[0]!));
    const result = await opensslSend({
      port: rx.port, ca: h.pki.ca, ...(cert ? { cert } : {}), payload: frame,
      waitForServerClose: expectRefusal, timeoutMs: 10_000,
    });
    return { batch, result };
  }

  it.each<RsyslogDriver>(["ossl", "gtls"])(
    "refuses wrong-name, foreign-CA, expired and missing certificates from rsyslog %s while a good sender keeps delivering",
    async (driver) => {
      const rx = await h.receiver({ mtls: true });
      const good = await h.rsyslogSender({
        name: `rsyslog-${driver} good`, targetPort: rx.port, driver, framing: "octet-counted", format: "rfc5424",
        authMode: "x509/name", clientCert: h.pki.client,
      });
      const goodBatch = numberedBatch(`mtls-good-${driver}`, COUNT);
      const lines = goodBatch.texts.map((t) => rfc5424(HEADER, TIMESTAMP, t));
      await good.send(lines.slice(0, COUNT / 2));
      await h.delivered(rx, goodBatch.tag, COUNT / 2);

      // Real senders with bad credentials, each retrying every second for the whole test.
      const refusedBatches = await Promise.all(REFUSED.map(async (r) => {
        const cert = certOf(h.pki, r);
        const sender = await h.rsyslogSender({
          name: `rsyslog-${driver} ${r}`, targetPort: rx.port, driver, framing: "octet-counted", format: "rfc5424",
          authMode: "x509/name", ...(cert ? { clientCert: cert } : {}),
        });
        const batch = numberedBatch(`mtls-${r}-${driver}`, REFUSED_COUNT);
        await sender.send(batch.texts.map((t) => rfc5424(HEADER, TIMESTAMP, t)));
        return batch;
      }));
      // openssl s_client with the same bad credentials: the refusal shows on the client side.
      const attempts = await Promise.all(REFUSED.map((r) => opensslAttempt(rx, `${r}-${driver}`, certOf(h.pki, r), true)));
      expect(attempts.flatMap((a, i) => {
        const why = notRefused(a.result);
        return why ? [`${REFUSED[i]}: ${why}`] : [];
      })).toEqual([]);

      await good.send(lines.slice(COUNT / 2));
      await h.delivered(rx, goodBatch.tag, COUNT);
      // A control: the same s_client path with the good certificate is accepted.
      const control = await opensslAttempt(rx, `control-${driver}`, h.pki.client, false);
      expect(control.result.code, control.result.stderr).toBe(0);
      await h.delivered(rx, control.batch.tag, 1);

      await h.cleanup(); // senders, then the receiver (flush)
      const records = await h.records(rx);
      expect(checkDelivery(records, goodBatch, expectedFor(rx, { ...FIELDS, tls_peer: "aws-syslog" }))).toEqual([]);
      for (const b of [...refusedBatches, ...attempts.map((a) => a.batch)]) {
        expect(countTagged(records, b.tag), `records from refused client ${b.tag}`).toBe(0);
      }
    },
  );

  // rsyslog 8.2302's ossl driver passes the permitted peer to X509_check_host as a host name,
  // so "*.example.com" never matches there: this case is for the product receiver only.
  it.skipIf(receiverKind() === "rsyslog")("accepts a SAN matching the wildcard permitted peer *.example.com, and refuses a name outside it", async () => {
    const rx = await h.receiver({
      mtls: true,
      env: { RECEIVER_TLS_AUTH_MODE: "x509/name", RECEIVER_TLS_PERMITTED_PEERS: "*.example.com" },
    });
    const sender = await h.rsyslogSender({
      name: "rsyslog-ossl wildcard", targetPort: rx.port, driver: "ossl", framing: "traditional", format: "rfc5424",
      authMode: "x509/name", clientCert: h.pki.wildcard,
    });
    const batch = numberedBatch("mtls-wildcard", COUNT);
    await sender.send(batch.texts.map((t) => rfc5424(HEADER, TIMESTAMP, t)));
    await h.delivered(rx, batch.tag, COUNT);
    const outside = await opensslAttempt(rx, "outside-wildcard", h.pki.client, true);
    expect(notRefused(outside.result)).toBeUndefined();

    await h.cleanup();
    const records = await h.records(rx);
    // The verified name is the SAN that matched, not the certificate's CN (interop-wildcard).
    expect(checkDelivery(records, batch, expectedFor(rx, { ...FIELDS, tls_peer: "host1.example.com" }))).toEqual([]);
    expect(countTagged(records, outside.batch.tag), "aws-syslog is not under *.example.com").toBe(0);
  });
});
