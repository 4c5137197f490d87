import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The built CLI (`node packages/cli/dist/main.js …`) for tests that run commands as a user
 * does. dist/ is rebuilt first when a source is newer than the files these tests need (the
 * same rule as main.spawn.test.ts; tsc emits even when another module has type errors).
 */
const pkg = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const MAIN_JS = join(pkg, "dist", "main.js");

function newestSource(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? newestSource(p) : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? statSync(p).mtimeMs : 0;
  }));
}

export function ensureBuilt(commands: readonly string[]): void {
  const files = [MAIN_JS, ...commands.map((c) => join(pkg, "dist", "commands", `${c}.js`))];
  if (files.every((f) => existsSync(f) && statSync(f).mtimeMs >= newestSource(join(pkg, "src")))) return;
  const tsc = join(pkg, "..", "..", "node_modules", "typescript", "bin", "tsc");
  const build = spawnSync(process.execPath, [tsc, "-p", join(pkg, "tsconfig.build.json")], { encoding: "utf8" });
  for (const f of files) if (!existsSync(f)) throw new Error(`build did not produce ${f}:\n${build.stdout}${build.stderr}`);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI without blocking this process's event loop (a test may serve it meanwhile). */
export function runCli(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const childEnv = { ...process.env, ...env };
  delete childEnv["NO_COLOR"];
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN_JS, ...args], { cwd, env: childEnv, encoding: "utf8", timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
