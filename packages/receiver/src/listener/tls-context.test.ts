import { mkdtempSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { makePki, type Pki } from "../../test/pki.js";
import { loadConfig } from "../config.js";
import { ConfigError } from "../errors.js";
import { TlsContext } from "./tls-context.js";

let pki: Pki;
let dir: string;

beforeAll(() => {
  pki = makePki();
  dir = mkdtempSync(join(tmpdir(), "tls-context-"));
});

const A = "SHA256:AA:AA:AA";
const B = "SHA256:BB:BB:BB";
const C = "SHA1:CC:CC";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: pino({ level: "info" }, stream) };
}

function context(file: string, env: Record<string, string> = {}) {
  const config = loadConfig({
    RECEIVER_TLS_CERT_FILE: pki.server.certFile,
    RECEIVER_TLS_KEY_FILE: pki.server.keyFile,
    RECEIVER_TLS_AUTH_MODE: "x509/fingerprint",
    RECEIVER_TLS_FINGERPRINTS_FILE: file,
    RECEIVER_TLS_WATCH_FILES: "false",
    RECEIVER_SINK: "file",
    RECEIVER_OUT_FILE: join(dir, "out.ndjson"),
    ...env,
  });
  const log = capture();
  return { ctx: new TlsContext(config, log.logger), log };
}

describe("TlsContext fingerprint list (RECEIVER_TLS_FINGERPRINTS_FILE)", () => {
  it("reads the file at start, merged with RECEIVER_TLS_FINGERPRINTS, and re-reads it on reload", () => {
    const file = join(dir, "merge.txt");
    writeFileSync(file, `# senders\n${A.toLowerCase()}  # web01\n\n${B}\n`);
    const { ctx, log } = context(file, { RECEIVER_TLS_FINGERPRINTS: C });
    expect(ctx.peerPolicy.fingerprints).toEqual([C, A, B]);
    writeFileSync(file, `${B}\n`);
    expect(ctx.reload("SIGHUP")).toBe(true);
    expect(ctx.peerPolicy.fingerprints).toEqual([C, B]);
    expect(log.lines.at(-1)).toMatchObject({ event: "tls_reloaded", trigger: "SIGHUP", fingerprints: 2, fingerprintsAdded: 0, fingerprintsRemoved: 1 });
    expect(log.lines.at(-1)!.files).toContain(file);
  });

  it.each([
    ["a bad line", `${A}\nSHA256:not-hex\n`, /line 2: "SHA256:not-hex" is not a fingerprint/],
    ["an empty list", "# everyone revoked?\n", /lists no fingerprint/],
    ["a missing file", null, /ENOENT/],
  ])("keeps the previous list and logs RCV_CONFIG_INVALID on a reload with %s", (what, text, message) => {
    const file = join(dir, `broken-${what.replace(/ /g, "-")}.txt`);
    writeFileSync(file, `${A}\n${B}\n`);
    const { ctx, log } = context(file);
    if (text === null) unlinkSync(file);
    else writeFileSync(file, text);
    expect(ctx.reload("SIGHUP")).toBe(false);
    expect(ctx.peerPolicy.fingerprints).toEqual([A, B]);
    const failed = log.lines.at(-1)!;
    expect(failed).toMatchObject({ event: "tls_reload_failed", code: "RCV_CONFIG_INVALID", level: 50 });
    expect((failed.err as { message: string }).message).toMatch(message);
  });

  it("refuses to start with an unreadable, bad or empty file, naming the file and line", () => {
    expect(() => context(join(dir, "absent.txt"))).toThrow(ConfigError);
    expect(() => context(join(dir, "absent.txt"))).toThrow(/RECEIVER_TLS_FINGERPRINTS_FILE=.*absent\.txt: ENOENT/);
    const bad = join(dir, "bad.txt");
    writeFileSync(bad, `${A}\nMD5:AA:BB\n`);
    expect(() => context(bad)).toThrow(/bad\.txt line 2: "MD5:AA:BB" is not a fingerprint/);
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, "\n# nothing yet\n");
    expect(() => context(empty)).toThrow(/lists no fingerprint/);
  });

  it("re-reads the file when it changes (RECEIVER_TLS_WATCH_FILES)", async () => {
    const file = join(dir, "watched.txt");
    writeFileSync(file, `${A}\n${B}\n`);
    const { ctx, log } = context(file, { RECEIVER_TLS_WATCH_FILES: "true" });
    ctx.watchFiles();
    try {
      // A rename over the file, as editors and config agents do; the watcher polls every 2 s.
      writeFileSync(`${file}.new`, `${B}\n`);
      renameSync(`${file}.new`, file);
      const deadline = Date.now() + 10_000;
      while (ctx.peerPolicy.fingerprints.length !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(ctx.peerPolicy.fingerprints).toEqual([B]);
      expect(log.lines.at(-1)).toMatchObject({ event: "tls_reloaded", trigger: `file changed: ${file}`, fingerprintsRemoved: 1 });
    } finally {
      ctx.close();
    }
  });

  it("sees a change made after the file was read but before watching began", async () => {
    const file = join(dir, "early.txt");
    writeFileSync(file, `${A}\n${B}\n`);
    const { ctx, log } = context(file, { RECEIVER_TLS_WATCH_FILES: "true" });
    writeFileSync(`${file}.new`, `${A}\n`);
    renameSync(`${file}.new`, file);
    ctx.watchFiles();
    try {
      const deadline = Date.now() + 10_000;
      while (ctx.peerPolicy.fingerprints.length !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(ctx.peerPolicy.fingerprints).toEqual([A]);
      expect(log.lines.filter((l) => l["event"] === "tls_reloaded")).toHaveLength(1);
    } finally {
      ctx.close();
    }
  });

  it("without the file the policy is RECEIVER_TLS_FINGERPRINTS as before", () => {
    const config = loadConfig({
      RECEIVER_TLS_CERT_FILE: pki.server.certFile,
      RECEIVER_TLS_KEY_FILE: pki.server.keyFile,
      RECEIVER_TLS_AUTH_MODE: "x509/fingerprint",
      RECEIVER_TLS_FINGERPRINTS: `${A},${B}`,
      RECEIVER_SINK: "file",
      RECEIVER_OUT_FILE: join(dir, "out.ndjson"),
    });
    const ctx = new TlsContext(config, capture().logger);
    expect(ctx.peerPolicy).toEqual({ mode: "x509/fingerprint", permittedPeers: [], fingerprints: [A, B] });
    expect(ctx.reload("SIGHUP")).toBe(true);
    expect(ctx.peerPolicy.fingerprints).toEqual([A, B]);
  });
});
