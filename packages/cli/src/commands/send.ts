import { randomBytes } from "node:crypto";
import { hostname as osHostname } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgv } from "../args.js";
import { DEV_TLS_FILES } from "../certs/index.js";
import { readOptional } from "../certs/pem-files.js";
import { EMBEDDED_CA_HINT, EMBEDDED_HOST } from "../client-config/resolve-sender-target.js";
import { parseHost, parsePort, SYSLOG_TLS_PORT } from "../client-config/sender-target.js";
import { defaultKeyPath, readCaFile, readClientCertificate } from "../client-config/sender-tls-files.js";
import { CliError, EXIT, UsageError } from "../errors.js";
import { isInteractive, styleFor, warn, type CliIo } from "../io.js";
import { ProgressBar } from "../send/progress-bar.js";
import { sendMessages } from "../send/send-messages.js";
import {
  checkHeaderField, frame, FRAMINGS, MESSAGE_FORMATS, ONEGATE_FACILITY, parseFacility, parseSeverity, testMessage,
  type Framing, type MessageFormat,
} from "../send/test-message.js";
import { openTlsConnection } from "../send/tls-connection.js";

/** Bounds that keep a typo (--count 1e9) from running for hours. */
export const MAX_COUNT = 10_000_000;
export const MAX_RATE = 1_000_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** After our FIN the receiver reads what is in flight, then closes; this long at most. */
const CLOSE_TIMEOUT_MS = 10_000;

export const help = `Usage: pnpm cli send [options]

Sends numbered test messages over TLS to a receiver, with a progress bar on a terminal and a
summary at the end. Each message carries a run id, printed in the summary, to find this run's
records afterwards.

Without --host it sends to the embedded default on this machine (pnpm start): 127.0.0.1:${SYSLOG_TLS_PORT},
trusting <data>/tls/ca.pem and presenting <data>/tls/client.pem when it exists.

Options:
  --host NAME        the receiver (DNS name or IP address)
  --port N           TLS port (default ${SYSLOG_TLS_PORT})
  --ca FILE|system   CA that signed the receiver's certificate; "system" = Node's public CAs
                     (default: system with --host, <data>/tls/ca.pem without)
  --cert FILE        client certificate to present (receivers in mode mtls)
  --key FILE         its private key (default: FILE with .key instead of .pem)
  --servername NAME  the name the receiver's certificate must carry (default: --host)
  --insecure         encrypt without checking the receiver's certificate (rsyslog's "anon")
  --format F         rfc5424 (default), rfc3164, or onegate (RFC 5424, facility local0, JSON message)
  --framing F        octet-counted (default, RFC 5425) or lf
  --count N          messages to send (default 1, at most ${MAX_COUNT})
  --rate N           messages per second (default: as fast as the receiver reads)
  --message TEXT     text of each message (default "aws-syslog test message")
  --facility F       name or number (default user; onegate: local0)
  --severity S       name or number (default info)
  --hostname NAME    HOSTNAME field (default this machine's name)
  --app NAME         APP-NAME field (default aws-syslog-send; onegate: onegate)
  --data-dir DIR     the embedded default's data directory (default .data, or $SYSLOG_DATA_DIR)
  --json             print the summary as JSON
  -h, --help         show this help

Examples:
  pnpm cli send --count 1000 --rate 200
  pnpm cli send --host syslog.example.com --format onegate --cert onegate.pem --count 10

TCP syslog has no acknowledgements: "sent" means written to the connection, which the
receiver then closed after reading. Check arrival with the run id (pnpm query, or tail).

Exit codes: 0 all sent, 1 failure (host unreachable, TLS refused, certificate expired,
connection lost: the message says how many were written), 2 usage error.
`;

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  servername: { type: "string" },
  insecure: { type: "boolean" },
  format: { type: "string" },
  framing: { type: "string" },
  count: { type: "string" },
  rate: { type: "string" },
  message: { type: "string" },
  facility: { type: "string" },
  severity: { type: "string" },
  hostname: { type: "string" },
  app: { type: "string" },
  "data-dir": { type: "string" },
  json: { type: "boolean" },
} as const;

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`send: ${option} must be ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

function positiveNumber(option: string, value: string | undefined, max: number, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n)) || value.trim() === "") {
    throw new UsageError(`send: ${option} must be a ${integer ? "whole " : ""}number from ${integer ? 1 : "above 0"} to ${max}, got "${value}"`);
  }
  return n;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgv("send", argv, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`send: unexpected argument "${positionals[0]}" (the text goes in --message)`);
  const embedded = values.host === undefined;
  const host = embedded ? EMBEDDED_HOST : parseHost(values.host!);
  const port = parsePort(values.port);
  const format: MessageFormat = oneOf("--format", values.format, MESSAGE_FORMATS, "rfc5424");
  const framing: Framing = oneOf("--framing", values.framing, FRAMINGS, "octet-counted");
  const total = positiveNumber("--count", values.count, MAX_COUNT, true) ?? 1;
  const rate = positiveNumber("--rate", values.rate, MAX_RATE, false) ?? Infinity;
  const text = values.message ?? "aws-syslog test message";
  if (/[\r\n\0]/.test(text)) throw new UsageError("send: --message must be one line");
  const facility = values.facility !== undefined ? parseFacility(values.facility) : format === "onegate" ? ONEGATE_FACILITY : 1;
  const severity = values.severity !== undefined ? parseSeverity(values.severity) : 6;
  // RFC 5424 §6: HOSTNAME at most 255 octets, APP-NAME at most 48.
  const hostname = checkHeaderField(values.hostname ?? (osHostname() || "localhost"), "--hostname", 255);
  const appName = checkHeaderField(values.app ?? (format === "onegate" ? "onegate" : "aws-syslog-send"), "--app", 48);
  if (values.key !== undefined && values.cert === undefined) throw new UsageError("send: --key needs --cert");
  if (values.insecure && values.servername !== undefined) throw new UsageError("send: --servername has no effect with --insecure");
  const servername = values.servername !== undefined ? parseHost(values.servername, "--servername") : undefined;

  // The TLS files, checked before connecting: an expired client certificate is named as such.
  const now = io.now();
  const label = (p: string) => relative(io.cwd, p) || p;
  const devTls = resolve(io.cwd, values["data-dir"] ?? io.env["SYSLOG_DATA_DIR"] ?? ".data", "tls");
  const caOption = values.ca ?? (embedded ? join(devTls, DEV_TLS_FILES.ca) : "system");
  let ca: string | undefined;
  if (caOption !== "system") {
    const path = resolve(io.cwd, caOption);
    const read = await readCaFile(path, label(path), now, values.ca === undefined ? EMBEDDED_CA_HINT : undefined);
    for (const w of read.warnings) warn(io, w);
    ca = read.file.pem;
  }
  const devClient = join(devTls, DEV_TLS_FILES.client);
  const certOption = values.cert ?? (embedded && (await readOptional(devClient)) !== undefined ? devClient : undefined);
  let client: Awaited<ReturnType<typeof readClientCertificate>>["client"] | undefined;
  if (certOption !== undefined) {
    const cert = resolve(io.cwd, certOption);
    const key = values.key !== undefined ? resolve(io.cwd, values.key) : defaultKeyPath(cert);
    const read = await readClientCertificate({ cert, certLabel: label(cert), key, keyLabel: label(key) }, now);
    for (const w of read.warnings) warn(io, w);
    client = read.client;
  }

  const where = `${host}:${port}`;
  const socket = await openTlsConnection({
    host,
    port,
    ...(ca !== undefined ? { ca } : {}),
    ...(client ? { cert: client.cert.pem, key: client.keyPem } : {}),
    ...(servername !== undefined ? { servername } : {}),
    insecure: values.insecure === true,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  const peer = socket.getPeerX509Certificate();
  const tls = { protocol: socket.getProtocol(), cipher: socket.getCipher().name, receiver: peer?.subject.replace(/\n/g, ", ") ?? null, clientCertificate: client?.cert.info.subject ?? null };

  const runId = randomBytes(4).toString("hex");
  const procId = String(process.pid);
  const bar = new ProgressBar((s) => io.stderr.write(s), total, isInteractive(io) && total > 1);
  const outcome = await sendMessages({
    socket,
    where,
    pace: { ratePerSecond: rate, total },
    message: (seq) => frame(testMessage({ format, facility, severity, hostname, appName, procId, text, runId, total }, seq, io.now()), framing),
    onProgress: (n, ms) => bar.update(n, ms),
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
  });
  bar.finish(outcome.written, outcome.elapsedMs);
  if (outcome.error) {
    throw new CliError(outcome.error.code, `${outcome.error.message}; ${outcome.written} of ${total} messages were written before (run ${runId})`, EXIT.failure, { cause: outcome.error });
  }

  const seconds = outcome.elapsedMs / 1000;
  const achieved = seconds > 0 ? outcome.written / seconds : outcome.written;
  const summary = {
    host, port, format, framing, sent: outcome.written, total, bytes: outcome.bytes,
    durationMs: Math.round(outcome.elapsedMs), messagesPerSecond: Math.round(achieved), runId,
    receiverClosed: outcome.closedByReceiver, tls,
  };
  if (values.json) {
    io.stdout.write(`${JSON.stringify(summary)}\n`);
    return EXIT.ok;
  }
  const s = styleFor(io);
  io.stdout.write(
    `${s.green("sent")} ${outcome.written} of ${total} messages to ${where} in ${seconds.toFixed(2)} s ` +
      `(${Math.round(achieved)} msg/s, ${outcome.bytes} bytes, ${format}, ${framing})\n` +
      `TLS ${tls.protocol} ${tls.cipher}, receiver ${tls.receiver ?? "?"}${tls.clientCertificate ? `, client certificate ${tls.clientCertificate}` : ", no client certificate"}\n` +
      `run ${runId}: pnpm query "select count(*) from logs where message like '%run=${runId}%'"\n`,
  );
  if (!outcome.closedByReceiver) warn(io, `${where} did not close the connection within ${CLOSE_TIMEOUT_MS / 1000} s of the end; it may not have read everything`);
  return EXIT.ok;
}
