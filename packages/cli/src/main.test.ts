import { describe, expect, it } from "vitest";
import { CLI_ERROR_CODES, CliError, EXIT, UsageError } from "./errors.js";
import { main, type CommandEntry } from "./main.js";
import { fakeIo } from "./testing/fake-io.js";

const seen: string[][] = [];
const commands: Record<string, CommandEntry> = {
  ok: { summary: "works", load: async () => ({ help: "ok help\n", run: async (argv: string[]) => (seen.push(argv), EXIT.ok) }) },
  missing: { summary: "module absent", load: async () => { throw Object.assign(new Error("Cannot find module './commands/missing.js'"), { code: "ERR_MODULE_NOT_FOUND" }); } },
  hollow: { summary: "exports nothing useful", load: async () => ({ run: 1 }) },
  fail: { summary: "fails", load: async () => ({ help: "", run: async () => { throw new CliError(CLI_ERROR_CODES.fileNotFound, "x.pem: no such file"); } }) },
  misuse: { summary: "usage", load: async () => ({ help: "", run: async () => { throw new UsageError("bad flag"); } }) },
  crash: { summary: "bug", load: async () => ({ help: "", run: async () => { throw new TypeError("undefined is not a function"); } }) },
};
const io = (opts: { tty?: boolean; env?: Record<string, string> } = {}) => fakeIo({ cwd: "/", ...opts });

describe("main", () => {
  it("prints the command list with --help and exits 0", async () => {
    const f = io();
    expect(await main(["--help"], f, commands)).toBe(0);
    expect(f.out()).toContain("Usage: pnpm cli <command>");
    expect(f.out()).toMatch(/^ {2}ok +works$/m);
    expect(f.out()).toMatch(/^ {2}missing +module absent$/m);
  });

  it("prints usage on stderr and exits 2 without a command", async () => {
    const f = io();
    expect(await main([], f, commands)).toBe(2);
    expect([f.out(), f.err()]).toEqual(["", expect.stringContaining("Commands:")]);
  });

  it("refuses an unknown command with exit 2 and a suggestion", async () => {
    const f = io();
    expect(await main(["fial"], f, commands)).toBe(2);
    expect(f.err()).toBe('error: unknown command "fial". Did you mean fail? Commands: ok, missing, hollow, fail, misuse, crash (see --help) [CLI_UNKNOWN_COMMAND]\n');
  });

  it("shows a command's own help for --help, -h and help <command>, without running it", async () => {
    seen.length = 0;
    for (const argv of [["ok", "--help"], ["ok", "--dir", "x", "-h"], ["help", "ok"]]) {
      const f = io();
      expect(await main(argv, f, commands)).toBe(0);
      expect(f.out()).toBe("ok help\n");
    }
    expect(seen).toEqual([]);
  });

  it("passes the arguments after the command, and a --help after -- is data", async () => {
    seen.length = 0;
    expect(await main(["ok", "a", "--", "--help"], io(), commands)).toBe(0);
    expect(seen).toEqual([["a", "--", "--help"]]);
  });

  it("fails only the command whose module is missing or malformed (exit 1)", async () => {
    for (const name of ["missing", "hollow"]) {
      const f = io();
      expect(await main([name], f, commands)).toBe(1);
      expect(f.err()).toMatch(new RegExp(`^error: command "${name}" is not available in this build: .* \\[CLI_COMMAND_UNAVAILABLE\\]\\n$`));
    }
    expect(await main(["ok"], io(), commands)).toBe(0);
  });

  it("maps a CliError to its exit code and prints its code", async () => {
    const f = io();
    expect(await main(["fail"], f, commands)).toBe(1);
    expect(f.err()).toBe("error: x.pem: no such file [CLI_FILE_NOT_FOUND]\n");
    const g = io();
    expect(await main(["misuse"], g, commands)).toBe(2);
    expect(g.err()).toBe("error: bad flag [CLI_USAGE]\n");
  });

  it("reports an unexpected exception as CLI_INTERNAL with its stack", async () => {
    const f = io();
    expect(await main(["crash"], f, commands)).toBe(1);
    expect(f.err()).toMatch(/^error: unexpected error: undefined is not a function \[CLI_INTERNAL\]\nTypeError: undefined is not a function\n\s+at /);
  });

  it("writes errors as JSON when --json is given", async () => {
    const f = io();
    expect(await main(["fail", "--json"], f, commands)).toBe(1);
    expect(JSON.parse(f.err())).toEqual({ error: { code: "CLI_FILE_NOT_FOUND", message: "x.pem: no such file" } });
  });

  it("colours only on a TTY, and not when NO_COLOR is set", async () => {
    const tty = io({ tty: true });
    await main(["fail"], tty, commands);
    expect(tty.err()).toContain("\u001b[31merror:\u001b[39m");
    const noColor = io({ tty: true, env: { NO_COLOR: "1" } });
    await main(["fail"], noColor, commands);
    expect(noColor.err()).toBe("error: x.pem: no such file [CLI_FILE_NOT_FOUND]\n");
  });

  it("prints the package version", async () => {
    const f = io();
    expect(await main(["--version"], f, commands)).toBe(0);
    expect(f.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("loads the real certs command lazily from the default table", async () => {
    const f = io();
    expect(await main(["certs", "--help"], f)).toBe(0);
    expect(f.out()).toContain("Usage: pnpm cli certs <subcommand>");
  });
});
