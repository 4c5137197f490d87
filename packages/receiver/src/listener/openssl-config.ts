import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Whether this process loaded an OpenSSL configuration that turns TLS 1.3 session tickets off
 * (packages/receiver/openssl.cnf: `NumTickets = 0`). Node has no API for the ticket count and
 * silently ignores a missing --openssl-config file, so the receiver checks what it was started
 * with and warns (RCV_TLS_SESSION_TICKETS_ON) when tickets stay on: a write-only sender then
 * closes with a TCP RST, which discards what the receiver had not read yet.
 */
export type TicketsCheck = { off: true; file: string } | { off: false; reason: string };

const NUM_TICKETS_ZERO = /^\s*NumTickets\s*=\s*0\s*(#.*)?$/m;

export function sessionTicketsOff(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): TicketsCheck {
  const flag = [...execArgv].reverse().find((a) => a.startsWith("--openssl-config="));
  const named = flag?.slice("--openssl-config=".length) ?? env["OPENSSL_CONF"];
  if (!named) return { off: false, reason: "node was started without --openssl-config (or OPENSSL_CONF)" };
  const file = resolve(cwd, named);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { off: false, reason: `the OpenSSL configuration ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); node ignores it` };
  }
  if (!NUM_TICKETS_ZERO.test(text)) return { off: false, reason: `the OpenSSL configuration ${file} does not set NumTickets = 0` };
  return { off: true, file };
}
