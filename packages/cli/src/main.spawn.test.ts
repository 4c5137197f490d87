import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The built CLI run as a user runs it: `node packages/cli/dist/main.js …` in a fresh directory.
 * dist/ is rebuilt first when any source is newer. tsc emits even when another module of the
 * package has type errors, so these tests exercise main and certs whatever state the rest is in.
 */
const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const mainJs = join(pkg, "dist", "main.js");
const builtFiles = [mainJs, join(pkg, "dist", "commands", "certs.js"), join(pkg, "dist", "certs", "index.js")];
let cwd: string;

function newestSource(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? newestSource(p) : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? statSync(p).mtimeMs : 0;
  }));
}

beforeAll(() => {
  const stale = builtFiles.some((f) => !existsSync(f) || statSync(f).mtimeMs < newestSource(join(pkg, "src")));
  if (stale) {
    const tsc = join(pkg, "..", "..", "node_modules", "typescript", "bin", "tsc");
    const build = spawnSync(process.execPath, [tsc, "-p", join(pkg, "tsconfig.build.json")], { encoding: "utf8" });
    for (const f of builtFiles) {
      if (!existsSync(f)) throw new Error(`build did not produce ${f}:\n${build.stdout}${build.stderr}`);
    }
  }
  cwd = mkdtempSync(join(tmpdir(), "aws-syslog-cli-spawn-"));
}, 180_000);
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function cli(...args: string[]) {
  const env = { ...process.env };
  delete env["NO_COLOR"];
  const r = spawnSync(process.execPath, [mainJs, ...args], { cwd, encoding: "utf8", env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the built CLI", () => {
  it("prints help and exits 0; an unknown command exits 2", () => {
    const help = cli("--help");
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining("Usage: pnpm cli <command>")]);
    const unknown = cli("certz");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: unknown command "certz". Did you mean certs?');
    // Piped output: no colour codes even though nothing disabled them explicitly.
    expect(unknown.stderr).not.toContain("\u001b[");
  });

  it("creates development certificates, shows them, and fails on a missing file", () => {
    const init = cli("certs", "init", "--json");
    expect(init.code).toBe(0);
    const report = JSON.parse(init.stdout);
    expect(report.paths.server).toBe(join(cwd, ".data", "tls", "server.pem"));
    expect(statSync(report.paths.clientKey).mode & 0o777).toBe(0o600);
    const show = cli("certs", "show", "--check", ".data/tls/client.pem");
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^ {2}subject {4}CN=aws-syslog$/m);
    expect(show.stdout).toContain(`  SHA-256    ${report.certificates.client.fingerprints.sha256}\n`);
    const missing = cli("certs", "show", "nope.pem");
    expect([missing.code, missing.stderr]).toEqual([1, "error: nope.pem: no such file [CLI_FILE_NOT_FOUND]\n"]);
  });
});
