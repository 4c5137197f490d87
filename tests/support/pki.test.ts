import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki } from "./pki.js";
import { run } from "./run.js";
import { requireBinary } from "./binaries.js";

// The PKI is the base of every interop verdict: check that each certificate is what its name
// says before a refusal is blamed on (or credited to) the receiver.
describe("makeTestPki", () => {
  let pki: TestPki;
  const openssl = () => requireBinary("openssl");
  const verify = (cert: string, ca: string) =>
    run(openssl(), ["verify", "-CAfile", ca, cert], { allowFailure: true });
  const text = async (cert: string) => (await run(openssl(), ["x509", "-in", cert, "-noout", "-subject", "-ext", "subjectAltName"])).stdout;

  beforeAll(async () => {
    pki = await makeTestPki();
  });
  afterAll(() => pki?.remove());

  it("issues server and client certificates that chain to the test CA", async () => {
    for (const c of [pki.server, pki.client, pki.wrongName, pki.wildcard]) {
      expect((await verify(c.cert, pki.ca)).code, c.cert).toBe(0);
    }
  });

  it("names each certificate as documented", async () => {
    expect(await text(pki.server.cert)).toMatch(/CN ?= ?localhost[\s\S]*DNS:localhost, IP Address:127.0.0.1/);
    expect(await text(pki.client.cert)).toMatch(/CN ?= ?aws-syslog[\s\S]*DNS:aws-syslog/);
    expect(await text(pki.wrongName.cert)).toMatch(/CN ?= ?not-aws-syslog/);
    expect(await text(pki.wildcard.cert)).toMatch(/CN ?= ?interop-wildcard[\s\S]*DNS:host1\.example\.com/);
  });

  it("makes a foreign certificate that fails against the test CA and an expired one", async () => {
    expect((await verify(pki.foreign.cert, pki.ca)).code).not.toBe(0);
    expect((await verify(pki.foreign.cert, pki.foreignCa)).code).toBe(0);
    const expired = await verify(pki.expired.cert, pki.ca);
    expect(expired.code).not.toBe(0);
    expect(expired.stdout + expired.stderr).toMatch(/expired/);
  });
});
