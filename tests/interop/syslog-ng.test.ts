import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InteropHarness, expectedFor } from "../support/interop-harness.js";
import { numberedBatch, rfc3164, type Header } from "../support/messages.js";
import { checkDelivery, fieldPredicate } from "../support/records.js";
import type { SyslogNgDriver } from "../support/syslog-ng-sender.js";

const COUNT = 2_000;

// local2.err, written as a local program would hand it to a relay.
const HEADER: Header = { facility: 18, severity: 3, hostname: "interop-host", appName: "interop-app", procId: "777" };
// RFC 3164 has no year: the receiver infers it around the receive time, so send "now".
const DATE = new Date(Math.floor(Date.now() / 1000) * 1000);
const sameInstant = fieldPredicate(`the instant ${DATE.toISOString()}`, (v) => typeof v === "string" && Date.parse(v) === DATE.getTime());

// syslog() adds RFC 5424 §7.3.1 [meta sequenceId="N"] to every message (N counts per
// destination from 1); network() sends no SD and no MSGID.
const metaSequence = fieldPredicate('{meta: {sequenceId: "<decimal>"}}', (v) => {
  const meta = (v as Record<string, Record<string, unknown>> | null)?.meta;
  return meta !== undefined && Object.keys(v as object).length === 1 && /^[1-9]\d*$/.test(String(meta.sequenceId));
});

const COMMON = {
  facility: 18,
  severity: 3,
  facility_name: "local2",
  severity_name: "err",
  hostname: "interop-host",
  app_name: "interop-app",
  proc_id: "777",
  listener: "tls",
  source_ip: "127.0.0.1",
};

interface Case {
  driver: SyslogNgDriver;
  mtls: boolean;
}

const CASES: Case[] = [
  { driver: "syslog", mtls: false },
  { driver: "network", mtls: false },
  { driver: "syslog", mtls: true },
];

describe("syslog-ng over TLS", () => {
  let h: InteropHarness;
  beforeAll(async () => {
    h = await InteropHarness.create();
  });
  afterEach(() => h.cleanup());
  afterAll(() => h?.dispose());

  // syslog() = RFC 5424 with octet counting; network() = RFC 3164 lines with LF framing.
  it.each(CASES)("$driver() destination, client certificate: $mtls", async (c) => {
    const rx = await h.receiver({ mtls: c.mtls });
    const sender = await h.syslogNgSender({
      name: `syslog-ng ${c.driver}()`,
      targetPort: rx.port,
      driver: c.driver,
      ...(c.mtls ? { clientCert: h.pki.client } : {}),
    });
    const batch = numberedBatch(`syslog-ng-${c.driver}`, COUNT);
    await sender.send(batch.texts.map((t) => rfc3164(HEADER, DATE, t)));

    await h.delivered(rx, batch.tag, COUNT);
    await sender.stop();
    await rx.stop();
    const records = await h.records(rx);
    const fields = expectedFor(rx, {
      ...COMMON,
      format: c.driver === "syslog" ? "rfc5424" : "rfc3164",
      structured_data: c.driver === "syslog" ? metaSequence : null,
      msg_id: null,
      timestamp: sameInstant,
      tls_peer: c.mtls ? "aws-syslog" : null,
    });
    expect(checkDelivery(records, batch, fields)).toEqual([]);
  });
});
