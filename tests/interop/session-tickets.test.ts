import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki } from "../support/pki.js";
import { receiverKind, startReceiver, type RunningReceiver } from "../support/receiver.js";
import { waitFor } from "../support/wait.js";

/**
 * The receiver process as it is started everywhere (bench/receiver.sh, the image's CMD) loads
 * packages/receiver/openssl.cnf: no TLS 1.3 session tickets after the handshake. A sender that
 * only writes would otherwise hold the tickets unread and close with a TCP RST, which discards
 * what the receiver had not read yet (see the file).
 */
let pki: TestPki;
let workDir: string;
let receiver: RunningReceiver | undefined;

beforeAll(async () => {
  pki = await makeTestPki();
  workDir = await mkdtemp(join(tmpdir(), "session-tickets-"));
});
afterAll(async () => {
  if (receiver?.daemon.alive) await receiver.stop();
  await rm(workDir, { recursive: true, force: true });
  await pki?.remove();
});

describe.skipIf(receiverKind() !== "product")("TLS 1.3 session tickets", () => {
  it("the receiver process sends none after the handshake, so a write-only sender's close is a FIN", async () => {
    receiver = await startReceiver({ pki, workDir });
    const got = await new Promise<{ version: string | null; tickets: number; unread: number }>((resolve, reject) => {
      let tickets = 0;
      let unread = 0;
      const s = connect({ host: "127.0.0.1", port: receiver!.port, ca: readFileSync(pki.ca), servername: "localhost", minVersion: "TLSv1.3" });
      s.on("session", () => (tickets += 1));
      s.on("data", (d: Buffer) => (unread += d.length));
      s.on("error", reject);
      s.on("secureConnect", () => {
        s.write("<134>1 2026-11-23T12:00:00.000Z tickets-host app - - - after the handshake\n");
        // Tickets follow the handshake at once; give them time to arrive before closing.
        setTimeout(() => {
          const version = s.getProtocol();
          s.end(() => resolve({ version, tickets, unread }));
        }, 300);
      });
    });
    expect(got).toEqual({ version: "TLSv1.3", tickets: 0, unread: 0 });
    await waitFor(async () => (readFileSync(receiver!.outFile, "utf8").includes("after the handshake") ? true : undefined), {
      timeoutMs: 10_000,
      what: "the line sent after the handshake in the receiver's output",
    });
  });
});
