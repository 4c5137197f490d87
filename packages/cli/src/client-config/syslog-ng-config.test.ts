import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import { fakeIo } from "../testing/fake-io.js";
import { resolveSenderTarget } from "./resolve-sender-target.js";
import type { SenderAuthMode, SenderTarget } from "./sender-target.js";
import { syslogNgConfig } from "./syslog-ng-config.js";
import { syslogNgEnv, syslogNgPath } from "./testing/sender-daemons.js";

/**
 * The generated drop-in, @include'd by a main configuration shaped like Debian's (a source
 * named s_src), is checked by the real syslog-ng --syntax-only, which parses it, loads the
 * modules (afsocket, disk-buffer) and opens the TLS files it names.
 */
let cwd: string;
const syslogNg = syslogNgPath();

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-syslog-ng-"));
  expect(await main(["certs", "init"], fakeIo({ cwd }))).toBe(0);
  // syslog-ng --syntax-only opens the TLS files: put the copies where the drop-in says they are.
  expect(await main(["client-config", "--out", "sender-files", "--sender-dir", join(cwd, "sender-files")], fakeIo({ cwd }))).toBe(0);
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

async function target(options: { auth: SenderAuthMode; client: boolean; host?: string }): Promise<SenderTarget> {
  const { target } = await resolveSenderTarget(
    { auth: options.auth, ...(options.host ? { host: options.host } : {}), senderDir: join(cwd, "sender-files") },
    fakeIo({ cwd }),
  );
  return options.client ? target : { ...target, client: null };
}

async function syntaxOnly(name: string, dropIn: string, source = "s_src"): Promise<{ status: number | null; output: string }> {
  const dir = join(cwd, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "aws-syslog.conf"), dropIn);
  await writeFile(join(dir, "syslog-ng.conf"), `@version: 3.38\nsource ${source} { internal(); };\n@include "${join(dir, "aws-syslog.conf")}"\n`);
  const r = spawnSync(syslogNg, ["--syntax-only", "-f", join(dir, "syslog-ng.conf")], { encoding: "utf8", env: syslogNgEnv(), timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("syslog-ng drop-in, validated by syslog-ng --syntax-only", () => {
  it.each([
    ["x509/name", true],
    ["x509/name", false],
    ["anon", false],
  ] as const)("auth %s, client certificate %s", async (auth, client) => {
    const conf = syslogNgConfig(await target({ auth, client }));
    const result = await syntaxOnly(`${auth.replace("/", "-")}-${client}`, conf);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
    expect(conf).toContain('network("127.0.0.1" port(6514)');
    expect(conf).toContain('transport("tls")');
    expect(conf).toContain("flags(syslog-protocol)");
    expect(conf).toContain("disk-buffer(reliable(yes)");
    expect(conf).toContain(auth === "x509/name" ? "peer-verify(required-trusted)" : "peer-verify(optional-untrusted)");
    expect(conf.includes("cert-file(")).toBe(client);
  });

  it("uses the system trust store for a deployment with a public certificate, and another source name", async () => {
    const conf = syslogNgConfig(await target({ auth: "x509/name", client: false, host: "syslog.example.com" }), "s_sys");
    expect(conf).toContain('ca-file("/etc/pki/tls/certs/ca-bundle.crt")');
    expect(conf).toContain("log { source(s_sys); destination(d_aws_syslog); };");
    // This machine is Debian: check the same drop-in with Debian's trust store path.
    const debian = conf.replaceAll("/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt");
    expect(await syntaxOnly("system-ca", debian, "s_sys")).toEqual({ status: 0, output: "" });
  });

  it("the check itself fails on a broken drop-in", async () => {
    const conf = syslogNgConfig(await target({ auth: "x509/name", client: true })).replace("peer-verify", "peer-verfy");
    const result = await syntaxOnly("broken", conf);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("peer-verfy");
  });
});
