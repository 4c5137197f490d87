import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InteropHarness, expectedFor } from "../support/interop-harness.js";
import { numberedBatch, rfc3164, rfc5424, type Header } from "../support/messages.js";
import { checkDelivery, fieldPredicate } from "../support/records.js";
import type { RsyslogDriver, RsyslogForwardFormat, RsyslogFraming } from "../support/rsyslog-sender.js";

/** Messages per case: enough to cross many TLS records and rsyslog queue batches. */
const COUNT = 2_000;

// local4.warning; SD with an escaped ']' (RFC 5424 §6.3.3) to see it survive rsyslog's relay.
const HEADER: Header = {
  facility: 20,
  severity: 4,
  hostname: "interop-host",
  appName: "interop-app",
  procId: "4242",
  msgId: "ID47",
  structuredData: String.raw`[interop@32473 sender="rsyslog" escaped="a\]b"]`,
};
const TIMESTAMP = "2026-11-23T12:00:00.123456+09:00";
// RFC 3164 has no year: the receiver infers it around the receive time, so send "now".
const DATE = new Date(Math.floor(Date.now() / 1000) * 1000);

interface Case {
  driver: RsyslogDriver;
  framing: RsyslogFraming;
  format: RsyslogForwardFormat;
  mtls: boolean;
}

const CASES: Case[] = [
  { driver: "ossl", framing: "octet-counted", format: "rfc5424", mtls: false },
  { driver: "ossl", framing: "traditional", format: "rfc3164", mtls: false },
  { driver: "gtls", framing: "traditional", format: "rfc5424", mtls: false },
  { driver: "gtls", framing: "octet-counted", format: "rfc3164", mtls: false },
  { driver: "ossl", framing: "octet-counted", format: "rfc5424", mtls: true },
  { driver: "gtls", framing: "traditional", format: "rfc3164", mtls: true },
];

const COMMON = {
  facility: 20,
  severity: 4,
  facility_name: "local4",
  severity_name: "warning",
  hostname: "interop-host",
  app_name: "interop-app",
  proc_id: "4242",
  listener: "tls",
  source_ip: "127.0.0.1",
};

const BY_FORMAT = {
  rfc5424: {
    ...COMMON,
    format: "rfc5424",
    msg_id: "ID47",
    structured_data: { "interop@32473": { sender: "rsyslog", escaped: "a]b" } },
    timestamp: fieldPredicate(`the instant ${TIMESTAMP}`, (v) => typeof v === "string" && Date.parse(v) === Date.parse(TIMESTAMP)),
  },
  rfc3164: {
    ...COMMON,
    format: "rfc3164",
    msg_id: null,
    structured_data: null,
    timestamp: fieldPredicate(`the instant ${DATE.toISOString()}`, (v) => typeof v === "string" && Date.parse(v) === DATE.getTime()),
  },
};

describe("rsyslog omfwd over TLS", () => {
  let h: InteropHarness;
  beforeAll(async () => {
    h = await InteropHarness.create();
  });
  afterEach(() => h.cleanup());
  afterAll(() => h?.dispose());

  it.each(CASES)("$driver, $framing framing, $format, client certificate: $mtls", async (c) => {
    const rx = await h.receiver({ mtls: c.mtls });
    const sender = await h.rsyslogSender({
      name: `rsyslog-${c.driver}`,
      targetPort: rx.port,
      driver: c.driver,
      framing: c.framing,
      format: c.format,
      authMode: c.mtls ? "x509/name" : "anon",
      ...(c.mtls ? { clientCert: h.pki.client } : {}),
    });
    const batch = numberedBatch(`rsyslog-${c.driver}-${c.framing}`, COUNT);
    // The relay parses what it is given and re-emits it in its forward format, so the same
    // header must come out either way.
    const lines = c.format === "rfc5424"
      ? batch.texts.map((t) => rfc5424(HEADER, TIMESTAMP, t))
      : batch.texts.map((t) => rfc3164(HEADER, DATE, t));
    await sender.send(lines);

    await h.delivered(rx, batch.tag, COUNT);
    await sender.stop();
    await rx.stop(); // flushes; whatever was written twice would show now
    const records = await h.records(rx);
    const fields = expectedFor(rx, { ...BY_FORMAT[c.format], tls_peer: c.mtls ? "aws-syslog" : null });
    expect(checkDelivery(records, batch, fields)).toEqual([]);
  });
});
