import { join } from "node:path";
import { fakeIo } from "../../testing/fake-io.js";
import { resolveSenderTarget } from "../resolve-sender-target.js";
import type { SenderAuthMode, SenderTarget } from "../sender-target.js";

/**
 * A sender target resolved as `client-config` resolves one, in `cwd` after `certs init`: the
 * embedded default, or `host` with `ca` (default the development CA); the development client
 * certificate when `client`; sender files under cwd/sender-files.
 */
export async function testSenderTarget(cwd: string, options: { auth: SenderAuthMode; client: boolean; host?: string; ca?: string }): Promise<SenderTarget> {
  const { target } = await resolveSenderTarget(
    {
      auth: options.auth,
      ...(options.host ? { host: options.host, ca: options.ca ?? ".data/tls/ca.pem" } : {}),
      ...(options.client ? { cert: ".data/tls/client.pem" } : {}),
      senderDir: join(cwd, "sender-files"),
    },
    fakeIo({ cwd }),
  );
  return options.client ? target : { ...target, client: null };
}
