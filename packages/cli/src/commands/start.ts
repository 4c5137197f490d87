import { resolve } from "node:path";
import { pino } from "pino";
import { loadConfig, startReceiver, type ReceiverConfig, type ReceiverHandle } from "@aws-syslog/receiver";
import { parseArgv } from "../args.js";
import { ensureDevTls } from "../certs/index.js";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";
import { styleFor, warn, type CliIo } from "../io.js";
import { startLocalPipeline, type LocalPipeline } from "../local/pipeline.js";

export const help = `Usage: pnpm start [options]
       pnpm cli start [options]

Runs the embedded default: the production receiver with TLS on 127.0.0.1:6514 and the local
pipeline (the forwarder's own code) that turns what the receiver stages into log files and a
Parquet archive, all under the data directory:

  <data>/tls/          development CA, server and client (CN aws-syslog) certificates
  <data>/staging/      gzip NDJSON objects, as Firehose would write them to S3
  <data>/cloudwatch/   <log group without its leading slash>/<log stream>.log
  <data>/archive/      route=<route>/dt=YYYY-MM-DD/hour=HH/*.parquet  (pnpm query)

Options:
  --host ADDR        address to listen on (default 127.0.0.1)
  --port N           TLS syslog port (default 6514)
  --tcp-port N       also listen for plain TCP syslog on this port (default off)
  --health-port N    HTTP /health and /metrics (default off)
  --data-dir DIR     where everything is kept (default .data, or $SYSLOG_DATA_DIR)
  --mtls             require a client certificate, checked as x509/name, permitted peer aws-syslog
  -h, --help         show this help

RECEIVER_* variables (docs/configuration.md) apply too, e.g. RECEIVER_TLS_AUTH_MODE, except those
the options above set: host, ports, certificate files, sink and staging directory. FORWARDER_*
variables shape the local pipeline as they shape the Lambdas (routes, stream names, archive).
Stop with Ctrl-C: the receiver drains, the pipeline finishes what was staged, then it exits.
`;

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  "tcp-port": { type: "string" },
  "health-port": { type: "string" },
  "data-dir": { type: "string" },
  mtls: { type: "boolean" },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgv("start", argv, OPTIONS);
  const dataDir = resolve(io.cwd, values["data-dir"] ?? io.env["SYSLOG_DATA_DIR"] ?? ".data");
  const tls = await ensureDevTls(resolve(dataDir, "tls"));
  for (const w of tls.warnings) warn(io, w);
  for (const w of tls.written) io.stderr.write(`wrote ${w.file} (${w.reason})\n`);

  let config: ReceiverConfig;
  try {
    config = loadConfig(io.env as NodeJS.ProcessEnv, {
      host: values.host ?? "127.0.0.1",
      tlsPort: values.port ?? "6514",
      tcpPort: values["tcp-port"] ?? "off",
      healthPort: values["health-port"] ?? "off",
      tlsCertFile: tls.paths.server,
      tlsKeyFile: tls.paths.serverKey,
      tlsCaFile: tls.paths.ca,
      sink: "staging",
      stagingDir: resolve(dataDir, "staging"),
      ...(values.mtls ? { tlsAuthMode: "x509/name", tlsPermittedPeers: "aws-syslog" } : {}),
    });
  } catch (err) {
    throw new CliError(CLI_ERROR_CODES.usage, (err as Error).message, EXIT.usage, { cause: err });
  }

  const logger = pino({ level: config.logLevel, base: { service: "embedded" } });
  const failed = (what: string, err: unknown) => {
    const code = (err as { code?: string }).code;
    return new CliError(CLI_ERROR_CODES.startFailed, `${what}: ${(err as Error).message}${code ? ` [${code}]` : ""}`, EXIT.failure, { cause: err });
  };
  let receiver: ReceiverHandle;
  try {
    receiver = await startReceiver(config, { logger });
  } catch (err) {
    throw failed("the receiver could not start", err);
  }
  let pipeline: LocalPipeline | null = null;
  try {
    pipeline = await startLocalPipeline({ dataDir, logger });
  } catch (err) {
    await receiver.stop();
    throw failed("the local pipeline could not start", err);
  }

  const s = styleFor(io);
  const port = receiver.addresses.tls?.port;
  io.stderr.write(
    [
      "",
      s.bold(`TLS syslog on ${config.host}:${port}`) + (config.tlsAuthMode === "anon" ? "" : ` (client certificate required: ${config.tlsAuthMode})`),
      `data: ${dataDir}`,
      "try:",
      `  printf '<14>1 - web01 app - - - hello\\n' | openssl s_client -quiet -connect 127.0.0.1:${port} -CAfile ${tls.paths.ca}` +
        (values.mtls ? ` -cert ${tls.paths.client} -key ${tls.paths.clientKey}` : ""),
      `  pnpm query "select hostname, message from logs order by received_at desc limit 10"`,
      "",
    ].join("\n"),
  );

  return new Promise<number>((done) => {
    const stop = async (signal: string) => {
      io.stderr.write(`\n${signal}: draining…\n`);
      const complete = await receiver.stop();
      await pipeline?.stop();
      done(complete ? EXIT.ok : EXIT.failure);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    process.on("SIGHUP", () => receiver.reloadTls());
  });
}
