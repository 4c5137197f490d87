import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCa, issueClientCertificate, issueServerCertificate, type CertificateAuthority, type IssuedCertificate } from "../certs/index.js";
import { checkDns } from "./dns-check.js";
import type { CheckResult } from "./check-result.js";
import type { DoctorTarget } from "./doctor-target.js";
import { startTlsServer, type TestTlsServer } from "./testing/deployment-fixture.js";
import { tlsChecks } from "./tls-checks.js";
import { probeTls, type ProbeOptions } from "./tls-probe.js";

/**
 * The network checks against node:tls servers on 127.0.0.1 with certificates from the certs
 * module: both TLS versions (a client-certificate refusal is a handshake failure under 1.2 and
 * an alert after the handshake under 1.3), a name the certificate does not hold, a client
 * certificate from another CA.
 */
let ca: CertificateAuthority;
let server: IssuedCertificate;
let client: IssuedCertificate;
let strangerClient: IssuedCertificate;
let mtls: TestTlsServer;
const now = () => new Date();

beforeAll(async () => {
  ca = await createCa();
  server = await issueServerCertificate(ca);
  client = await issueClientCertificate(ca);
  strangerClient = await issueClientCertificate(await createCa());
  mtls = await startTlsServer({ ...server, caPem: ca.certPem, clientAuth: "required" });
});
afterAll(() => mtls.close());

function target(over: Partial<DoctorTarget>): DoctorTarget {
  return {
    host: "127.0.0.1", port: mtls.port, mode: "mtls", servername: "127.0.0.1", ca: { label: "ca.pem", pem: ca.certPem }, client: undefined,
    region: undefined, sinceMinutes: 15, kmsKeyArn: undefined, logGroups: [], receiverLogGroup: undefined, forwarderLogGroups: [], firehoseStreams: [], dlqUrls: [], outputsFile: undefined,
    ...over,
  };
}
const byName = (rs: CheckResult[]) => Object.fromEntries(rs.map((r) => [r.name, r]));

describe.each([["TLSv1.3"], ["TLSv1.2"]] as const)("mode mtls over %s", (version) => {
  const pinned = (o: ProbeOptions) => probeTls({ ...o, maxVersion: version });

  it("passes with our client certificate, and sees a certificate-less client refused", async () => {
    const r = byName(await tlsChecks(target({ client: { label: "client.pem", ...clientPair(client) } }), now(), pinned));
    expect(r["tls"]).toMatchObject({ status: "pass", detail: expect.stringContaining(`${version}, chain CN=localhost`) });
    expect(r["mtls-client-accepted"]).toMatchObject({ status: "pass", detail: `${version}: the receiver accepted client.pem` });
    expect(r["mtls-certless-refused"]).toMatchObject({ status: "pass", detail: expect.stringContaining(version === "TLSv1.2" ? "refused in the handshake" : "refused after the handshake") });
  });

  it("fails a client certificate from another CA", async () => {
    const r = byName(await tlsChecks(target({ client: { label: "stranger.pem", ...clientPair(strangerClient) } }), now(), pinned));
    expect(r["mtls-client-accepted"]).toMatchObject({ status: "fail", fix: expect.stringContaining("RECEIVER_TLS_PERMITTED_PEERS") });
  });
});

function clientPair(c: IssuedCertificate) {
  return { certPem: c.certPem, keyPem: c.keyPem };
}

describe("tls", () => {
  it("fails a name the certificate does not hold, saying which names it holds", async () => {
    const r = byName(await tlsChecks(target({ servername: "syslog.example.com", client: { label: "client.pem", ...clientPair(client) } }), now()));
    expect(r["tls"]).toMatchObject({ status: "fail", detail: "the certificate is for DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, not syslog.example.com" });
  });

  it("mode mtls without --cert: checks the chain, skips acceptance with the fix, still sees the refusal", async () => {
    const r = byName(await tlsChecks(target({}), now()));
    expect(r["mtls-client-accepted"]).toMatchObject({ status: "skip", fix: expect.stringContaining("--cert") });
    expect(r["mtls-certless-refused"]!.status).toBe("pass");
  });

  it("skips everything without a host", async () => {
    expect((await tlsChecks(target({ host: undefined }), now())).map((r) => r.status)).toEqual(["skip", "skip", "skip"]);
  });
});

describe("checkDns", () => {
  it("passes a name that resolves and an address; fails a name that does not, with the fix", async () => {
    expect(await checkDns("localhost")).toMatchObject({ status: "pass", detail: expect.stringMatching(/^localhost resolves to /) });
    expect(await checkDns("::1")).toMatchObject({ status: "pass" });
    const nx = await checkDns("nlb.example", () => Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND nlb.example"), { code: "ENOTFOUND" })));
    expect(nx).toMatchObject({ status: "fail", detail: "nlb.example does not resolve: no such name", fix: expect.stringContaining("nlbDnsName") });
  });
});
