import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway PKI for socket tests, made with the openssl CLI (ECDSA P-256: fast to make):
 * CA, server (CN localhost, SAN localhost/127.0.0.1), clients "aws-syslog", "not-aws-syslog",
 * "host1.example.com" (SAN only), and "rogue" signed by a second CA.
 */
export interface Pki {
  dir: string;
  ca: string;
  server: { cert: string; key: string; certFile: string; keyFile: string };
  /** A second server certificate (CN reloaded.localhost, SAN localhost) for reload tests. */
  server2: { certFile: string; keyFile: string };
  clients: Record<"awsSyslog" | "other" | "wildcard" | "rogue", { cert: string; key: string }>;
  caFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-sha256", "-days", "2", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
}

function makeLeaf(dir: string, ca: string, name: string, subject: string, ext: string): { cert: string; key: string } {
  openssl(dir, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-days", "2", "-sha256", "-extfile", `${name}.ext`, "-out", `${name}.pem`]);
  return { cert: readFileSync(join(dir, `${name}.pem`), "utf8"), key: readFileSync(join(dir, `${name}.key`), "utf8") };
}

const client = (san: string) => `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=${san}\n`;

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), "receiver-pki-"));
  makeCa(dir, "ca");
  makeCa(dir, "rogue-ca");
  const server = makeLeaf(dir, "ca", "server", "/CN=localhost", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
  makeLeaf(dir, "ca", "server2", "/CN=reloaded.localhost", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
  return {
    dir,
    server2: { certFile: join(dir, "server2.pem"), keyFile: join(dir, "server2.key") },
    ca: readFileSync(join(dir, "ca.pem"), "utf8"),
    caFile: join(dir, "ca.pem"),
    server: { ...server, certFile: join(dir, "server.pem"), keyFile: join(dir, "server.key") },
    clients: {
      awsSyslog: makeLeaf(dir, "ca", "aws-syslog", "/CN=aws-syslog", client("DNS:aws-syslog")),
      other: makeLeaf(dir, "ca", "other", "/CN=not-aws-syslog", client("DNS:not-aws-syslog")),
      wildcard: makeLeaf(dir, "ca", "wildcard", "/O=example", client("DNS:host1.example.com")),
      rogue: makeLeaf(dir, "rogue-ca", "rogue", "/CN=aws-syslog", client("DNS:aws-syslog")),
    },
  };
}
