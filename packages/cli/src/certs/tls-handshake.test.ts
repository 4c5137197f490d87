import { once } from "node:events";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { createCa, type CertificateAuthority, type IssuedCertificate } from "./certificate-authority.js";
import { issueClientCertificate, issueServerCertificate } from "./issue-certificate.js";
import { KEY_ALGORITHMS } from "./key-pair.js";

/**
 * The generated material in a real mutual-TLS handshake on loopback, both sides verifying,
 * as the receiver in mode "mtls" and a sender with client.pem would.
 */
const servers: tls.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

interface Outcome {
  clientAuthorized: boolean;
  clientError: string | null;
  serverAuthorized: boolean | null;
  serverPeerCn: unknown;
  serverError: string | null;
  echoed: string | null;
}

async function handshake(host: string, ca: CertificateAuthority, server: IssuedCertificate, client: IssuedCertificate, clientTrusts = ca.certPem, maxVersion?: tls.SecureVersion): Promise<Outcome> {
  const outcome: Outcome = { clientAuthorized: false, clientError: null, serverAuthorized: null, serverPeerCn: null, serverError: null, echoed: null };
  const srv = tls.createServer({ key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" }, (socket) => {
    outcome.serverAuthorized = socket.authorized;
    outcome.serverPeerCn = socket.getPeerCertificate().subject?.CN;
    socket.end("ok");
  });
  srv.on("tlsClientError", (err) => {
    outcome.serverError = err.message;
  });
  servers.push(srv);
  srv.listen(0, host);
  await once(srv, "listening");
  const { port } = srv.address() as AddressInfo;
  const socket = tls.connect({ host, port, ca: clientTrusts, key: client.keyPem, cert: client.certPem, ...(maxVersion ? { maxVersion } : {}) });
  let received = "";
  socket.setEncoding("utf8").on("data", (d: string) => (received += d));
  try {
    await once(socket, "secureConnect");
    outcome.clientAuthorized = socket.authorized;
    await once(socket, "end");
    outcome.echoed = received;
  } catch (err) {
    outcome.clientError = (err as Error).message;
  } finally {
    socket.destroy();
  }
  return outcome;
}

describe.each(KEY_ALGORITHMS)("mutual TLS with %s certificates", (key) => {
  it.each([["TLSv1.3"], ["TLSv1.2"]] as const)("completes a handshake on 127.0.0.1 with %s, each side verifying the other", async (maxVersion) => {
    const ca = await createCa({ key });
    const o = await handshake("127.0.0.1", ca, await issueServerCertificate(ca, { key }), await issueClientCertificate(ca, { key }), ca.certPem, maxVersion);
    expect(o).toEqual({ clientAuthorized: true, clientError: null, serverAuthorized: true, serverPeerCn: "aws-syslog", serverError: null, echoed: "ok" });
  });

  it.each([["TLSv1.3"], ["TLSv1.2"]] as const)("refuses a client certificate from another CA over %s", async (maxVersion) => {
    const ca = await createCa({ key });
    const stranger = await createCa({ key });
    const o = await handshake("127.0.0.1", ca, await issueServerCertificate(ca, { key }), await issueClientCertificate(stranger, { key }), ca.certPem, maxVersion);
    // The server's application never sees the connection and nothing comes back. (With TLS
    // 1.3 the client finishes its side before the server checks the client certificate, so
    // the client sees a closed connection rather than a handshake error.)
    expect(o.serverAuthorized).toBeNull();
    expect(o.serverError).not.toBeNull();
    expect(o.echoed).not.toBe("ok");
  });
});

describe("server identity", () => {
  it("verifies the default server certificate for ::1 as well", async () => {
    const ca = await createCa();
    const o = await handshake("::1", ca, await issueServerCertificate(ca), await issueClientCertificate(ca)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRNOTAVAIL" || err.code === "EAFNOSUPPORT") return null; // no IPv6 loopback on this host
      throw err;
    });
    if (o === null) return;
    expect([o.clientAuthorized, o.serverPeerCn, o.echoed]).toEqual([true, "aws-syslog", "ok"]);
  });

  it("is refused by a client when the server certificate names another host", async () => {
    const ca = await createCa();
    const o = await handshake("127.0.0.1", ca, await issueServerCertificate(ca, { dnsNames: ["logs.example.com"] }), await issueClientCertificate(ca));
    expect(o.clientError).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
  });
});
