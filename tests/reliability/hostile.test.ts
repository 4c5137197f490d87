import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, handshakeFlood, openIdleTls, openSilent, sendOnce, slowloris, SteadySender, type Held } from "../support/hostile-clients.js";
import { startLoggedReceiver, type LoggedReceiver } from "../support/logged-receiver.js";
import { numberedBatch, octetCounted, rfc5424, type Batch } from "../support/messages.js";
import { makeTestPki, type TestPki } from "../support/pki.js";
import { checkDelivery, readRecords, waitForTagged, type ReadRecord } from "../support/records.js";
import { waitFor } from "../support/wait.js";

/**
 * Item 5 of the reliability issue: one receiver, one legitimate TLS sender, and at the same time
 * thousands of idle TLS connections, a handshake flood, half-open and cut-short handshakes,
 * slowloris writers (a byte a second, before and after the handshake), over-size frames and
 * garbage. The sender must lose nothing and the limits must hold: at most
 * RECEIVER_MAX_CONNECTIONS sockets, unfinished handshakes closed after
 * RECEIVER_HANDSHAKE_TIMEOUT_MS (see the known failure below), idle TLS connections after
 * RECEIVER_IDLE_TIMEOUT_MS.
 *
 * HOSTILE_IDLE idle TLS connections (default 2,000; bench/soak/hostile.sh runs 10,000 with
 * `ulimit -n` raised) and HOSTILE_MESSAGES messages per phase (default 30,000). Figures (rates,
 * RSS) are printed as one "hostile-figures" JSON line; nothing here asserts on speed.
 */
const IDLE = Number(process.env.HOSTILE_IDLE ?? 2_000);
const MESSAGES = Number(process.env.HOSTILE_MESSAGES ?? 30_000);
/** Room above the idle connections for the sender and the attackers that should get in. */
const HEADROOM = 300;
const MAX_CONNECTIONS = IDLE + HEADROOM;
const HANDSHAKE_TIMEOUT_MS = 2_000;
/** Long enough that the first idle connection is still open when the last one has connected
 * (about 2 ms a handshake here), short enough to watch it close. */
const IDLE_TIMEOUT_MS = Math.max(20_000, IDLE * 6);
const MAX_FRAME_BYTES = 65_536;
/** Descriptors the receiver holds besides client sockets (listeners, log, output, epoll, …). */
const FD_SLACK = 40;
const OVERSIZE_BYTES = 200_000;
/** The first bytes of a TLS 1.2 ClientHello record, and then nothing. */
const CUT_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);
const HEADER = { facility: 16, severity: 6, hostname: "legit-host", appName: "legit", procId: "7" };

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Sent, received (distinct), duplicated and lost messages of a batch, for the figures. */
function tally(records: readonly ReadRecord[], batch: Batch) {
  const wanted = new Set(batch.texts);
  const seen = new Map<string, number>();
  for (const r of records) if (typeof r.message === "string" && wanted.has(r.message)) seen.set(r.message, (seen.get(r.message) ?? 0) + 1);
  const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
  return { sent: batch.texts.length, received: seen.size, duplicates, lost: batch.texts.length - seen.size };
}

interface Sample {
  fds: number;
  rssKb: number;
}

describe("hostile clients beside a legitimate TLS sender", () => {
  let pki: TestPki;
  let root: string;
  let rx: LoggedReceiver | undefined;
  const held: Held[] = [];

  beforeAll(async () => {
    pki = await makeTestPki();
    root = await mkdtemp(join(tmpdir(), "reliability-hostile-"));
  });
  afterAll(async () => {
    closeAll(held);
    await rx?.stop();
    await pki?.remove();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("delivers every legitimate message while the limits hold", async () => {
    rx = await startLoggedReceiver({
      pki,
      workDir: await mkdirp(join(root, "main")),
      env: {
        LOG_LEVEL: "info",
        RECEIVER_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
        RECEIVER_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS),
        RECEIVER_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
        RECEIVER_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
      },
    });
    const receiver = rx;
    let peak: Sample = { fds: 0, rssKb: 0 };
    const sample = (): Sample => ({ fds: readdirSync(`/proc/${receiver.pid}/fd`).length, rssKb: receiver.memory().rssKb });
    const sampler = setInterval(() => {
      if (!receiver.alive()) return;
      const s = sample();
      peak = { fds: Math.max(peak.fds, s.fds), rssKb: Math.max(peak.rssKb, s.rssKb) };
    }, 200);

    const sender = await SteadySender.connect(receiver.port, readFileSync(pki.ca));
    const frames = (batch: Batch) => batch.texts.map((t) => octetCounted(rfc5424(HEADER, "2026-11-23T12:00:00Z", t)));
    /** Sends a batch and waits for all of it in the output; messages per second end to end. */
    const timedBatch = async (batch: Batch) => {
      const t0 = Date.now();
      await sender.write(frames(batch));
      await waitForTagged(receiver.outFile, batch.tag, batch.texts.length, { timeoutMs: 120_000, abort: () => (receiver.alive() ? undefined : "the receiver exited") });
      return Math.round(batch.texts.length / ((Date.now() - t0) / 1000));
    };

    // Phase 1: the sender alone.
    const quiet = numberedBatch("quiet", MESSAGES, 200);
    const quietRate = await timedBatch(quiet);
    const quietPeakKb = peak.rssKb;
    const idleBefore = sample().rssKb;

    // Phase 2: IDLE idle TLS connections (the sender's stays open meanwhile).
    const tIdle = Date.now();
    const idle = await openIdleTls(receiver.port, IDLE);
    held.push(...idle);
    const idleOpenMs = Date.now() - tIdle;
    await sleep(1_000);
    const idleAfter = sample().rssKb;
    expect(idle.filter((h) => h.closedByServer).length, "idle connections refused while under the limit").toBe(0);

    // Phase 3: the attack, running before the sender's second batch starts and until it lands.
    // Connections that must get in (slowloris, over-size, garbage over TLS) connect first; the
    // half-open ones stay under the limit here (the limit itself is pushed below).
    const fakeHello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03]), randomBytes(189)]);
    const slowHandshake = slowloris(receiver.port, 20, fakeHello, 1_000, false);
    const slowLine = slowloris(receiver.port, 20, Buffer.from("<13>1 - slow-host slowloris - - - one byte a second, never a LF "), 1_000, true);
    const overTag = `oversize-${randomBytes(4).toString("hex")}`;
    const bigText = (i: number) => `${overTag} #${i} ${"x".repeat(OVERSIZE_BYTES)}`;
    const bigFrame = (i: number) => (i % 2 ? octetCounted(rfc5424(HEADER, "-", bigText(i))) : `${rfc5424(HEADER, "-", bigText(i))}\n`);
    const oversize = Promise.all([0, 1, 2].map((c) => sendOnce(receiver.port, Buffer.from(Array.from({ length: 10 }, (_, i) => bigFrame(c * 10 + i)).join("")), true)));
    // Plain garbage starts with text, as a misconfigured sender's bytes do. Wholly random bytes
    // sometimes begin like a TLS record header, and OpenSSL then waits for the rest and sees the
    // peer go ("socket hang up", RCV_TLS_HANDSHAKE_FAILED) instead of calling them plain bytes:
    // 5 of 2,000 connections in a loopback trial (so a run of 10 missed one now and then), 0 of
    // 1,000 with this prefix.
    const plainGarbage = () => Buffer.concat([Buffer.from("garbage "), randomBytes(65_528)]);
    const garbage = Promise.all([
      ...Array.from({ length: 10 }, () => sendOnce(receiver.port, plainGarbage(), false)),
      ...Array.from({ length: 5 }, () => sendOnce(receiver.port, randomBytes(65_536), true)),
    ]);
    await sleep(500);
    const flood = handshakeFlood(receiver.port, 4);
    const silent = openSilent(receiver.port, 150);
    const cutHello = openSilent(receiver.port, 50, CUT_HELLO);
    held.push(...slowHandshake, ...slowLine, ...silent, ...cutHello);
    await sleep(1_000);
    const attacked = numberedBatch("attacked", MESSAGES, 200);
    const attackRate = await timedBatch(attacked);
    await Promise.all([oversize, garbage]);
    await flood.stop();

    // The limit: 2 × HEADROOM more silent connections cannot all get in; the sender keeps its own.
    const overLimit = openSilent(receiver.port, 2 * HEADROOM);
    held.push(...overLimit);
    await waitFor(() => (overLimit.filter((h) => h.closedByServer).length >= HEADROOM ? true : undefined), {
      timeoutMs: 30_000,
      what: "connections over RECEIVER_MAX_CONNECTIONS to be refused",
    });
    const over = numberedBatch("over-limit", 1_000, 200);
    await timedBatch(over);
    const preHandshake = [...silent, ...cutHello, ...slowHandshake];
    const preHandshakeClosed = preHandshake.filter((h) => h.closedByServer).length;

    // Idle TLS connections are closed by the idle timeout; the sender, active, is not.
    await waitFor(() => (idle.every((h) => h.closedAfterMs !== null) ? true : undefined), {
      timeoutMs: IDLE_TIMEOUT_MS + 30_000,
      what: "every idle TLS connection to be closed by the idle timeout",
      context: () => `${idle.filter((h) => h.closedAfterMs === null).length} still open`,
    });
    expect(idle.filter((h) => !h.closedByServer).length).toBe(0);
    const slowLineOpen = slowLine.filter((h) => h.closedAfterMs === null).length;
    expect(sender.open).toBe(true);
    await sender.end();
    closeAll(held);
    clearInterval(sampler);

    const peakKb = receiver.memory().peakKb;
    expect(await receiver.stop()).toBe(0);

    const { records, invalid } = await readRecords(receiver.outFile, true);
    expect(invalid).toEqual([]);
    expect(checkDelivery(records, quiet, { facility: 16, app_name: "legit", format: "rfc5424" })).toEqual([]);
    expect(checkDelivery(records, attacked, { facility: 16, app_name: "legit", format: "rfc5424" })).toEqual([]);
    expect(checkDelivery(records, over, { facility: 16, app_name: "legit", format: "rfc5424" })).toEqual([]);
    const truncated = records.filter((r) => typeof r.message === "string" && r.message.startsWith(overTag));
    expect(truncated.length).toBe(30);
    expect(truncated.every((r) => r.truncated === true && (r.message as string).length < MAX_FRAME_BYTES)).toBe(true);

    const log = await receiver.logs();
    const codes = (code: string) => log.split("\n").filter((l) => l.includes(`"code":"${code}"`)).length;
    expect(peak.fds).toBeLessThanOrEqual(MAX_CONNECTIONS + FD_SLACK);
    expect(codes("RCV_TOO_MANY_CONNECTIONS")).toBeGreaterThan(0);
    expect(codes("RCV_WRONG_PROTOCOL")).toBeGreaterThanOrEqual(10);

    console.log(`hostile-figures ${JSON.stringify({
      idleConnections: IDLE, maxConnections: MAX_CONNECTIONS, messagesPerPhase: MESSAGES,
      quietRate, attackRate, idleOpenMs,
      rssBeforeIdleKb: idleBefore, rssWithIdleKb: idleAfter, rssPerIdleConnectionKb: +((idleAfter - idleBefore) / IDLE).toFixed(1),
      peakRssKb: peakKb, peakFds: peak.fds,
      floodHandshakes: flood.completed, floodFailed: flood.failed,
      preHandshakeOpened: preHandshake.length, preHandshakeClosedByReceiver: preHandshakeClosed, overLimitRefused: overLimit.filter((h) => h.closedByServer).length, slowLineStillOpen: slowLineOpen,
      refusedTooMany: codes("RCV_TOO_MANY_CONNECTIONS"), handshakeTimeouts: codes("RCV_HANDSHAKE_TIMEOUT"),
      idleTimeouts: codes("RCV_IDLE_TIMEOUT"), wrongProtocol: codes("RCV_WRONG_PROTOCOL"), framingEvents: log.split("\n").filter((l) => l.includes('"event":"framing"')).length,
      records: records.length, quietPeakRssKb: quietPeakKb,
      quiet: tally(records, quiet), attacked: tally(records, attacked), overLimit: tally(records, over),
    })}`);
  });

  // Regression: a connection to the TLS port that sent nothing, or part of a ClientHello, used to
  // stay open for good (node's handshakeTimeout only reports), each holding a
  // RECEIVER_MAX_CONNECTIONS slot. The receiver now closes both at the handshake deadline.
  it("closes unfinished handshakes after RECEIVER_HANDSHAKE_TIMEOUT_MS", async () => {
    const workDir = join(root, "handshake-timeout");
    await mkdir(workDir);
    const r = await startLoggedReceiver({ pki, workDir, env: { RECEIVER_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS), RECEIVER_IDLE_TIMEOUT_MS: "3000" } });
    const unfinished = [...openSilent(r.port, 3), ...openSilent(r.port, 3, CUT_HELLO)];
    try {
      await waitFor(() => (unfinished.every((h) => h.closedByServer) ? true : undefined), {
        timeoutMs: HANDSHAKE_TIMEOUT_MS + 6_000,
        what: "unfinished handshakes to be closed by the receiver",
        context: () => `${unfinished.filter((h) => !h.closedByServer).length} of ${unfinished.length} still open`,
      });
    } finally {
      closeAll(unfinished);
      await r.stop();
    }
  });
});
