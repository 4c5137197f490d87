import { X509Certificate } from "node:crypto";
import { join, resolve } from "node:path";
import { parseArgv, parseDays } from "../args.js";
import {
  DEFAULT_CLIENT_CN,
  DEFAULT_DEV_TLS_DIR,
  DEFAULT_LEAF_DAYS,
  describeCertificate,
  DEV_TLS_FILES,
  ensureDevTls,
  issueClientCertificate,
  issueServerCertificate,
  KEY_ALGORITHMS,
  loadCa,
  MAX_LEAF_DAYS,
  parseCertificates,
  writePemPair,
  type CertificateAuthority,
  type CertificateInfo,
  type KeyAlgorithm,
} from "../certs/index.js";
import { readOptional, readRequired } from "../certs/pem-files.js";
import { CLI_ERROR_CODES, CliError, EXIT, UsageError } from "../errors.js";
import { progress, styleFor, warn, type CliIo } from "../io.js";
import { displayPath, formatCertificate, show } from "./certs-show.js";

export const help = `Usage: pnpm cli certs <subcommand> [options]

Creates and inspects TLS material for the receiver and its senders. Keys are ECDSA P-256
unless --key rsa (RSA 2048) is given; private keys are written 0600 and never printed.

Subcommands:
  init      create a development CA, a server certificate and a client certificate (CN
            ${DEFAULT_CLIENT_CN}) in the directory, keeping whatever is already there and valid
  server    issue a server certificate signed by the directory's CA
  client    issue a client certificate signed by the directory's CA
  show      print certificates: subject, issuer, SANs, serial, validity, fingerprints

  certs init   [--dir D] [--dns NAME]... [--ip IP]... [--key ec|rsa] [--force] [--json]
  certs server [--dir D] [--dns NAME]... [--ip IP]... [--days N] [--key ec|rsa] [--out BASE] [--force] [--json]
  certs client [--dir D] [--cn NAME] [--days N] [--key ec|rsa] [--out BASE] [--force] [--json]
  certs show   FILE... [--check] [--json]

Options:
  --dir D      directory of ca.pem and ca.key, and where files are written (default ${DEFAULT_DEV_TLS_DIR})
  --dns NAME   a DNS name for the server certificate (repeatable; "*.example.com" allowed)
  --ip IP      an IP address for the server certificate (repeatable)
               (server default, when neither is given: localhost, 127.0.0.1, ::1)
  --cn NAME    the client's name: subject CN and SAN DNS name (default ${DEFAULT_CLIENT_CN}); a receiver
               in x509/name mode permits it by this name
  --days N     validity in days, 1 to ${MAX_LEAF_DAYS} (default ${DEFAULT_LEAF_DAYS}; never past the CA's end)
  --key K      ec (ECDSA P-256, default) or rsa (RSA 2048, for senders that only take RSA)
  --out BASE   write BASE.pem and BASE.key (default: server; client for CN ${DEFAULT_CLIENT_CN},
               else client-<cn>)
  --force      init: re-create everything, CA included; server/client: replace existing files
  --check      show: exit 1 when a certificate is expired or not yet valid
  --json       machine-readable output on stdout
  -h, --help   show this help

Fingerprints are printed in rsyslog's notation (SHA256:AB:CD:…), ready for PermittedPeer with
x509/fingerprint or RECEIVER_TLS_FINGERPRINTS.

Exit codes: 0 ok, 1 failure (missing file, not a certificate, CA key missing, --check failed),
2 usage error.
`;

const COMMON = {
  dir: { type: "string" },
  key: { type: "string" },
  force: { type: "boolean" },
  json: { type: "boolean" },
} as const;
const SERVER = { ...COMMON, dns: { type: "string", multiple: true }, ip: { type: "string", multiple: true }, days: { type: "string" }, out: { type: "string" } } as const;
const CLIENT = { ...COMMON, cn: { type: "string" }, days: { type: "string" }, out: { type: "string" } } as const;
const INIT = { ...COMMON, dns: { type: "string", multiple: true }, ip: { type: "string", multiple: true } } as const;

function keyOption(command: string, value: string | undefined): KeyAlgorithm | undefined {
  if (value === undefined) return undefined;
  if (!(KEY_ALGORITHMS as readonly string[]).includes(value)) throw new UsageError(`${command}: --key must be ${KEY_ALGORITHMS.join(" or ")}, got "${value}"`);
  return value as KeyAlgorithm;
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`${command}: unexpected argument "${positionals[0]}" (see: ${command} --help)`);
}

/** A file base name given with --out: a name, not a path, so it stays inside --dir. */
function outBase(command: string, value: string | undefined, fallback: string): string {
  const base = value ?? fallback;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(base) || base.endsWith(".pem") || base.endsWith(".key")) {
    throw new UsageError(`${command}: --out must be a plain file name without extension (letters, digits, . _ -), got "${base}"`);
  }
  return base;
}

async function requireCa(dir: string, io: CliIo): Promise<CertificateAuthority> {
  const caPath = join(dir, DEV_TLS_FILES.ca);
  const keyPath = join(dir, DEV_TLS_FILES.caKey);
  const certPem = await readOptional(caPath);
  if (certPem === undefined) {
    throw new CliError(CLI_ERROR_CODES.caMissing, `no CA in ${displayPath(io, dir)}: ${DEV_TLS_FILES.ca} is missing (run: pnpm cli certs init --dir ${displayPath(io, dir)})`, EXIT.failure);
  }
  const keyPem = await readOptional(keyPath);
  if (keyPem === undefined) {
    throw new CliError(CLI_ERROR_CODES.caKeyMissing, `${displayPath(io, keyPath)} is missing: the CA's private key is needed to sign (restore it, or use the directory where it is)`, EXIT.failure);
  }
  return loadCa(certPem, keyPem, { now: io.now(), label: displayPath(io, caPath) });
}

async function init(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgv("certs init", argv, INIT);
  noPositionals("certs init", positionals);
  const dir = resolve(io.cwd, values.dir ?? DEFAULT_DEV_TLS_DIR);
  const key = keyOption("certs init", values.key);
  progress(io, `preparing TLS material in ${displayPath(io, dir)}…`);
  const result = await ensureDevTls(dir, {
    now: io.now(),
    ...(key ? { key } : {}),
    ...(values.dns ? { serverDnsNames: values.dns } : {}),
    ...(values.ip ? { serverIpAddresses: values.ip } : {}),
    ...(values.force ? { force: true } : {}),
  });
  if (key && result.written.length === 0) result.warnings.push(`--key ${key} applies only to what is generated; everything was kept (add --force to re-create it all)`);
  // ensureDevTls has just written or checked these files; read them back to describe them.
  const infos: Record<string, CertificateInfo> = {};
  for (const k of ["ca", "server", "client"] as const) {
    infos[k] = describeCertificate(parseCertificates(await readRequired(result.paths[k]), result.paths[k])[0]!, io.now());
  }
  for (const w of result.warnings) warn(io, w);
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ dir: result.dir, paths: result.paths, written: result.written, warnings: result.warnings, certificates: infos }, null, 2)}\n`);
    return EXIT.ok;
  }
  const s = styleFor(io);
  const d = displayPath(io, dir);
  io.stdout.write(`TLS material in ${s.bold(d)}\n`);
  for (const k of ["ca", "server", "client"] as const) {
    const file = DEV_TLS_FILES[k];
    const w = result.written.find((x) => x.file === file);
    io.stdout.write(`  ${w ? s.green("created") : "kept   "} ${file.padEnd(10)} ${infos[k]!.subject}  ${s.dim(infos[k]!.subjectAltNames.join(", "))}\n`);
  }
  io.stdout.write(
    `\nSenders trust ${join(d, DEV_TLS_FILES.ca)}; one presenting ${join(d, DEV_TLS_FILES.client)} + ${DEV_TLS_FILES.clientKey} is permitted as "${DEFAULT_CLIENT_CN}" (x509/name)` +
    `\nor by fingerprint ${infos["client"]!.fingerprints.sha256} (x509/fingerprint).\n`,
  );
  return EXIT.ok;
}

async function issue(kind: "server" | "client", argv: string[], io: CliIo): Promise<number> {
  const command = `certs ${kind}`;
  const { values, positionals } = parseArgv(command, argv, kind === "server" ? SERVER : CLIENT);
  noPositionals(command, positionals);
  const v = values as Record<string, string | string[] | boolean | undefined>;
  const dir = resolve(io.cwd, (v["dir"] as string | undefined) ?? DEFAULT_DEV_TLS_DIR);
  const key = keyOption(command, v["key"] as string | undefined);
  const days = parseDays(command, v["days"] as string | undefined, DEFAULT_LEAF_DAYS, MAX_LEAF_DAYS);
  const cn = (v["cn"] as string | undefined) ?? DEFAULT_CLIENT_CN;
  const base = outBase(command, v["out"] as string | undefined, kind === "server" ? "server" : cn === DEFAULT_CLIENT_CN ? "client" : `client-${cn.toLowerCase()}`);
  const ca = await requireCa(dir, io);
  progress(io, `generating a ${key === "rsa" ? "RSA 2048" : "ECDSA P-256"} key and ${kind} certificate…`);
  const common = { now: io.now(), days, ...(key ? { key } : {}) };
  const issued = kind === "server"
    ? await issueServerCertificate(ca, { ...common, dnsNames: (v["dns"] as string[] | undefined) ?? [], ipAddresses: (v["ip"] as string[] | undefined) ?? [] })
    : await issueClientCertificate(ca, { ...common, commonName: cn });
  const paths = await writePemPair(dir, base, issued, v["force"] === true);
  const info = describeCertificate(new X509Certificate(issued.certPem), io.now());
  if (v["json"]) {
    io.stdout.write(`${JSON.stringify({ cert: paths.cert, key: paths.key, certificate: info }, null, 2)}\n`);
    return EXIT.ok;
  }
  const s = styleFor(io);
  io.stdout.write(`${s.green("created")} ${displayPath(io, paths.cert)} and ${displayPath(io, paths.key)}\n${formatCertificate(info, s)}`);
  return EXIT.ok;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "init":
      return init(rest, io);
    case "server":
    case "client":
      return issue(sub, rest, io);
    case "show":
      return show(rest, io);
    case undefined:
      throw new UsageError("certs: name a subcommand: init, server, client or show (see: certs --help)");
    default:
      throw new UsageError(`certs: unknown subcommand "${sub}": expected init, server, client or show (see: certs --help)`);
  }
}
