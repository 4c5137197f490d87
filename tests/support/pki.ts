import { mkdtemp, writeFile, rm, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { run } from "./run.js";
import { requireBinary } from "./binaries.js";

/** One certificate and its key, as files. */
export interface CertFiles {
  cert: string;
  key: string;
}

/**
 * A throwaway PKI for one test file, made with the `openssl` CLI (the tool operators use for
 * hand-made rsyslog certificates) so nothing in it depends on Node's TLS stack.
 *
 * `dir` holds `ca.pem`, `server.pem` and `server.key` under the names `bench/receiver.sh`
 * expects in `$CERT_DIR`.
 */
export interface TestPki {
  dir: string;
  ca: string;
  server: CertFiles;
  /** CN=aws-syslog, SAN DNS:aws-syslog: the permitted peer of `MTLS=1`. */
  client: CertFiles;
  /** CN=not-aws-syslog, same CA: a valid certificate with the wrong name. */
  wrongName: CertFiles;
  /** CN=interop-wildcard, SAN DNS:host1.example.com: matches only through the SAN. */
  wildcard: CertFiles;
  /** CN=aws-syslog issued by a second, untrusted CA. */
  foreign: CertFiles;
  /** CN=aws-syslog, same CA, notAfter in the past. */
  expired: CertFiles;
  /** The untrusted second CA (for tests that want to trust it explicitly). */
  foreignCa: string;
  remove(): Promise<void>;
}

// RSA-2048 / SHA-256: what a hand-made rsyslog PKI usually has, and what both of rsyslog's TLS
// drivers (OpenSSL and GnuTLS) accept without tuning.
const KEY_ARGS = ["-newkey", "rsa:2048", "-nodes", "-sha256"];
const VALID_DAYS = "2";

const CA_EXT = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];

function leafExt(usage: "serverAuth" | "clientAuth", san?: string): string {
  return [
    "basicConstraints=CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    `extendedKeyUsage=${usage}`,
    ...(san ? [`subjectAltName=${san}`] : []),
  ].join("\n") + "\n";
}

/** A random positive 63-bit serial: the leaves are signed in parallel, and -CAcreateserial
 * would have them race on one ca.srl file. */
const serial = () => `0x${(randomBytes(8).readBigUInt64BE() >> 1n).toString(16)}`;

export async function makeTestPki(): Promise<TestPki> {
  const openssl = requireBinary("openssl");
  const dir = await mkdtemp(join(tmpdir(), "interop-pki-"));
  const p = (name: string) => join(dir, name);

  const makeCa = async (name: string, cn: string) => {
    await run(openssl, ["req", "-x509", ...KEY_ARGS, "-days", VALID_DAYS, "-keyout", p(`${name}.key`),
      "-out", p(`${name}.pem`), "-subj", `/CN=${cn}`, ...CA_EXT]);
  };
  const makeLeaf = async (name: string, cn: string, ext: string, opts: { ca?: string; days?: string } = {}) => {
    const ca = opts.ca ?? "ca";
    await run(openssl, ["req", ...KEY_ARGS, "-keyout", p(`${name}.key`), "-out", p(`${name}.csr`), "-subj", `/CN=${cn}`]);
    await writeFile(p(`${name}.ext`), ext);
    // `-days -1` puts notAfter one day before notBefore: expired from the moment it exists.
    await run(openssl, ["x509", "-req", "-in", p(`${name}.csr`), "-CA", p(`${ca}.pem`), "-CAkey", p(`${ca}.key`),
      "-set_serial", serial(), "-days", opts.days ?? VALID_DAYS, "-sha256", "-extfile", p(`${name}.ext`), "-out", p(`${name}.pem`)]);
    await rm(p(`${name}.csr`));
    await rm(p(`${name}.ext`));
  };

  await Promise.all([makeCa("ca", "interop-test-ca"), makeCa("foreign-ca", "interop-foreign-ca")]);
  await Promise.all([
    makeLeaf("server", "localhost", leafExt("serverAuth", "DNS:localhost,IP:127.0.0.1")),
    makeLeaf("client", "aws-syslog", leafExt("clientAuth", "DNS:aws-syslog")),
    makeLeaf("wrong-name", "not-aws-syslog", leafExt("clientAuth", "DNS:not-aws-syslog")),
    makeLeaf("wildcard", "interop-wildcard", leafExt("clientAuth", "DNS:host1.example.com")),
    makeLeaf("foreign", "aws-syslog", leafExt("clientAuth", "DNS:aws-syslog"), { ca: "foreign-ca" }),
    makeLeaf("expired", "aws-syslog", leafExt("clientAuth", "DNS:aws-syslog"), { days: "-1" }),
  ]);
  // rsyslog runs as root here, but keep keys private anyway: GnuTLS and OpenSSL do not care,
  // operators copying this layout should.
  for (const name of ["ca", "foreign-ca", "server", "client", "wrong-name", "wildcard", "foreign", "expired"]) {
    await chmod(p(`${name}.key`), 0o600);
  }

  const files = (name: string): CertFiles => ({ cert: p(`${name}.pem`), key: p(`${name}.key`) });
  return {
    dir,
    ca: p("ca.pem"),
    server: files("server"),
    client: files("client"),
    wrongName: files("wrong-name"),
    wildcard: files("wildcard"),
    foreign: files("foreign"),
    expired: files("expired"),
    foreignCa: p("foreign-ca.pem"),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A certificate's SHA-256 fingerprint in rsyslog's notation (SHA256:AA:BB:…), via openssl. */
export async function sha256Fingerprint(cert: string): Promise<string> {
  const { stdout } = await run(requireBinary("openssl"), ["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"]);
  const hex = /Fingerprint=([0-9A-F:]+)/i.exec(stdout)?.[1];
  if (!hex) throw new Error(`no fingerprint in openssl output: ${stdout}`);
  return `SHA256:${hex.toUpperCase()}`;
}
