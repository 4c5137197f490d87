import { stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parseArgv } from "../args.js";
import { CERT_FILE_MODE, KEY_FILE_MODE } from "../certs/index.js";
import { ensureTlsDir, writeFileAtomic } from "../certs/pem-files.js";
import { oneGateSettings, oneGateText } from "../client-config/onegate-settings.js";
import { resolveSenderTarget } from "../client-config/resolve-sender-target.js";
import { RSYSLOG_DROP_IN, rsyslogConfig } from "../client-config/rsyslog-config.js";
import { RELP_PORT, RELP_WINDOW_SIZE, rsyslogRelpConfig } from "../client-config/rsyslog-relp-config.js";
import { DEFAULT_SENDER_TLS_DIR, parsePort, SENDER_TLS_FILES, SYSLOG_TLS_PORT, SYSTEM_CA_BUNDLE, type SenderTarget } from "../client-config/sender-target.js";
import { DEFAULT_SYSLOG_NG_SOURCE, SYSLOG_NG_DROP_IN, syslogNgConfig } from "../client-config/syslog-ng-config.js";
import { CLI_ERROR_CODES, CliError, EXIT, fileError, UsageError } from "../errors.js";
import { styleFor, warn, type CliIo } from "../io.js";

export const SENDERS = ["rsyslog-ossl", "rsyslog-gtls", "rsyslog-relp", "syslog-ng", "onegate"] as const;
export type SenderKind = (typeof SENDERS)[number];

export const help = `Usage: pnpm cli client-config [SENDER...] [options]

Prints ready sender configurations for one deployment of the receiver:

  rsyslog-ossl   rsyslog drop-in (${RSYSLOG_DROP_IN}): omfwd, OpenSSL driver, RFC 5424,
                 octet-counted framing, disk-assisted action queue
  rsyslog-gtls   the same with the GnuTLS driver
  rsyslog-relp   rsyslog drop-in (same path, use one of the three): omrelp over TLS to
                 --relp-port, each message acknowledged once stored, windowSize ${RELP_WINDOW_SIZE},
                 the same disk-assisted action queue
  syslog-ng      syslog-ng drop-in (${SYSLOG_NG_DROP_IN}): network() with transport("tls"),
                 RFC 5424, reliable disk buffer
  onegate        the settings to type into OneGate (host, port, facility local0, CA, client certificate)

No SENDER means all five. Every certificate named is checked first: it must exist, be valid
today, and a client key must belong to its certificate.

Without --host the target is the embedded default on this machine (pnpm start): 127.0.0.1,
the development CA and client certificate in <data>/tls, the server certificate's name.

Options:
  --host NAME          the receiver: the NLB's DNS name or your CNAME (e.g. syslog.example.com)
  --port N             TLS port (default ${SYSLOG_TLS_PORT})
  --relp-port N        RELP over TLS port for rsyslog-relp (default ${RELP_PORT}; the stage's relp listener)
  --auth MODE          how the sender checks the receiver: x509/name (default: CA and name) or
                       anon (encryption only, no check)
  --peer NAME          the name the receiver's certificate must carry (default: --host)
  --ca FILE|system     CA of the receiver's certificate; "system" = the sender's trust store
                       ${SYSTEM_CA_BUNDLE} (mode tls, ACM). Default: system with --host,
                       <data>/tls/ca.pem without
  --cert FILE          client certificate for a receiver that requires one (mode mtls)
  --key FILE           its private key (default: FILE with .key instead of .pem)
  --sender-dir DIR     where the TLS files go on the sender host (default ${DEFAULT_SENDER_TLS_DIR})
  --syslog-ng-source NAME  the syslog-ng source to forward (default ${DEFAULT_SYSLOG_NG_SOURCE}; RHEL/Amazon Linux: s_sys)
  --data-dir DIR       the embedded default's data directory (default .data, or $SYSLOG_DATA_DIR)
  --out DIR            write the files into DIR (configurations, onegate.txt, and copies of
                       ${SENDER_TLS_FILES.ca}, ${SENDER_TLS_FILES.cert}, ${SENDER_TLS_FILES.key}) instead of printing them
  --force              with --out: replace existing files
  --json               machine-readable output (never contains a private key)
  -h, --help           show this help

Examples:
  pnpm cli client-config rsyslog-ossl > 90-aws-syslog.conf
  pnpm cli client-config rsyslog-relp --host syslog.example.com > 90-aws-syslog.conf
  pnpm cli client-config --host syslog.example.com --out sender-files
  pnpm cli client-config --host syslog.example.com --ca ca.pem --cert client-web01.pem onegate

Exit codes: 0 ok, 1 failure (missing file, expired certificate, key mismatch), 2 usage error.
`;

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  "relp-port": { type: "string" },
  auth: { type: "string" },
  peer: { type: "string" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  "sender-dir": { type: "string" },
  "syslog-ng-source": { type: "string" },
  "data-dir": { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
  json: { type: "boolean" },
} as const;

/** One generated file: its name in --out, where it belongs on the sender, its text and mode. */
export interface SenderFile {
  name: string;
  installAs: string | null;
  content: string;
  mode: number;
  secret: boolean;
}

function parseSenders(positionals: string[]): SenderKind[] {
  for (const p of positionals) {
    if (!(SENDERS as readonly string[]).includes(p)) throw new UsageError(`client-config: unknown sender "${p}" (expected ${SENDERS.join(", ")})`);
  }
  return positionals.length === 0 ? [...SENDERS] : SENDERS.filter((s) => positionals.includes(s));
}

function parseSource(value: string | undefined): string {
  const source = value ?? DEFAULT_SYSLOG_NG_SOURCE;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(source)) throw new UsageError(`--syslog-ng-source must be a syslog-ng identifier (letters, digits, _), got "${source}"`);
  return source;
}

/** The files for the chosen senders, then the TLS files they refer to. */
export function senderFiles(target: SenderTarget, senders: readonly SenderKind[], syslogNgSource: string, relpPort: number = RELP_PORT): SenderFile[] {
  const files: SenderFile[] = [];
  const text = (name: string, installAs: string | null, content: string) => files.push({ name, installAs, content, mode: CERT_FILE_MODE, secret: false });
  if (senders.includes("rsyslog-ossl")) text("rsyslog-ossl.conf", RSYSLOG_DROP_IN, rsyslogConfig(target, "ossl"));
  if (senders.includes("rsyslog-gtls")) text("rsyslog-gtls.conf", RSYSLOG_DROP_IN, rsyslogConfig(target, "gtls"));
  if (senders.includes("rsyslog-relp")) text("rsyslog-relp.conf", RSYSLOG_DROP_IN, rsyslogRelpConfig(target, relpPort));
  if (senders.includes("syslog-ng")) text("syslog-ng.conf", SYSLOG_NG_DROP_IN, syslogNgConfig(target, syslogNgSource));
  if (senders.includes("onegate")) text("onegate.txt", null, oneGateText(oneGateSettings(target)));
  if (target.ca.kind === "file") text(SENDER_TLS_FILES.ca, target.ca.senderPath, target.ca.pem);
  if (target.client) {
    text(SENDER_TLS_FILES.cert, target.client.senderPath.cert, target.client.certPem);
    files.push({ name: SENDER_TLS_FILES.key, installAs: target.client.senderPath.key, content: target.client.keyPem, mode: KEY_FILE_MODE, secret: true });
  }
  return files;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgv("client-config", argv, OPTIONS);
  const senders = parseSenders(positionals);
  const source = parseSource(values["syslog-ng-source"]);
  const relpPort = values["relp-port"] === undefined ? RELP_PORT : parsePort(values["relp-port"], "--relp-port");
  if (values["relp-port"] !== undefined && !senders.includes("rsyslog-relp")) throw new UsageError("client-config: --relp-port only applies to rsyslog-relp");
  if (values.force && values.out === undefined) throw new UsageError("client-config: --force only applies with --out");
  const { target, warnings } = await resolveSenderTarget(
    { host: values.host, port: values.port, auth: values.auth, peer: values.peer, ca: values.ca, cert: values.cert, key: values.key, senderDir: values["sender-dir"], dataDir: values["data-dir"] },
    io,
  );
  for (const w of warnings) warn(io, w);
  const files = senderFiles(target, senders, source, relpPort);
  const summary = {
    host: target.host,
    port: target.port,
    relpPort: senders.includes("rsyslog-relp") ? relpPort : undefined,
    auth: target.auth,
    peer: target.peer,
    ca: target.ca.kind === "system" ? { system: target.ca.senderPath } : { file: target.ca.source, subject: target.ca.info.subject, notAfter: target.ca.info.notAfter },
    client: target.client ? { file: target.client.source.cert, subject: target.client.info.subject, notAfter: target.client.info.notAfter } : null,
    onegate: senders.includes("onegate") ? oneGateSettings(target) : undefined,
    warnings,
  };

  if (values.out !== undefined) {
    const dir = resolve(io.cwd, values.out);
    await writeAll(dir, files, values.force === true, (p) => relative(io.cwd, p) || p);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ...summary, dir, files: files.map((f) => ({ file: join(dir, f.name), installAs: f.installAs })) }, null, 2)}\n`);
      return EXIT.ok;
    }
    const s = styleFor(io);
    io.stdout.write(`wrote ${files.length} files to ${s.bold(relative(io.cwd, dir) || ".")}\n`);
    for (const f of files) io.stdout.write(`  ${f.name.padEnd(18)} ${f.installAs ? `→ ${f.installAs}` : "(settings to type in)"}${f.secret ? s.yellow("  private key, mode 0600") : ""}\n`);
    return EXIT.ok;
  }

  // Printed: only the configurations; the TLS files are copied with --out.
  const printed = files.filter((f) => f.name.endsWith(".conf") || f.name.endsWith(".txt"));
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ ...summary, files: printed.map((f) => ({ name: f.name, installAs: f.installAs, content: f.content })) }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (printed.length === 1) {
    io.stdout.write(printed[0]!.content);
    return EXIT.ok;
  }
  io.stdout.write(printed.map((f) => `${styleFor(io).bold(`==> ${f.name}${f.installAs ? ` (install as ${f.installAs})` : ""} <==`)}\n${f.content}`).join("\n"));
  return EXIT.ok;
}

/** Every file or none: existing names are refused (without --force) before anything is written. */
async function writeAll(dir: string, files: readonly SenderFile[], force: boolean, label: (path: string) => string): Promise<void> {
  await ensureTlsDir(dir);
  if (!force) {
    for (const f of files) {
      const path = join(dir, f.name);
      const exists = await stat(path).then(() => true, (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return false;
        throw fileError(err, path, "read");
      });
      if (exists) throw new CliError(CLI_ERROR_CODES.fileExists, `${label(path)} exists already (pass --force to replace it)`, EXIT.failure);
    }
  }
  for (const f of files) await writeFileAtomic(join(dir, f.name), f.content, f.mode, force);
}
