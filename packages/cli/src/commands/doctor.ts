import { parseArgv } from "../args.js";
import { EXIT, UsageError } from "../errors.js";
import { isInteractive, progress, styleFor, warn, type CliIo } from "../io.js";
import { checkedLogGroups, DEFAULT_OUTPUTS_FILE, DEFAULT_SINCE_MINUTES, queueName, resolveDoctorTarget } from "../doctor/doctor-target.js";
import { formatJson, formatLine, formatTable, summarize } from "../doctor/report.js";
import { MIN_DAYS_TO_EXPIRY } from "../doctor/tls-checks.js";

export const help = `Usage: pnpm cli doctor [options]

Checks a deployment and prints PASS, FAIL or SKIP for each part, with the fix for each failure:

  dns                     the NLB's DNS name resolves
  tls                     the TLS handshake: chain verified by the CA, name matches, every
                          certificate valid for more than ${MIN_DAYS_TO_EXPIRY} days
  mtls-client-accepted    mode mtls, with --cert: the receiver accepts that client certificate
  mtls-certless-refused   mode mtls: a client without a certificate is refused
  kms-key, kms-policy     the stage key is enabled, and its policy lets CloudWatch Logs use it
  log-group NAME          exists, encrypted with the stage key, has a retention
  firehose NAME           the stream is ACTIVE
  dlq NAME                the forwarder dead-letter queue is empty
  recent-data             events arrived in a route log group within --since minutes

What to check comes from the outputs file \`sst deploy\` writes (${DEFAULT_OUTPUTS_FILE}: nlbDnsName,
nlbMode, kmsKeyArn, logGroups, receiverLogGroup, forwarderLogGroups, firehoseStreams, dlqUrls)
and the options;
an option wins over the file. AWS region and credentials: --region, AWS_REGION, AWS_PROFILE, …
(the AWS SDK's usual chain); AWS_ENDPOINT_URL_<SERVICE> is honoured. Nothing is changed.

Options:
  --outputs FILE     the deploy outputs (default ${DEFAULT_OUTPUTS_FILE} when it exists)
  --host NAME        the NLB's DNS name or address (default: nlbDnsName)
  --port N           TLS port (default 6514)
  --mode tls|mtls    tls: the NLB terminates TLS; mtls: the receiver does and requires
                     client certificates (default: nlbMode, else tls)
  --servername NAME  the name the server certificate must hold (default: the host)
  --ca FILE|system   CA bundle that must verify the server (default: system trust store)
  --cert FILE        mode mtls: a sender's client certificate (--key default: FILE's .key)
  --key FILE         its private key
  --region REGION    AWS region (default: AWS_REGION, else the key ARN's region)
  --since MINUTES    how recent the newest event must be (default ${DEFAULT_SINCE_MINUTES}, as the NoData alarm)
  --json             one JSON object: ok, passed, failed, skipped, checks [{name, status, detail, fix}]
  -h, --help         show this help

Examples:
  AWS_PROFILE=prod pnpm cli doctor
  pnpm cli doctor --outputs prod-outputs.json --mode mtls --ca ca.pem --cert client.pem --json

Exit codes: 0 every check passed (or was skipped), 1 a check failed or a file named cannot be
used, 2 usage error (nothing to check, bad option).
`;

const OPTIONS = {
  outputs: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  mode: { type: "string" },
  servername: { type: "string" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  region: { type: "string" },
  since: { type: "string" },
  json: { type: "boolean" },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgv("doctor", argv, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`doctor: takes no arguments, got "${positionals.join(" ")}" (see: doctor --help)`);
  const { target, warnings } = await resolveDoctorTarget(values, io);
  for (const w of warnings) warn(io, w);
  // The AWS SDK is loaded only here, so `--help` and usage errors stay fast.
  const { runDoctor } = await import("../doctor/run-doctor.js");
  const s = styleFor(io);
  // The names the checks will have, so lines printed as they come line up.
  const width = Math.max(
    "mtls-certless-refused".length,
    ...checkedLogGroups(target).map((g) => `log-group ${g}`.length),
    ...target.firehoseStreams.map((n) => `firehose ${n}`.length),
    ...target.dlqUrls.map((u) => `dlq ${queueName(u)}`.length),
  );
  progress(io, `checking ${target.host ?? "(no host)"}${target.outputsFile !== undefined ? ` and the resources in ${target.outputsFile}` : ""}…`);
  const results = await runDoctor(target, {
    env: io.env,
    now: () => io.now(),
    // On a terminal each line appears as its check ends; piped, the table comes at the end.
    ...(isInteractive(io) && !values.json ? { onResult: (r) => io.stdout.write(`${formatLine(r, width, s)}\n`) } : {}),
  });
  if (values.json) io.stdout.write(formatJson(results));
  else if (isInteractive(io)) {
    const sum = summarize(results);
    io.stdout.write(`\n${(sum.ok ? s.green : s.red)(`${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`)}\n`);
  } else io.stdout.write(formatTable(results, s));
  return summarize(results).ok ? EXIT.ok : EXIT.failure;
}
