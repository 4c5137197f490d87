import { X509Certificate } from "node:crypto";
import { relative, resolve } from "node:path";
import { parseArgv } from "../args.js";
import { describeCertificate, parseCertificates, RENEW_WITHIN_DAYS, type CertificateInfo } from "../certs/index.js";
import { readRequired } from "../certs/pem-files.js";
import { CLI_ERROR_CODES, CliError, EXIT, UsageError } from "../errors.js";
import { styleFor, warn, type CliIo, type Style } from "../io.js";

/** `certs show FILE... [--json] [--check]`, kept apart from certs.ts, which issues. */

const OPTIONS = { json: { type: "boolean" }, check: { type: "boolean" } } as const;

type FileReport =
  | { file: string; certificates: CertificateInfo[] }
  | { file: string; error: { code: string; message: string } };

/** The human form of one certificate: aligned "label  value" lines, what `certs show` prints. */
export function formatCertificate(info: CertificateInfo, s: Style, indent = "  "): string {
  const expiry = info.status === "expired"
    ? s.red(`expired ${-info.daysToExpiry} days ago`)
    : info.status === "not-yet-valid"
      ? s.red("not valid yet")
      : info.daysToExpiry < RENEW_WITHIN_DAYS ? s.yellow(`${info.daysToExpiry} days`) : `${info.daysToExpiry} days`;
  const rows: [string, string][] = [
    ["subject", info.subject],
    ["issuer", info.selfSigned ? `${info.issuer} (self-signed)` : info.issuer],
    ["SANs", info.subjectAltNames.join(", ") || s.dim("(none)")],
    ["serial", info.serialNumber],
    ["not before", info.notBefore],
    ["not after", info.notAfter],
    ["expires in", expiry],
    ["key", info.key],
    ["usage", [info.isCa ? "CA" : "", ...info.extendedKeyUsage].filter(Boolean).join(", ") || s.dim("(any)")],
    ["SHA-256", info.fingerprints.sha256],
    ["SHA-1", info.fingerprints.sha1],
  ];
  return rows.map(([k, v]) => `${indent}${s.dim(k.padEnd(11))}${v}`).join("\n") + "\n";
}

export async function show(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgv("certs show", argv, OPTIONS);
  if (positionals.length === 0) throw new UsageError("certs show: name at least one certificate file (see: certs show --help)");
  const now = io.now();
  const s = styleFor(io);
  const reports: FileReport[] = [];
  let failed = false;
  let invalid = false;

  for (const file of positionals) {
    const path = resolve(io.cwd, file);
    let certs: X509Certificate[];
    try {
      certs = parseCertificates(await readRequired(path, file), file);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      failed = true;
      reports.push({ file, error: { code: err.code, message: err.message } });
      if (!values.json) io.stderr.write(`${s.red("error:")} ${err.message} [${err.code}]\n`);
      continue;
    }
    const infos = certs.map((c) => describeCertificate(c, now));
    reports.push({ file, certificates: infos });
    infos.forEach((info, i) => {
      const where = infos.length > 1 ? `${file} (certificate ${i + 1} of ${infos.length})` : file;
      if (info.status === "expired") warn(io, `${where}: expired ${-info.daysToExpiry} days ago (${info.notAfter})`);
      else if (info.status === "not-yet-valid") warn(io, `${where}: not valid until ${info.notBefore}`);
      else if (info.daysToExpiry < RENEW_WITHIN_DAYS) warn(io, `${where}: expires in ${info.daysToExpiry} days (${info.notAfter})`);
      if (info.status !== "valid") invalid = true;
      if (!values.json) io.stdout.write(`${s.bold(where)}\n${formatCertificate(info, s)}`);
    });
  }

  if (values.json) io.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  if (failed) return EXIT.failure;
  if (values.check && invalid) {
    const bad = reports.flatMap((r) => ("certificates" in r ? r.certificates.filter((c) => c.status !== "valid").map((c) => ({ file: r.file, c })) : []));
    const code = bad.some((b) => b.c.status === "expired") ? CLI_ERROR_CODES.certExpired : CLI_ERROR_CODES.certNotYetValid;
    throw new CliError(code, `--check: ${bad.map((b) => `${b.file} is ${b.c.status}`).join(", ")}`, EXIT.failure);
  }
  return EXIT.ok;
}

/** A path as the user would type it from where they are: relative when under cwd. */
export function displayPath(io: CliIo, path: string): string {
  const rel = relative(io.cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
}
