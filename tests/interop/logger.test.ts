import { hostname } from "node:os";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InteropHarness, expectedFor } from "../support/interop-harness.js";
import { numberedBatch } from "../support/messages.js";
import { checkDelivery, fieldPredicate } from "../support/records.js";
import { loggerSend } from "../support/logger-client.js";

const COUNT = 2_000;

interface Case {
  protocol: "rfc5424" | "rfc3164";
  octetCount: boolean;
}

const CASES: Case[] = [
  { protocol: "rfc5424", octetCount: true },
  { protocol: "rfc5424", octetCount: false },
  { protocol: "rfc3164", octetCount: false },
  { protocol: "rfc3164", octetCount: true },
];

// logger --rfc5424 adds [timeQuality tzKnown="1" isSynced="0|1" (syncAccuracy="…")] unless told
// not to; isSynced depends on the machine's clock discipline, so only its presence is checked.
const timeQuality = fieldPredicate('{timeQuality: {tzKnown: "1", isSynced: …}}', (v) => {
  const tq = (v as Record<string, Record<string, unknown>> | null)?.timeQuality;
  return tq?.tzKnown === "1" && (tq.isSynced === "0" || tq.isSynced === "1");
});

describe("util-linux logger over the plain TCP listener", () => {
  let h: InteropHarness;
  beforeAll(async () => {
    h = await InteropHarness.create();
  });
  afterEach(() => h.cleanup());
  afterAll(() => h?.dispose());

  it.each(CASES)("$protocol, octet counting: $octetCount", async (c) => {
    const rx = await h.receiver({ tcp: true });
    const batch = numberedBatch(`logger-${c.protocol}`, COUNT);
    const result = await loggerSend({
      port: rx.tcpPort!,
      protocol: c.protocol,
      octetCount: c.octetCount,
      tag: "interop-logger",
      priority: "local3.info",
      procId: "31337",
      ...(c.protocol === "rfc5424" ? { msgId: "LOGGER1" } : {}),
      lines: batch.texts,
    });
    expect(result.code, result.stderr).toBe(0);

    await h.delivered(rx, batch.tag, COUNT);
    await rx.stop();
    const records = await h.records(rx);
    const fields = expectedFor(rx, {
      facility: 19,
      severity: 6,
      facility_name: "local3",
      severity_name: "info",
      hostname: hostname(),
      app_name: "interop-logger",
      proc_id: "31337",
      format: c.protocol,
      listener: "tcp",
      tls_peer: null,
      source_ip: "127.0.0.1",
      ...(c.protocol === "rfc5424" ? { msg_id: "LOGGER1", structured_data: timeQuality } : { msg_id: null, structured_data: null }),
    });
    expect(checkDelivery(records, batch, fields)).toEqual([]);
  });
});
