import { isIP } from "node:net";
import { join, relative, resolve } from "node:path";
import { DEV_TLS_FILES, parseCertificates } from "../certs/index.js";
import { readOptional } from "../certs/pem-files.js";
import { normalizeDnsName } from "../certs/subject-names.js";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { defaultKeyPath, readCaFile, readClientCertificate } from "./sender-tls-files.js";
import {
  parseAuthMode, parseHost, parsePort, parseSenderDir, senderFile, SENDER_TLS_FILES, SYSTEM_CA_BUNDLE,
  type SenderCa, type SenderClientCertificate, type SenderTarget,
} from "./sender-target.js";

/** The embedded default's TLS listener (DESIGN §9): what a target without --host means. */
export const EMBEDDED_HOST = "127.0.0.1";
export const EMBEDDED_CA_HINT = "the embedded default's CA: run pnpm start or pnpm cli certs init first, or name the receiver with --host";

export interface SenderTargetOptions {
  host?: string | undefined;
  port?: string | undefined;
  auth?: string | undefined;
  peer?: string | undefined;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  senderDir?: string | undefined;
  dataDir?: string | undefined;
}

const label = (io: CliIo, path: string) => relative(io.cwd, path) || ".";

/**
 * The deployment a configuration is for. Without --host it is the embedded default on this
 * machine: 127.0.0.1:6514, the development CA and client certificate from <data>/tls, and the
 * name in the development server certificate. With --host nothing is implied: the CA is the
 * system trust store unless --ca names a file, and there is a client certificate only with
 * --cert. Every file is read and checked (exists, is a certificate, valid now, key matches).
 */
export async function resolveSenderTarget(options: SenderTargetOptions, io: CliIo): Promise<{ target: SenderTarget; warnings: string[] }> {
  const embedded = options.host === undefined;
  const host = embedded ? EMBEDDED_HOST : parseHost(options.host!);
  const port = parsePort(options.port);
  const auth = parseAuthMode(options.auth);
  const senderTlsDir = parseSenderDir(options.senderDir);
  const devTls = resolve(io.cwd, options.dataDir ?? io.env["SYSLOG_DATA_DIR"] ?? ".data", "tls");
  if (options.dataDir !== undefined && !embedded) throw new UsageError("--data-dir applies only to the embedded default (without --host); name the files with --ca and --cert");
  if (options.key !== undefined && options.cert === undefined) throw new UsageError("--key needs --cert (the client certificate it belongs to)");
  if (auth === "anon" && options.peer !== undefined) throw new UsageError("--peer applies only to --auth x509/name (anon checks no name)");
  let peer: string | null = null;
  if (auth === "x509/name") {
    if (options.peer !== undefined) peer = normalizeDnsName(options.peer, "--peer");
    else if (isIP(host) === 0) peer = host;
    else if (embedded) peer = await devServerName(join(devTls, DEV_TLS_FILES.server));
    else throw new UsageError(`--peer is needed: with x509/name the sender checks a DNS name in the receiver's certificate, and ${host} is an IP address`);
  }
  const warnings: string[] = [];
  const now = io.now();

  let ca: SenderCa;
  const caOption = options.ca ?? (embedded ? join(devTls, DEV_TLS_FILES.ca) : "system");
  if (caOption === "system") {
    ca = { kind: "system", senderPath: SYSTEM_CA_BUNDLE };
  } else {
    const path = resolve(io.cwd, caOption);
    const read = await readCaFile(path, label(io, path), now, options.ca === undefined ? EMBEDDED_CA_HINT : undefined);
    warnings.push(...read.warnings);
    ca = { kind: "file", source: path, senderPath: senderFile(senderTlsDir, SENDER_TLS_FILES.ca), pem: read.file.pem, info: read.file.info };
  }

  let client: SenderClientCertificate | null = null;
  const devClient = join(devTls, DEV_TLS_FILES.client);
  const certOption = options.cert ?? (embedded && (await readOptional(devClient)) !== undefined ? devClient : undefined);
  if (certOption !== undefined) {
    const cert = resolve(io.cwd, certOption);
    const key = options.key !== undefined ? resolve(io.cwd, options.key) : defaultKeyPath(cert);
    const read = await readClientCertificate({ cert, certLabel: label(io, cert), key, keyLabel: label(io, key) }, now);
    warnings.push(...read.warnings);
    client = {
      source: { cert, key },
      senderPath: { cert: senderFile(senderTlsDir, SENDER_TLS_FILES.cert), key: senderFile(senderTlsDir, SENDER_TLS_FILES.key) },
      certPem: read.client.cert.pem,
      keyPem: read.client.keyPem,
      info: read.client.cert.info,
    };
  }

  return { target: { host, port, auth, peer, ca, client, senderTlsDir }, warnings };
}

/** The first DNS name of the development server certificate; "localhost" (what `certs init` puts there) when absent. */
async function devServerName(path: string): Promise<string> {
  const pem = await readOptional(path);
  if (pem === undefined) return "localhost";
  const [cert] = parseCertificates(pem, path);
  const dns = cert?.subjectAltName?.split(", ").find((n) => n.startsWith("DNS:"));
  return dns ? dns.slice(4) : "localhost";
}
