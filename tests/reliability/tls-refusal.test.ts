import { readFileSync } from "node:fs";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { connect, type TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeNotYetValidCert } from "../support/future-cert.js";
import { startLoggedReceiver, type LoggedReceiver } from "../support/logged-receiver.js";
import { octetCounted, rfc5424 } from "../support/messages.js";
import { makeTestPki, sha256Fingerprint, type CertFiles, type TestPki } from "../support/pki.js";
import { tlsAttempt, type TlsAttemptOptions, type TlsAttemptResult } from "../support/tls-attempt.js";
import { readLines, waitFor, waitForLines } from "../support/wait.js";

/**
 * Item 7 of the reliability issue: clients the receiver must refuse, per auth mode, beside a
 * good client whose message must arrive; and the receiver's debug log must never hold a private
 * key or a message body. Each attempt sends a frame with its own marker, so "refused" means both
 * "the server ended the connection" and "its marker is not in the output".
 */
const HOLD_MS = 2_000;
const HEADER = { facility: 13, severity: 6, hostname: "rel-host", appName: "rel-tls", procId: "1" };
/** Lets node's client offer TLS 1.0/1.1 (OpenSSL 3 refuses them at its default security level). */
const LEGACY = { ciphers: "DEFAULT:@SECLEVEL=0" } as const;

interface Attempt {
  name: string;
  options: Omit<TlsAttemptOptions, "port" | "ca" | "holdMs" | "payload">;
}

interface Outcome extends Attempt {
  marker: string;
  result: TlsAttemptResult;
}

describe("TLS refusals in each auth mode, and what the log never shows", () => {
  let pki: TestPki;
  let root: string;
  let notYetValid: CertFiles;
  let serverKeyBody: string;
  const receivers: LoggedReceiver[] = [];
  let dirs = 0;

  beforeAll(async () => {
    pki = await makeTestPki();
    notYetValid = await makeNotYetValidCert(pki);
    root = await mkdtemp(join(tmpdir(), "reliability-tls-"));
    // One base64 line from the middle of the server's private key: if the key were ever logged,
    // in any encoding that keeps PEM lines, this would be found.
    const keyLines = (await readFile(pki.server.key, "utf8")).split("\n").filter((l) => l && !l.startsWith("-----"));
    serverKeyBody = keyLines[Math.floor(keyLines.length / 2)]!;
  });
  afterEach(async () => {
    for (const rx of receivers.splice(0)) expect(await rx.stop()).toBe(0);
  });
  afterAll(async () => {
    for (const rx of receivers.splice(0)) await rx.stop();
    await pki?.remove();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function receiver(env: Record<string, string>): Promise<LoggedReceiver> {
    const workDir = join(root, `${++dirs}`);
    await mkdir(workDir);
    const rx = await startLoggedReceiver({ pki, workDir, env: { LOG_LEVEL: "debug", ...env } });
    receivers.push(rx);
    return rx;
  }

  /** Runs every attempt at once against rx, each sending one marked frame. */
  function attempt(rx: LoggedReceiver, attempts: readonly Attempt[]): Promise<Outcome[]> {
    return Promise.all(attempts.map(async (a) => {
      const marker = `rel-marker-${a.name.replace(/\W+/g, "-")}-${randomBytes(6).toString("hex")}`;
      const payload = octetCounted(rfc5424(HEADER, "2026-11-23T12:00:00Z", `${marker} body must not be logged`));
      const result = await tlsAttempt({ port: rx.port, ca: pki.ca, holdMs: HOLD_MS, payload, ...a.options });
      return { ...a, marker, result };
    }));
  }

  /** Checks outcomes against the output and the log; returns the good client's outcome. */
  async function verify(rx: LoggedReceiver, outcomes: Outcome[], accepted: readonly string[]): Promise<Outcome[]> {
    const good = outcomes.filter((o) => accepted.includes(o.name));
    await waitForLines(rx.outFile, good.length, { timeoutMs: 20_000, count: (lines) => lines.filter((l) => good.some((g) => l.includes(g.marker))).length });
    const out = (await readLines(rx.outFile)).join("\n");
    // One line per attempt, for docs/RELIABILITY.md and for reading a failure.
    console.log(outcomes.map((o) => `${o.name}: handshake ${o.result.handshake}, closed by server ${o.result.closedByServer}, client error ${o.result.error ?? "none"}`).join("\n"));
    for (const o of outcomes) {
      const arrived = out.includes(o.marker);
      if (accepted.includes(o.name)) {
        expect({ name: o.name, arrived, closedByServer: o.result.closedByServer, error: o.result.error }).toEqual({ name: o.name, arrived: true, closedByServer: false, error: null });
      } else {
        expect({ name: o.name, arrived, refused: o.result.closedByServer || !o.result.handshake }).toEqual({ name: o.name, arrived: false, refused: true });
      }
    }
    const log = await rx.logs();
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    expect(log.includes(serverKeyBody)).toBe(false);
    for (const o of outcomes) expect(log.includes(o.marker), `${o.name}'s message body is in the log`).toBe(false);
    // The log does record the refusals (so "the marker is absent" is not just an empty log).
    const refusals = log.split("\n").filter((l) => /"event":"(tls_handshake_failed|connection_refused)"/.test(l));
    expect(refusals.length).toBeGreaterThanOrEqual(outcomes.length - accepted.length);
    const why = refusals.map((l) => JSON.parse(l) as { code: string; reason?: string; detail: string });
    console.log(`logged refusals: ${why.map((w) => `${w.code}${w.reason ? `/${w.reason}` : ""} (${w.detail.slice(0, 80)})`).join("; ")}`);
    return good;
  }

  /** Log lines of one event, in order. */
  async function logEvents(rx: LoggedReceiver, event: string): Promise<string[]> {
    return (await rx.logs()).split("\n").filter((l) => l.includes(`"event":"${event}"`));
  }

  /** SIGHUP to the receiver process (bench/receiver.sh execs node: one pid), then waits for the
   * `total`-th line of the event it must log. */
  async function sighup(rx: LoggedReceiver, event: "tls_reloaded" | "tls_reload_failed", total: number): Promise<void> {
    process.kill(rx.pid, "SIGHUP");
    await waitFor(async () => ((await logEvents(rx, event)).length >= total ? true : undefined), { timeoutMs: 10_000, what: `${event} in the receiver log`, context: () => readFileSync(rx.logFile, "utf8").slice(-3000) });
  }

  const tls10 = (cert?: CertFiles): Attempt => ({ name: "TLS 1.0", options: { ...LEGACY, minVersion: "TLSv1", maxVersion: "TLSv1", ...(cert ? { cert } : {}) } });
  const tls11 = (cert?: CertFiles): Attempt => ({ name: "TLS 1.1", options: { ...LEGACY, minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ...(cert ? { cert } : {}) } });
  const withCert = (name: string, cert: CertFiles | undefined, extra: Attempt["options"] = {}): Attempt => ({ name, options: { ...(cert ? { cert } : {}), ...extra } });

  it("anon: TLS 1.0 and 1.1 refused; TLS 1.2 and 1.3 accepted (protocol and cipher reported)", async () => {
    const rx = await receiver({ RECEIVER_TLS_AUTH_MODE: "anon" });
    const outcomes = await attempt(rx, [tls10(), tls11(), withCert("TLS 1.3", undefined), withCert("TLS 1.2", undefined, { maxVersion: "TLSv1.2" })]);
    const good = await verify(rx, outcomes, ["TLS 1.3", "TLS 1.2"]);
    for (const g of good) console.log(`anon ${g.name}: negotiated ${g.result.protocol} ${g.result.cipher}`);
    expect(good.map((g) => g.result.protocol).sort()).toEqual(["TLSv1.2", "TLSv1.3"]);
  });

  it("x509/certvalid: old protocols, expired, not yet valid, foreign CA and no certificate refused; any name from the CA accepted", async () => {
    const rx = await receiver({ RECEIVER_TLS_AUTH_MODE: "x509/certvalid" });
    const outcomes = await attempt(rx, [
      tls10(pki.client), tls11(pki.client),
      withCert("expired", pki.expired), withCert("not yet valid", notYetValid), withCert("foreign CA", pki.foreign), withCert("no certificate", undefined),
      withCert("good", pki.client), withCert("other name, same CA", pki.wrongName),
    ]);
    const [good] = await verify(rx, outcomes, ["good", "other name, same CA"]);
    console.log(`x509/certvalid good client: negotiated ${good!.result.protocol} ${good!.result.cipher}`);
  });

  it("x509/name: old protocols, expired, not yet valid, foreign CA, wrong CN and no certificate refused", async () => {
    const rx = await receiver({ RECEIVER_TLS_AUTH_MODE: "x509/name", RECEIVER_TLS_PERMITTED_PEERS: "aws-syslog" });
    const outcomes = await attempt(rx, [
      tls10(pki.client), tls11(pki.client),
      withCert("expired", pki.expired), withCert("not yet valid", notYetValid), withCert("foreign CA", pki.foreign),
      withCert("wrong CN", pki.wrongName), withCert("no certificate", undefined), withCert("good", pki.client),
    ]);
    const [good] = await verify(rx, outcomes, ["good"]);
    console.log(`x509/name good client: negotiated ${good!.result.protocol} ${good!.result.cipher}`);
  });

  it("x509/fingerprint: a fingerprint removed from RECEIVER_TLS_FINGERPRINTS_FILE is refused after SIGHUP, without a restart", async () => {
    const [fpClient, fpOther] = await Promise.all([sha256Fingerprint(pki.client.cert), sha256Fingerprint(pki.wildcard.cert)]);
    const list = join(root, "fingerprints.txt");
    await writeFile(list, `# senders allowed in x509/fingerprint mode\n${fpClient}  # aws-syslog\n${fpOther.toLowerCase()}  # host1.example.com\n`);
    // The watcher is off so that only the SIGHUP can have reloaded the list.
    const rx = await receiver({ RECEIVER_TLS_AUTH_MODE: "x509/fingerprint", RECEIVER_TLS_FINGERPRINTS_FILE: list, RECEIVER_TLS_WATCH_FILES: "false" });
    await verify(rx, await attempt(rx, [withCert("good", pki.client), withCert("second listed", pki.wildcard), withCert("unlisted", pki.wrongName)]), ["good", "second listed"]);

    // A sender connected with the certificate about to be revoked.
    const established = await openSession(rx.port, pki.ca, pki.wildcard);
    established.write(octetCounted(rfc5424(HEADER, "2026-11-23T12:00:00Z", "rel-established-1")));
    await waitForLines(rx.outFile, 1, { timeoutMs: 20_000, count: (lines) => lines.filter((l) => l.includes("rel-established-1")).length });

    await writeFile(list, `# host1.example.com revoked\n${fpClient}\n`);
    await sighup(rx, "tls_reloaded", 1);
    const reloaded = JSON.parse((await logEvents(rx, "tls_reloaded"))[0]!) as Record<string, unknown>;
    expect(reloaded).toMatchObject({ trigger: "SIGHUP", fingerprints: 1, fingerprintsAdded: 0, fingerprintsRemoved: 1 });
    const outcomes = await attempt(rx, [
      tls10(pki.client), tls11(pki.client), withCert("removed", pki.wildcard), withCert("unlisted", pki.wrongName),
      withCert("foreign CA, unlisted", pki.foreign), withCert("no certificate", undefined), withCert("good", pki.client),
    ]);
    const [good] = await verify(rx, outcomes, ["good"]);
    console.log(`x509/fingerprint good client: negotiated ${good!.result.protocol} ${good!.result.cipher}`);
    // The list is checked at the handshake: the connection made before the reload stays, as
    // rsyslog's would (revocation applies to new connections).
    established.write(octetCounted(rfc5424(HEADER, "2026-11-23T12:00:01Z", "rel-established-2")));
    await waitForLines(rx.outFile, 1, { timeoutMs: 20_000, count: (lines) => lines.filter((l) => l.includes("rel-established-2")).length });
    established.end();

    // A broken list on the next reload is refused with an ERROR, and the previous list stays.
    await writeFile(list, `${fpClient}\n${fpOther}\nSHA256:not-a-fingerprint\n`);
    await sighup(rx, "tls_reload_failed", 1);
    const failed = JSON.parse((await logEvents(rx, "tls_reload_failed"))[0]!) as { level: number; code: string; err: { message: string } };
    expect(failed).toMatchObject({ level: 50, code: "RCV_CONFIG_INVALID" });
    expect(failed.err.message).toContain(`${list} line 3: "SHA256:not-a-fingerprint" is not a fingerprint`);
    await verify(rx, await attempt(rx, [withCert("still removed", pki.wildcard), withCert("good", pki.client)]), ["good"]);
  });
});

/** A TLS session kept open by the caller (tlsAttempt ends its own after holdMs). */
function openSession(port: number, ca: string, cert: CertFiles): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername: "localhost", ca: readFileSync(ca), cert: readFileSync(cert.cert), key: readFileSync(cert.key) });
    socket.once("secureConnect", () => resolve(socket));
    socket.once("error", reject);
  });
}
