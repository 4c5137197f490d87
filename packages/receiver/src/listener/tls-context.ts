import { unwatchFile, watchFile } from "node:fs";
import { createSecureContext, type SecureContextOptions, type TlsOptions } from "node:tls";
import type { Logger } from "pino";
import { readTlsMaterial, type ReceiverConfig, type TlsMaterial } from "../config.js";
import { ReceiverError, TlsMaterialError } from "../errors.js";

/**
 * Certificate, key and CA for the TLS listeners, reloadable without dropping connections:
 * `reload()` re-reads the files and swaps the server's secure context, so new handshakes use
 * the new material while established connections keep theirs. Triggered by SIGHUP (main.ts)
 * and by a change of any of the files (polled: editors and cert-manager style tools replace
 * files by rename, which fs.watch misses).
 */
const WATCH_INTERVAL_MS = 2_000;

export interface ContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

export class TlsContext {
  private material: TlsMaterial;
  private readonly targets = new Set<ContextTarget>();
  private watching = false;

  constructor(
    private readonly config: ReceiverConfig,
    private readonly logger: Logger,
  ) {
    this.material = load(config);
  }

  /** Options for tls.createServer / new TLSSocket: material plus the client-certificate policy. */
  serverOptions(): TlsOptions {
    const mode = this.config.tlsAuthMode;
    return {
      ...this.contextOptions(),
      minVersion: this.config.tlsMinVersion,
      requestCert: mode !== "anon",
      // certvalid and name need a chain to our CA; fingerprint mode accepts self-signed senders
      // and checks the fingerprint after the handshake (peer-auth.ts), as rsyslog does.
      rejectUnauthorized: mode === "x509/certvalid" || mode === "x509/name",
      handshakeTimeout: this.config.handshakeTimeoutMs,
    };
  }

  /** Servers whose context `reload()` replaces. */
  attach(target: ContextTarget): void {
    this.targets.add(target);
  }

  /** Re-reads the material; on any problem keeps the old context and logs why. */
  reload(trigger: string): boolean {
    let next: TlsMaterial;
    try {
      next = load(this.config);
    } catch (err) {
      this.logger.error({ event: "tls_reload_failed", code: (err as ReceiverError).code, trigger, err }, "TLS material reload failed; keeping the previous certificate");
      return false;
    }
    this.material = next;
    for (const target of this.targets) target.setSecureContext(this.contextOptions());
    this.logger.info({ event: "tls_reloaded", trigger, files: next.files }, "TLS material reloaded");
    return true;
  }

  watchFiles(): void {
    if (this.watching || !this.config.tlsWatchFiles) return;
    this.watching = true;
    for (const file of this.material.files) {
      watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, (cur, prev) => {
        if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino) this.reload(`file changed: ${file}`);
      });
    }
  }

  close(): void {
    for (const file of this.material.files) unwatchFile(file);
    this.watching = false;
  }

  private contextOptions(): SecureContextOptions {
    const { cert, key, ca } = this.material;
    return ca === undefined ? { cert, key } : { cert, key, ca };
  }
}

function load(config: ReceiverConfig): TlsMaterial {
  const material = readTlsMaterial(config);
  try {
    // Fails on unreadable PEM and on a key that does not match the certificate.
    createSecureContext({ cert: material.cert, key: material.key, ...(material.ca ? { ca: material.ca } : {}) });
  } catch (err) {
    throw new TlsMaterialError(`TLS certificate/key/CA cannot be used: ${(err as Error).message}`, { cause: err });
  }
  return material;
}
