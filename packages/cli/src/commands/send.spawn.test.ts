import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, startReceiver } from "@aws-syslog/receiver";
import { ensureBuilt, runCli } from "../client-config/testing/built-cli.js";
import { rsyslogdPath } from "../client-config/testing/sender-daemons.js";

/** client-config and send run as a user runs them: `node packages/cli/dist/main.js …`, piped. */
let cwd: string;
beforeAll(async () => {
  ensureBuilt(["client-config", "send", "tail"]);
  cwd = await mkdtemp(join(tmpdir(), "aws-syslog-cli-send-spawn-"));
  expect((await runCli(cwd, ["certs", "init"])).code).toBe(0);
}, 180_000);
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe("the built CLI", () => {
  it("client-config prints a drop-in that rsyslogd accepts, with no colour when piped", async () => {
    const r = await runCli(cwd, ["client-config", "rsyslog-ossl"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).not.toContain("\u001b[");
    await writeFile(join(cwd, "90-aws-syslog.conf"), r.stdout);
    await writeFile(join(cwd, "rsyslog.conf"), `global(workDirectory="${cwd}")\ninclude(file="${join(cwd, "90-aws-syslog.conf")}")\n`);
    const check = spawnSync(rsyslogdPath(), ["-N1", "-f", join(cwd, "rsyslog.conf")], { encoding: "utf8" });
    expect(check.stderr).toContain("End of config validation run");
    expect(check.status).toBe(0);
  });

  it("send delivers every message to a receiver, and exits 1 with a clear message when none listens", async () => {
    const outFile = join(cwd, "received.ndjson");
    const tls = (f: string) => join(cwd, ".data/tls", f);
    const receiver = await startReceiver(
      loadConfig({}, { host: "127.0.0.1", tlsPort: "0", tcpPort: "off", healthPort: "off", tlsWatchFiles: "false", logLevel: "silent", tlsCertFile: tls("server.pem"), tlsKeyFile: tls("server.key"), tlsCaFile: tls("ca.pem"), sink: "file", outFile }),
      { logger: pino({ level: "silent" }) },
    );
    const port = receiver.addresses.tls!.port;
    const sent = await runCli(cwd, ["send", "--port", String(port), "--count", "300", "--json"]);
    expect([sent.code, sent.stderr]).toEqual([0, ""]);
    expect(JSON.parse(sent.stdout)).toMatchObject({ sent: 300, total: 300 });
    expect(await receiver.stop()).toBe(true);
    expect((await readFile(outFile, "utf8")).trim().split("\n")).toHaveLength(300);

    const refused = await runCli(cwd, ["send", "--port", String(port)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`error: cannot connect to 127.0.0.1:${port}: connection refused (is the receiver running and listening on that port?) [CLI_CONNECT_FAILED]\n`);
  });
});
