import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// Relative imports of the sources, as in tests/support: the root typecheck cannot resolve the
// workspace names to sources, and both modules are pure (no AWS SDK, no sockets).
import { CONFIG_KEYS } from "../packages/receiver/src/config.js";
import { loadConfig as loadForwarderConfig } from "../packages/forwarder/src/config.js";

/**
 * Keeps docs/configuration.md and docs/errors.md in step with the code, both ways: every
 * configuration key and error code in the source is documented (with the receiver's default as
 * the code has it), and nothing documented is gone from the source. Pure file reading: no build,
 * no process, no network.
 */

const root = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), "utf8");

/** Error codes: a prefix of ours, then upper-case words; never ending in "_" (`RCV_*` in prose). */
const CODE = /\b(?:RCV|FWD|CLI|INFRA|REC)_[A-Z0-9_]*[A-Z0-9]\b/g;

/** A markdown section: the text under one `## ` heading, up to the next one. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf("\n");
    out.set(part.slice(0, newline).trim(), part.slice(newline + 1));
  }
  return out;
}

function section(markdown: string, headingStart: string): string {
  for (const [heading, body] of sections(markdown)) if (heading.startsWith(headingStart)) return body;
  throw new Error(`no "## ${headingStart}…" section`);
}

/** Table rows of a markdown text as cells (header and separator rows left out). An escaped
 * pipe (`\|`) stays inside its cell. */
function tableRows(markdown: string): string[][] {
  const rows: string[][] = [];
  for (const line of markdown.split("\n")) {
    if (!line.startsWith("|")) continue;
    const cells = line.replace(/\\\|/g, "\u0000").split("|").slice(1, -1).map((c) => c.replace(/\u0000/g, "|").trim());
    if (cells.every((c) => /^:?-+:?$/.test(c))) rows.pop(); // the row above a separator is a header
    else rows.push(cells);
  }
  return rows;
}

/** `NAME` tokens of a cell (a cell may list several variables). */
function backticked(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** The documented rows of one section, by name: first cell's backticked names → default cell. */
function documentedKeys(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const cells of tableRows(body)) {
    for (const name of backticked(cells[0] ?? "")) out.set(name, cells[1] ?? "");
  }
  return out;
}

/** How a default is written in the table: `value`, "–" for none, "(empty)" for "". */
function expectedDefaultCell(value: string | undefined): string {
  if (value === undefined) return "–";
  if (value === "") return "(empty)";
  return `\`${value}\``;
}

/** Source files that define codes: packages/{pkg}/src/** and infra/*.ts, tests excluded. */
function sourceFiles(): string[] {
  const files: string[] = [];
  for (const pkg of readdirSync(join(root, "packages"))) {
    const src = join(root, "packages", pkg, "src");
    let entries: string[];
    try {
      entries = readdirSync(src, { recursive: true }) as string[];
    } catch {
      continue; // a package without src/
    }
    for (const entry of entries) files.push(join(src, entry));
  }
  for (const entry of readdirSync(join(root, "infra"))) files.push(join(root, "infra", entry));
  return files.filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"));
}

/** Every code in the source, with where it was first seen. Names the source declares as
 * identifiers (`export const CLI_ERROR_CODES`) are not codes. */
function sourceCodes(): { codes: Map<string, string>; identifiers: Set<string> } {
  const codes = new Map<string, string>();
  const identifiers = new Set<string>();
  for (const file of sourceFiles()) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\b(?:const|let|var|class|type|interface|function|enum)\s+([A-Z][A-Z0-9_]*)\b/g)) identifiers.add(m[1]!);
    for (const m of text.matchAll(CODE)) if (!codes.has(m[0])) codes.set(m[0], relative(root, file));
  }
  for (const name of identifiers) codes.delete(name);
  return { codes, identifiers };
}

/** The forwarder's environment keys: the property names of its zod `envSchema` object. The
 * schema is not exported, so its source is read (the brief allows it: config.ts is the one place
 * that reads the environment). */
function forwarderKeys(): string[] {
  const text = read("packages/forwarder/src/config.ts");
  const start = text.indexOf("const envSchema = z.object({");
  const end = text.indexOf("\n});", start);
  if (start < 0 || end < 0) throw new Error("packages/forwarder/src/config.ts: no `const envSchema = z.object({ … });`");
  return [...text.slice(start, end).matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

const configuration = read("docs/configuration.md");
const errors = read("docs/errors.md");

describe("docs/configuration.md: receiver", () => {
  const documented = documentedKeys(section(configuration, "Receiver"));
  const specs = Object.values(CONFIG_KEYS) as ReadonlyArray<{ env: string; default: string | undefined }>;

  it("lists every CONFIG_KEYS variable", () => {
    expect(specs.map((s) => s.env).filter((env) => !documented.has(env))).toEqual([]);
  });

  it("gives each the default the code has", () => {
    const wrong = specs
      .filter((s) => documented.has(s.env) && documented.get(s.env) !== expectedDefaultCell(s.default))
      .map((s) => `${s.env}: documented ${documented.get(s.env)}, code ${expectedDefaultCell(s.default)}`);
    expect(wrong).toEqual([]);
  });

  it("documents no variable the receiver does not read", () => {
    const known = new Set(specs.map((s) => s.env));
    expect([...documented.keys()].filter((name) => !known.has(name))).toEqual([]);
  });
});

describe("docs/configuration.md: forwarder", () => {
  const documented = documentedKeys(section(configuration, "Forwarder"));
  const keys = forwarderKeys();

  it("finds the schema's keys (guards the source parsing)", () => {
    expect(keys).toContain("FORWARDER_ROUTES");
    expect(keys).toContain("LOG_LEVEL");
    expect(keys.length).toBeGreaterThan(10);
  });

  it("lists every key of the zod env schema", () => {
    expect(keys.filter((k) => !documented.has(k))).toEqual([]);
  });

  it("gives each the default the code has: the documented value parses to the default config", () => {
    const defaults = loadForwarderConfig({});
    const wrong: string[] = [];
    for (const key of keys) {
      const cell = documented.get(key);
      const value = cell === undefined ? [] : backticked(cell);
      // Only a plain `value` cell is a literal default; prose (the routing table) is not.
      if (value.length !== 1 || cell !== `\`${value[0]}\``) continue;
      let parsed: unknown;
      try {
        parsed = loadForwarderConfig({ [key]: value[0] });
      } catch (err) {
        wrong.push(`${key}=${value[0]}: ${(err as Error).message}`);
        continue;
      }
      if (JSON.stringify(parsed) !== JSON.stringify(defaults)) wrong.push(`${key}: documented default ${cell} is not the default`);
    }
    expect(wrong).toEqual([]);
  });

  it("documents no variable the forwarder does not read", () => {
    const known = new Set(keys);
    expect([...documented.keys()].filter((name) => !known.has(name))).toEqual([]);
  });
});

describe("docs/configuration.md: every variable named anywhere exists", () => {
  it("RECEIVER_* and FORWARDER_* names are keys of their schemas", () => {
    const receiver = new Set((Object.values(CONFIG_KEYS) as Array<{ env: string }>).map((s) => s.env));
    const forwarder = new Set(forwarderKeys());
    const stale = [
      ...[...configuration.matchAll(/\bRECEIVER_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]).filter((n) => !receiver.has(n)),
      ...[...configuration.matchAll(/\bFORWARDER_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]).filter((n) => !forwarder.has(n)),
    ];
    expect([...new Set(stale)]).toEqual([]);
  });

  it("the CLI section's variables are read by packages/cli", () => {
    const cli = sourceFiles().filter((f) => f.includes(join("packages", "cli", "src"))).map((f) => readFileSync(f, "utf8")).join("\n");
    const documented = [...documentedKeys(section(configuration, "CLI")).keys()].filter((n) => /^[A-Z][A-Z0-9_]*$/.test(n));
    expect(documented).toContain("SYSLOG_DATA_DIR");
    expect(documented.filter((name) => !cli.includes(`"${name}"`))).toEqual([]);
  });
});

describe("docs/errors.md", () => {
  const { codes, identifiers } = sourceCodes();
  /** Codes with a row of their own: the first cell of a table row. */
  const rows = new Set(tableRows(errors).flatMap((cells) => backticked(cells[0] ?? "")));

  it("finds codes of every prefix in the source (guards the scan)", () => {
    for (const prefix of ["RCV_", "FWD_", "CLI_", "INFRA_", "REC_"]) {
      expect([...codes.keys()].some((c) => c.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it("has a row for every code in packages/*/src and infra/", () => {
    const missing = [...codes].filter(([code]) => !rows.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it("names no code that is gone from the source", () => {
    const stale = [...new Set([...errors.matchAll(CODE)].map((m) => m[0]))].filter((c) => !codes.has(c) && !identifiers.has(c));
    expect(stale).toEqual([]);
  });
});
