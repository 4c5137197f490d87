import { writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { requireBinary } from "./binaries.js";
import type { CertFiles, TestPki } from "./pki.js";
import { run } from "./run.js";

/**
 * A client certificate (CN=aws-syslog, SAN DNS:aws-syslog) from the test PKI's CA whose validity
 * starts years from now: not yet valid. `openssl x509 -req` (OpenSSL 3.0) cannot set notBefore,
 * so this goes through `openssl ca` with a throwaway database.
 */
export async function makeNotYetValidCert(pki: TestPki): Promise<CertFiles> {
  const openssl = requireBinary("openssl");
  const p = (name: string) => join(pki.dir, name);
  await writeFile(p("future-index.txt"), "");
  await writeFile(p("future-serial"), "1000\n");
  await writeFile(p("future-ca.cnf"), [
    "[ca]", "default_ca = future",
    "[future]", `database = ${p("future-index.txt")}`, `new_certs_dir = ${pki.dir}`, `serial = ${p("future-serial")}`,
    "default_md = sha256", "policy = anything", "unique_subject = no", "copy_extensions = none",
    "[anything]", "commonName = supplied",
    "[leaf]", "basicConstraints = CA:FALSE", "keyUsage = critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage = clientAuth", "subjectAltName = DNS:aws-syslog", "",
  ].join("\n"));
  await run(openssl, ["req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", p("future.key"), "-out", p("future.csr"), "-subj", "/CN=aws-syslog"]);
  await run(openssl, ["ca", "-batch", "-notext", "-config", p("future-ca.cnf"), "-extensions", "leaf", "-cert", pki.ca, "-keyfile", p("ca.key"),
    "-startdate", "20991201000000Z", "-enddate", "20991231000000Z", "-in", p("future.csr"), "-out", p("future.pem")]);
  await rm(p("future.csr"));
  return { cert: p("future.pem"), key: p("future.key") };
}
