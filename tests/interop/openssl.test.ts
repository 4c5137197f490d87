import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InteropHarness, expectedFor } from "../support/interop-harness.js";
import { numberedBatch, octetCounted, rfc3164, rfc5424, type Batch } from "../support/messages.js";
import { checkDelivery, fieldPredicate, type ExpectedFields } from "../support/records.js";
import { opensslSend } from "../support/openssl-client.js";

/** Numbered frames after the hand-written ones, on the same connection. */
const COUNT = 1_000;

interface Frame {
  /** The syslog message as written on the wire (before framing). */
  wire: string;
  /** MSG as the record must hold it. */
  message: string;
  fields: ExpectedFields;
}

const instant = (iso: string) => fieldPredicate(`the instant ${iso}`, (v) => typeof v === "string" && Date.parse(v) === Date.parse(iso));

/** Hand-written frames for the octet-counted connection: RFC 5424 corners real senders produce. */
function octetFrames(tag: string): Frame[] {
  const json = { event: "login", user: "alice", tag: `${tag}-f1` };
  const f2 = `${tag}-f2 résumé ✓ 日本語`;
  const f3 = `${tag}-f3 first line\nsecond line`;
  const f4 = `${tag}-f4 all NILVALUE`;
  return [
    {
      // OneGate's shape: local0, MSG is a JSON object.
      wire: `<134>1 2026-11-23T12:34:56.789Z onegate.example.com OneGate - ONEGATE - ${JSON.stringify(json)}`,
      message: JSON.stringify(json),
      fields: {
        facility: 16, severity: 6, hostname: "onegate.example.com", app_name: "OneGate", proc_id: null,
        msg_id: "ONEGATE", structured_data: null, message_json: json, format: "rfc5424",
        timestamp: instant("2026-11-23T12:34:56.789Z"),
      },
    },
    {
      // RFC 5424 §6.4: a BOM marks MSG as UTF-8; two SD elements, one IANA-registered.
      wire: `<165>1 2026-11-23T12:34:56.789+09:00 host.example.com app 77 - [origin ip="192.0.2.1"][interop@32473 k="v"] \uFEFF${f2}`,
      message: f2,
      fields: {
        facility: 20, severity: 5, hostname: "host.example.com", app_name: "app", proc_id: "77", msg_id: null,
        structured_data: { origin: { ip: "192.0.2.1" }, "interop@32473": { k: "v" } }, format: "rfc5424",
        timestamp: instant("2026-11-23T12:34:56.789+09:00"),
      },
    },
    {
      // Octet counting is what lets a message carry LF (RFC 6587 §3.4.1).
      wire: `<14>1 2026-11-23T12:34:56Z h a - - - ${f3}`,
      message: f3,
      fields: { facility: 1, severity: 6, hostname: "h", app_name: "a", format: "rfc5424" },
    },
    {
      wire: `<14>1 - - - - - - ${f4}`,
      message: f4,
      fields: { facility: 1, severity: 6, timestamp: null, hostname: null, app_name: null, proc_id: null, msg_id: null, structured_data: null, format: "rfc5424" },
    },
  ];
}

/** Hand-written frames for the LF-framed connection. */
function lfFrames(tag: string): Frame[] {
  const f5 = `${tag}-f5 Accepted publickey for ec2-user`;
  const f6 = `${tag}-f6 (root) CMD (run-parts /etc/cron.hourly)`;
  const f7 = `${tag}-f7 RFC 5424 with LF framing`;
  return [
    {
      wire: `<38>Nov 23 12:34:56 gw sshd[4711]: ${f5}`,
      message: f5,
      fields: { facility: 4, severity: 6, facility_name: "auth", hostname: "gw", app_name: "sshd", proc_id: "4711", format: "rfc3164" },
    },
    {
      // Day padded with a space, no PID.
      wire: `<78>Nov  3 01:02:03 gw CROND: ${f6}`,
      message: f6,
      fields: { facility: 9, severity: 6, facility_name: "cron", hostname: "gw", app_name: "CROND", proc_id: null, format: "rfc3164" },
    },
    {
      wire: `<14>1 2026-11-23T12:34:56Z h a - - - ${f7}`,
      message: f7,
      fields: { facility: 1, severity: 6, hostname: "h", app_name: "a", format: "rfc5424" },
    },
  ];
}

const NUMBERED = { facility: 23, severity: 7, hostname: "interop-host", app_name: "interop-openssl", proc_id: "9" };
const HEADER = { facility: 23, severity: 7, hostname: "interop-host", appName: "interop-openssl", procId: "9" };

describe("openssl s_client with hand-written frames", () => {
  let h: InteropHarness;
  beforeAll(async () => {
    h = await InteropHarness.create();
  });
  afterEach(() => h.cleanup());
  afterAll(() => h?.dispose());

  it.each(["octet-counted", "LF"] as const)("%s framing, client certificate presented", async (framing) => {
    const rx = await h.receiver({ mtls: true });
    const tag = `interop-openssl-${randomBytes(4).toString("hex")}`;
    const frames = framing === "octet-counted" ? octetFrames(tag) : lfFrames(tag);
    const numbered = numberedBatch(`openssl-${framing}`, COUNT);
    const wire = [
      ...frames.map((f) => f.wire),
      ...numbered.texts.map((t) => framing === "octet-counted" ? rfc5424(HEADER, "2026-11-23T12:00:00Z", t) : rfc3164(HEADER, new Date(), t)),
    ];
    const payload = framing === "octet-counted" ? wire.map(octetCounted).join("") : wire.map((w) => `${w}\n`).join("");

    const result = await opensslSend({ port: rx.port, ca: h.pki.ca, cert: h.pki.client, payload });
    expect(result.code, result.stderr).toBe(0);

    await h.delivered(rx, numbered.tag, COUNT);
    await h.delivered(rx, tag, frames.length);
    await rx.stop();
    const records = await h.records(rx);
    const common = { listener: "tls", tls_peer: "aws-syslog", source_ip: "127.0.0.1" };
    const problems = frames.flatMap((f, i) => {
      const batch: Batch = { tag: `${tag}-f${framing === "octet-counted" ? i + 1 : i + 5}`, texts: [f.message] };
      return checkDelivery(records, batch, expectedFor(rx, { ...common, ...f.fields })).map((p) => `frame ${i + 1}: ${p}`);
    });
    problems.push(...checkDelivery(records, numbered, expectedFor(rx, {
      ...common, ...NUMBERED, format: framing === "octet-counted" ? "rfc5424" : "rfc3164",
    })));
    expect(problems).toEqual([]);
  });
});
