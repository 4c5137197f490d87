#!/usr/bin/env node
// Offline checks of packages/receiver/Dockerfile (CI has no Docker engine and cannot pull images).
//   node scripts/check-dockerfile.mjs lint    dockerfile-utils diagnostics + this project's rules
//   node scripts/check-dockerfile.mjs smoke [Dockerfile] <dir>   only the smoke test, on an assembled runtime dir
//   node scripts/check-dockerfile.mjs build   run the build stage's RUN steps outside Docker, assemble
//                                             the runtime stage's files, then start its CMD on loopback
//                                             and check health, one delivered record and a clean SIGTERM
// Exit code 1 on any failure; prints "dockerfile checks: N ok, N failed" last.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dockerfilePath = path.resolve(process.argv[3] ?? path.join(repo, "packages/receiver/Dockerfile"));
const require = createRequire(import.meta.url);
const utils = require("dockerfile-utils");
// dockerfile-ast is dockerfile-utils' own parser; resolved through it (not a direct dependency).
const { DockerfileParser } = createRequire(require.resolve("dockerfile-utils"))("dockerfile-ast");

const results = [];
const check = (name, ok, detail = "") => {
  results.push(ok);
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
  return ok;
};

const content = fs.readFileSync(dockerfilePath, "utf8");
const dockerfile = DockerfileParser.parse(content);
const stages = [];
for (const ins of dockerfile.getInstructions()) {
  if (ins.getKeyword() === "FROM") stages.push({ from: ins, name: ins.getBuildStage(), instructions: [] });
  else stages.at(-1)?.instructions.push(ins);
}
const argDefaults = Object.fromEntries(
  dockerfile.getInstructions().filter((i) => i.getKeyword() === "ARG").flatMap((i) => i.getProperties().map((p) => [p.getName(), p.getValue()])),
);
const expand = (s) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => argDefaults[a ?? b] ?? "");
const argsOf = (ins) => ins.getArguments().map((a) => a.getValue());
const runCommand = (ins) => ins.getArgumentsContent().replace(/\\\r?\n/g, " ");

// --- .dockerignore (the subset of its syntax we use: globs with *, ** and ?; no negation) ---
const ignorePatterns = fs.existsSync(path.join(repo, ".dockerignore"))
  ? fs.readFileSync(path.join(repo, ".dockerignore"), "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))
  : [];
const globToRegExp = (glob) =>
  new RegExp(`^${glob.replace(/^\/+/, "").replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*\*\/?/g, "\u0000").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]").replace(/\u0000/g, "(.*/)?")}$`);
const ignoreRes = ignorePatterns.map(globToRegExp);
/** Docker excludes a path when it, or one of its parent directories, matches a pattern. */
export const ignored = (rel) => {
  const parts = rel.split("/");
  return parts.some((_, i) => ignoreRes.some((re) => re.test(parts.slice(0, i + 1).join("/"))));
};

function lint() {
  const diagnostics = utils.validate(content);
  const errors = diagnostics.filter((d) => d.severity === 1);
  check("dockerfile-utils: no errors", errors.length === 0, errors.map((d) => `line ${d.range.start.line + 1}: ${d.message}`).join("; "));
  for (const d of diagnostics.filter((x) => x.severity !== 1)) console.log(`warn line ${d.range.start.line + 1}: ${d.message}`);

  check("multi-stage (a build stage and a runtime stage)", stages.length >= 2);
  const names = new Set(stages.map((s) => s.name).filter(Boolean));
  for (const s of stages) {
    const image = expand(s.from.getImageName() ?? "");
    const tag = expand(s.from.getImageTag() ?? "");
    if (names.has(image)) continue;
    check(`${s.name ?? image}: base image has an explicit, non-latest tag`, tag !== "" && tag !== "latest", `${image}:${tag}`);
  }
  const runtime = stages.at(-1);
  for (const s of stages) {
    for (const ins of s.instructions.filter((i) => i.getKeyword() === "COPY")) {
      const from = ins.getFromFlag()?.getValue();
      if (from !== undefined) {
        check(`COPY --from=${from} names an earlier stage`, names.has(from));
        continue;
      }
      for (const src of argsOf(ins).slice(0, -1)) {
        const rel = src.replace(/^\.\//, "").replace(/\/$/, "");
        check(`COPY ${src}: exists in the context`, fs.existsSync(path.join(repo, rel)));
        check(`COPY ${src}: not excluded by .dockerignore`, !ignored(rel));
      }
    }
  }
  const copied = stages[0].instructions.filter((i) => i.getKeyword() === "COPY").flatMap((i) => argsOf(i).slice(0, -1));
  for (const pkg of fs.readdirSync(path.join(repo, "packages")).filter((d) => fs.existsSync(path.join(repo, "packages", d, "package.json"))))
    check(`build stage copies the manifest of workspace package ${pkg}`, copied.includes(`packages/${pkg}/package.json`));
  const users = runtime.instructions.filter((i) => i.getKeyword() === "USER").map((i) => argsOf(i)[0]);
  check("runtime stage runs as a non-root user", users.length > 0 && !["root", "0", "0:0"].includes(users.at(-1)), users.at(-1));
  const cmd = runtime.instructions.filter((i) => ["CMD", "ENTRYPOINT"].includes(i.getKeyword()));
  check("runtime CMD/ENTRYPOINT in exec (JSON) form", cmd.length > 0 && cmd.every((i) => i.getJSONStrings().length > 0));
  check("runtime stage has no RUN (distroless: no shell)", !runtime.instructions.some((i) => i.getKeyword() === "RUN"));
  const exposed = runtime.instructions.filter((i) => i.getKeyword() === "EXPOSE").flatMap(argsOf).map((p) => p.split("/")[0]);
  // The ports infra/edge.ts targets: syslog (mtls 6514, tls 6601), RELP 2514, health 8080.
  for (const port of ["6514", "6601", "2514", "8080"]) check(`EXPOSE ${port}`, exposed.includes(port));
  // One Node major across the product: the image's and the forwarder Lambdas' runtime.
  const imageMajor = /^ARG NODE_MAJOR=(\d+)$/m.exec(content)?.[1];
  const lambdaMajor = /runtime: "nodejs(\d+)\.x"/.exec(fs.readFileSync(path.join(repo, "sst.config.ts"), "utf8"))?.[1];
  check("NODE_MAJOR is the forwarder Lambdas' Node major (sst.config.ts runtime)", imageMajor !== undefined && imageMajor === lambdaMajor, `image ${imageMajor}, Lambda ${lambdaMajor}`);
  const runs = stages.flatMap((s) => s.instructions).filter((i) => i.getKeyword() === "RUN").map(runCommand).join("\n");
  check("install uses the lockfile", /--frozen-lockfile/.test(runs));
  check("pnpm deploy --prod keeps only production dependencies", /pnpm .*deploy .*--prod/.test(runs));
  check(".dockerignore excludes node_modules, .git and .sst", ["node_modules", ".git", ".sst"].every((p) => ignored(p)) && ignored("packages/receiver/node_modules"));
}

/** Like Docker's COPY: symlinks stay symlinks (pnpm's node_modules is made of them), and files
 * from the context are filtered through .dockerignore (relBase: the source's context path). */
function copyFiltered(src, dest, relBase) {
  fs.cpSync(src, dest, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (from) => relBase === null || !ignored(path.join(relBase, path.relative(src, from)).replace(/\\/g, "/").replace(/\/$/, "")),
  });
}

const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const get = (url) => new Promise((resolve) => http.get(url, (r) => { r.resume(); resolve(r.statusCode); }).on("error", () => resolve(0)));

async function build() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-image-"));
  const roots = {};
  const started = Date.now();
  for (const s of stages) {
    const root = path.join(tmp, s.name ?? `stage${stages.indexOf(s)}`);
    roots[s.name] = root;
    fs.mkdirSync(root, { recursive: true });
    let cwd = root;
    const env = {};
    for (const ins of s.instructions) {
      const k = ins.getKeyword();
      const a = argsOf(ins);
      if (k === "WORKDIR") fs.mkdirSync((cwd = path.join(root, a[0])), { recursive: true });
      else if (k === "ENV") for (const p of ins.getProperties()) env[p.getName()] = p.getValue();
      else if (k === "COPY") {
        const from = ins.getFromFlag()?.getValue();
        const dest = path.resolve(cwd, a.at(-1).startsWith("/") ? path.join(root, a.at(-1)) : a.at(-1));
        for (const src of a.slice(0, -1)) {
          const source = from ? path.join(roots[from], src) : path.join(repo, src);
          const target = a.at(-1).endsWith("/") || a.length > 2 ? path.join(dest, path.basename(src)) : dest;
          fs.mkdirSync(path.dirname(target), { recursive: true });
          copyFiltered(source, target, from ? null : src.replace(/^\.\//, "").replace(/\/$/, ""));
        }
      } else if (k === "RUN") {
        const command = runCommand(ins);
        if (/^corepack\s/.test(command)) { console.log(`skip RUN ${command} (the host provides pnpm)`); continue; }
        const t0 = Date.now();
        const r = spawnSync("sh", ["-c", command], { cwd, env: { ...process.env, ...env }, stdio: "inherit" });
        if (!check(`RUN ${command}`, r.status === 0, `${((Date.now() - t0) / 1000).toFixed(1)} s`)) {
          console.log(`build directory kept for inspection: ${tmp}`);
          return;
        }
      }
    }
    s.cwd = cwd;
    s.env = env;
  }
  const runtime = stages.at(-1);
  const du = spawnSync("du", ["-sk", runtime.cwd], { encoding: "utf8" }).stdout.split("\t")[0];
  console.log(`build steps: ${((Date.now() - started) / 1000).toFixed(1)} s; runtime files: ${(Number(du) / 1024).toFixed(1)} MiB`);
  await smoke(runtime, tmp);
  const total = spawnSync("du", ["-sk", tmp], { encoding: "utf8" }).stdout.split("\t")[0];
  console.log(`disk used by the build steps: ${(Number(total) / 1024).toFixed(0)} MiB in ${tmp}`);
  if (!process.env.KEEP_BUILD_DIR) fs.rmSync(tmp, { recursive: true, force: true });
}

/** The distroless node image's entrypoint is node; start CMD on loopback ports with a node of the
 * image's major (scripts/node-runtime.sh: this one if it matches, else fetched from npm). */
async function smoke(runtime, tmp) {
  const cmd = runtime.instructions.filter((i) => i.getKeyword() === "CMD").at(-1).getJSONStrings().map((j) => j.getJSONValue());
  const [tcpPort, healthPort] = [await freePort(), await freePort()];
  const outFile = path.join(tmp, "out.ndjson");
  const found = spawnSync("bash", [path.join(repo, "scripts/node-runtime.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const node = found.stdout.trim();
  const version = node ? spawnSync(node, ["-p", "process.versions.node + ' (OpenSSL ' + process.versions.openssl + ')'"], { encoding: "utf8" }).stdout.trim() : "";
  if (!check("a node of the image's NODE_MAJOR (scripts/node-runtime.sh)", found.status === 0 && version !== "", version || `exit ${found.status}`)) return;
  const child = spawn(node, cmd, {
    cwd: runtime.cwd,
    env: { PATH: process.env.PATH, ...runtime.env, RECEIVER_HOST: "127.0.0.1", RECEIVER_TLS_PORT: "off", RECEIVER_TCP_PORT: String(tcpPort), RECEIVER_HEALTH_PORT: String(healthPort), RECEIVER_SINK: "file", RECEIVER_OUT_FILE: outFile, LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  let status = 0;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && status !== 200 && child.exitCode === null; ) {
    status = await get(`http://127.0.0.1:${healthPort}/health`);
    if (status !== 200) await new Promise((r) => setTimeout(r, 200));
  }
  if (check("entry point starts; GET /health is 200", status === 200, `status ${status}`)) {
    await new Promise((resolve, reject) => {
      const s = net.connect(tcpPort, "127.0.0.1", () => s.end("<13>1 2026-11-23T12:00:00.000Z smoke-host smoke - - - image smoke test\n"));
      s.on("close", resolve).on("error", reject);
    });
    child.kill("SIGTERM");
  } else child.kill("SIGKILL");
  const { code } = await exited;
  check("SIGTERM: exit code 0", code === 0, `code ${code}`);
  const lines = fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8").trim().split("\n").filter(Boolean) : [];
  const record = lines.length === 1 ? JSON.parse(lines[0]) : null;
  check("the message arrives as one schema-v1 record", record?.v === 1 && record.message === "image smoke test" && record.hostname === "smoke-host", `${lines.length} line(s)`);
}

const mode = process.argv[2] ?? "lint";
if (mode === "lint") lint();
else if (mode === "build") await build();
else if (mode === "smoke") {
  // Smoke test of an already assembled runtime directory (e.g. left by a previous `build`).
  const runtime = stages.at(-1);
  runtime.cwd = path.resolve(process.argv[4] ?? ".");
  runtime.env = Object.fromEntries(runtime.instructions.filter((i) => i.getKeyword() === "ENV").flatMap((i) => i.getProperties().map((p) => [p.getName(), p.getValue()])));
  await smoke(runtime, fs.mkdtempSync(path.join(os.tmpdir(), "receiver-smoke-")));
}
else { console.error(`unknown mode ${mode} (lint | build | smoke)`); process.exit(2); }
const failed = results.filter((r) => !r).length;
console.log(`dockerfile checks: ${results.length - failed} ok, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
