import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DaemonSet } from "../support/daemon.js";
import { DELIVERY_TIMEOUT_MS, InteropHarness } from "../support/interop-harness.js";
import { numberedBatch, rfc5424, type Header } from "../support/messages.js";
import { freePort } from "../support/ports.js";
import { receiverKind, startReceiver } from "../support/receiver.js";
import { RsyslogRelpSender } from "../support/rsyslog-relp-sender.js";
import { RsyslogSender } from "../support/rsyslog-sender.js";
import { stopMidStreamAndRestart, type StopRestartFigures } from "../support/stop-restart.js";
import { waitForPort } from "../support/wait.js";

/**
 * The same scenario over TLS syslog (omfwd) and RELP over TLS (omrelp), in one run, for the
 * side-by-side figures of docs/RELIABILITY.md: rsyslog with a disk-assisted action queue is
 * handed N numbered messages at 20,000 a second, the receiver gets
 * SIGTERM (or, for the crash rows, SIGKILL) once a tenth has arrived and is started again on
 * the same ports.
 *
 * RELP must lose nothing (the receiver answers rsp 200 only for stored records, rsyslog resends
 * every unanswered one). Plain TCP syslog promises nothing: what sat in socket buffers when the
 * connection went away is gone, and omfwd has already deleted it from its queue. Its loss is
 * measured, not asserted; after the restart a sentinel is sent behind the batch through the
 * same in-order queue, so once it has arrived, whatever is still missing was lost.
 */
/** Enough that rsyslog is still sending when the drain deadline cuts the connection. */
const COUNT = 100_000;
const HEADER: Header = { facility: 20, severity: 4, hostname: "tcp-relp-host", appName: "tcp-vs-relp", procId: "9", msgId: "CMP", structuredData: "-" };
const TIMESTAMP = "2026-11-23T12:00:00.123456+09:00";
/**
 * Receiver drain deadline. A sender that keeps sending is cut at the connection share of it,
 * whatever its length (25 s by default); 3 s makes the cut come while rsyslog is still busy
 * with the batch instead of after it has sent everything, and keeps the test short.
 */
const DRAIN_MS = "3000";
/** omrelp messages in flight: more than the default 128, so RELP is not the slow lane here. */
const RELP_WINDOW = 1024;
/**
 * Injection pace: 20,000 messages a second (2,000 every 100 ms), so the batch takes 5 s and the
 * sender is still busy when the drain cuts its connection. Unpaced, rsyslog hands all 100,000
 * over TLS within the drain and the receiver reads every one before it exits: no cut, nothing
 * to compare.
 */
const CHUNK = 2_000;
type Pace = "20k/s" | "burst";
/** SIGTERM and kill -9 at 20,000 a second; kill -9 of a receiver saturated by a burst. */
const CASES = [
  { signal: "SIGTERM", pace: "20k/s" },
  { signal: "SIGKILL", pace: "20k/s" },
  { signal: "SIGKILL", pace: "burst" },
] as const;
const CHUNK_INTERVAL_MS = 100;

/** Hands lines to rsyslog at the pace above (each chunk on its own connection, in order), or
 * all at once ("burst": as fast as rsyslog's input takes them). */
async function paced(send: (lines: readonly string[]) => Promise<void>, lines: readonly string[], pace: Pace): Promise<void> {
  if (pace === "burst") return send(lines);
  for (let i = 0; i < lines.length; i += CHUNK) {
    const next = sleep(CHUNK_INTERVAL_MS);
    await send(lines.slice(i, i + CHUNK));
    await next;
  }
}

let h: InteropHarness;
const daemons = new DaemonSet();
const rows: string[] = [];

beforeAll(async () => {
  h = await InteropHarness.create();
});
afterEach(async () => {
  await daemons.stopAll();
  await h.cleanup();
});
afterAll(() => {
  if (rows.length > 0) console.log(["| Transport, signal | Sent | Received | Duplicates | Lost | Stored before the signal |", "|---|---|---|---|---|---|", ...rows].join("\n"));
  h?.dispose();
});

function row(transport: string, f: StopRestartFigures): void {
  rows.push(`| ${transport} | ${f.sent} | ${f.received} | ${f.duplicates} | ${f.lost} | ${f.beforeStop} |`);
  console.log(`${transport}: sent ${f.sent}, received ${f.received}, duplicates ${f.duplicates}, lost ${f.lost} (${f.beforeStop} stored before the signal)`);
}

describe.skipIf(receiverKind() !== "product")("receiver SIGTERMed mid-stream and restarted: TLS syslog vs RELP, same rsyslog, same load", () => {
  it.each(CASES)("omfwd over TLS (octet-counted RFC 5424, disk-assisted queue), $signal at $pace: loss measured", async ({ signal, pace }) => {
    const workDir = await h.dir(`tcp-receiver-${signal}-${pace === "burst" ? "burst" : "paced"}`);
    const port = await freePort();
    const start = async () => {
      const rx = await startReceiver({ pki: h.pki, workDir, port, env: { RECEIVER_DRAIN_TIMEOUT_MS: DRAIN_MS } });
      daemons.add({ stop: () => rx.daemon.stop() });
      return rx;
    };
    const tx = daemons.add(await RsyslogSender.start({
      name: "omfwd-tls-disk-queue", workDir: await h.dir(`omfwd-${signal}-${pace === "burst" ? "burst" : "paced"}`), pki: h.pki, targetPort: port,
      driver: "ossl", framing: "octet-counted", format: "rfc5424", authMode: "anon", diskQueue: true,
    }));
    const batch = numberedBatch(`tcp-${signal.toLowerCase()}-${pace === "burst" ? "burst" : "paced"}`, COUNT);
    const sentinelTag = `sentinel-${randomBytes(4).toString("hex")}`;
    const { figures, receiver } = await stopMidStreamAndRestart({
      start, send: (l) => paced((c) => tx.send(c), l, pace), batch, lines: batch.texts.map((t) => rfc5424(HEADER, TIMESTAMP, t)), signal,
      settle: { sentinel: (n) => rfc5424(HEADER, TIMESTAMP, `${sentinelTag} end of batch, try ${n}`), tag: sentinelTag },
      timeoutMs: DELIVERY_TIMEOUT_MS, describeSender: () => tx.describe(),
    });
    row(`TLS syslog (omfwd, ossl), ${signal}, ${pace}`, figures);
    expect(figures.beforeStop).toBeLessThan(COUNT); // the stop really was mid-stream
    expect(figures.received + figures.lost).toBe(COUNT);
    expect(figures.received).toBeGreaterThan(figures.beforeStop); // the disk queue resent after the restart
    await receiver.stop();
  });

  it.each(CASES)("omrelp over TLS (disk-assisted queue), $signal at $pace: nothing lost", async ({ signal, pace }) => {
    const workDir = await h.dir(`relp-receiver-${signal}-${pace === "burst" ? "burst" : "paced"}`);
    const relpPort = await freePort();
    const start = async () => {
      const rx = await startReceiver({ pki: h.pki, workDir, env: { RECEIVER_RELP_TLS_PORT: String(relpPort), RECEIVER_DRAIN_TIMEOUT_MS: DRAIN_MS } });
      daemons.add({ stop: () => rx.daemon.stop() });
      await waitForPort(relpPort, { timeoutMs: 20_000, abort: () => (rx.daemon.alive ? undefined : "the receiver exited"), context: () => rx.describe() });
      return rx;
    };
    // librelp over OpenSSL: a server-authenticated handshake without a client certificate (see
    // tests/interop/relp.test.ts).
    const tx = daemons.add(await RsyslogRelpSender.start({
      name: "omrelp-tls-disk-queue", workDir: await h.dir(`omrelp-${signal}-${pace === "burst" ? "burst" : "paced"}`), pki: h.pki, targetPort: relpPort, tls: true, authMode: "name", tlsLib: "openssl", windowSize: RELP_WINDOW,
    }));
    const batch = numberedBatch(`relp-${signal.toLowerCase()}-${pace === "burst" ? "burst" : "paced"}`, COUNT);
    const { figures, receiver } = await stopMidStreamAndRestart({
      start, send: (l) => paced((c) => tx.send(c), l, pace), batch, lines: batch.texts.map((t) => rfc5424(HEADER, TIMESTAMP, t)), signal,
      settle: "all", timeoutMs: DELIVERY_TIMEOUT_MS, describeSender: () => tx.describe(),
    });
    row(`RELP over TLS (omrelp), ${signal}, ${pace}`, figures);
    expect(figures.beforeStop).toBeLessThan(COUNT);
    expect(figures.lost).toBe(0);
    // A graceful stop answers everything it stored; after kill -9, records stored but not yet
    // answered are resent: counted, not failed.
    if (signal === "SIGTERM") expect(figures.duplicates).toBe(0);
    await receiver.stop();
  });
});
