// Installs and builds the workspace when it has not been (a fresh clone), so `pnpm start`,
// `pnpm query` and `pnpm cli` work as the first command on a new machine. A no-op afterwards.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const marker = `${root}node_modules/.modules.yaml`;
const built = `${root}packages/cli/dist/main.js`;
const lock = `${root}pnpm-lock.yaml`;

const stale = !existsSync(marker) || !existsSync(built) || statSync(lock).mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  // npm_execpath is the pnpm that runs this script (pnpm start / npx pnpm start).
  const pnpm = process.env.npm_execpath;
  const [cmd, args] = pnpm ? [process.execPath, [pnpm]] : ["npx", ["-y", "pnpm@10.34.8"]];
  process.stderr.write("first run: installing and building the workspace…\n");
  execFileSync(cmd, [...args, "install", "--frozen-lockfile"], { cwd: root, stdio: "inherit" });
}
