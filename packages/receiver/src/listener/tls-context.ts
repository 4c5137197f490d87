import { readFileSync, statSync, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { constants } from "node:crypto";
import { createSecureContext, type SecureContextOptions, type TlsOptions } from "node:tls";
import type { Logger } from "pino";
import { readTlsMaterial, type ReceiverConfig, type TlsMaterial } from "../config.js";
import { ConfigError, ReceiverError, TlsMaterialError } from "../errors.js";
import { parseFingerprintList, type PeerPolicy } from "./peer-auth.js";

/**
 * Certificate, key and CA for the TLS listeners, reloadable without dropping connections:
 * `reload()` re-reads the files and swaps the server's secure context, so new handshakes use
 * the new material while established connections keep theirs. Triggered by SIGHUP (main.ts)
 * and by a change of any of the files (polled: editors and cert-manager style tools replace
 * files by rename, which fs.watch misses).
 *
 * The fingerprint allow list of x509/fingerprint (RECEIVER_TLS_FINGERPRINTS_FILE merged with
 * RECEIVER_TLS_FINGERPRINTS) is reloaded with the certificates, as one unit: either everything
 * is replaced or nothing is. The list is checked after each handshake (peer-auth.ts), so a
 * fingerprint removed from the file is refused on the next connection; established connections
 * stay, as rsyslog's do.
 */
const WATCH_INTERVAL_MS = 2_000;

export interface ContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

interface Loaded {
  material: TlsMaterial;
  fingerprints: readonly string[];
  /** Certificate files plus the fingerprint file: what the watcher polls. */
  files: string[];
  /** Identity of each file as it was just before it was read (see fileStamp). */
  stamps: Map<string, string>;
}

/** Inode, size and mtime: a rename over the file or a write in place changes it; "missing" while absent. */
function fileStamp(stats: Stats | undefined): string {
  return stats === undefined ? "missing" : `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

export class TlsContext {
  private loaded: Loaded;
  private readonly targets = new Set<ContextTarget>();
  private watchTimer: NodeJS.Timeout | undefined;
  /** Stamps last acted on: the loaded ones, or those of a change whose reload failed (tried once per change). */
  private seen = new Map<string, string>();

  constructor(
    private readonly config: ReceiverConfig,
    private readonly logger: Logger,
  ) {
    this.loaded = load(config);
  }

  /** The client-certificate policy new handshakes are checked against (current fingerprint list). */
  get peerPolicy(): PeerPolicy {
    return { mode: this.config.tlsAuthMode, permittedPeers: this.config.tlsPermittedPeers, fingerprints: this.loaded.fingerprints };
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
    let next: Loaded;
    try {
      next = load(this.config);
    } catch (err) {
      this.logger.error({ event: "tls_reload_failed", code: (err as ReceiverError).code, trigger, err }, "TLS material reload failed; keeping the previous certificate and fingerprint list");
      return false;
    }
    const removed = this.loaded.fingerprints.filter((f) => !next.fingerprints.includes(f)).length;
    const added = next.fingerprints.filter((f) => !this.loaded.fingerprints.includes(f)).length;
    this.loaded = next;
    for (const target of this.targets) target.setSecureContext(this.contextOptions());
    const fingerprints = this.config.tlsFingerprintsFile ? { fingerprints: next.fingerprints.length, fingerprintsAdded: added, fingerprintsRemoved: removed } : {};
    this.logger.info({ event: "tls_reloaded", trigger, files: next.files, ...fingerprints }, "TLS material reloaded");
    return true;
  }

  /**
   * Polls the files every 2 s against their stamps taken when they were read, so a change made
   * any time after the read (even before the first poll) triggers one reload.
   */
  watchFiles(): void {
    if (this.watchTimer !== undefined || !this.config.tlsWatchFiles) return;
    this.seen = new Map(this.loaded.stamps);
    let polling = false;
    this.watchTimer = setInterval(() => {
      if (polling) return;
      polling = true;
      void this.poll().finally(() => (polling = false));
    }, WATCH_INTERVAL_MS).unref();
  }

  close(): void {
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }

  private async poll(): Promise<void> {
    const files = this.loaded.files;
    const now = await Promise.all(files.map((f) => stat(f).then(fileStamp, () => fileStamp(undefined))));
    const changed = files.find((f, i) => now[i] !== this.seen.get(f));
    if (changed === undefined || this.watchTimer === undefined) return;
    files.forEach((f, i) => this.seen.set(f, now[i]!));
    if (this.reload(`file changed: ${changed}`)) this.seen = new Map(this.loaded.stamps);
  }

  private contextOptions(): SecureContextOptions {
    const { cert, key, ca } = this.loaded.material;
    // No stateless session tickets: sealing two TLS 1.3 tickets per handshake (the whole session,
    // with the client's chain in mutual TLS) is ~15% of a full handshake's CPU, and resumption
    // buys nothing here: senders hold their connections for hours, and a replaced task cannot
    // open another task's tickets anyway. Resumption attempts fall back to a full handshake.
    const secureOptions = constants.SSL_OP_NO_TICKET;
    return ca === undefined ? { cert, key, secureOptions } : { cert, key, ca, secureOptions };
  }
}

function load(config: ReceiverConfig): Loaded {
  const files = [config.tlsCertFile, config.tlsKeyFile, config.tlsCaFile, config.tlsFingerprintsFile].filter((f): f is string => Boolean(f));
  // Stamped before reading: a change between the two is seen by the next poll, never missed.
  // A file that cannot be stat'ed is stamped "missing"; reading it fails below with its name.
  const stamps = new Map(files.map((f) => [f, fileStamp(statOrUndefined(f))]));
  return { material: loadMaterial(config), fingerprints: loadFingerprints(config), files, stamps };
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function loadMaterial(config: ReceiverConfig): TlsMaterial {
  const material = readTlsMaterial(config);
  try {
    // Fails on unreadable PEM and on a key that does not match the certificate.
    createSecureContext({ cert: material.cert, key: material.key, ...(material.ca ? { ca: material.ca } : {}) });
  } catch (err) {
    throw new TlsMaterialError(`TLS certificate/key/CA cannot be used: ${(err as Error).message}`, { cause: err });
  }
  return material;
}

/**
 * RECEIVER_TLS_FINGERPRINTS plus the lines of RECEIVER_TLS_FINGERPRINTS_FILE. An unreadable file,
 * a bad line, or an empty result in x509/fingerprint mode is an error (RCV_CONFIG_INVALID): at
 * start the process exits, on a reload the previous list stays. An empty list is refused on
 * purpose: a file caught half-written by the poller must not lock every sender out.
 */
function loadFingerprints(config: ReceiverConfig): readonly string[] {
  const file = config.tlsFingerprintsFile;
  if (!file) return config.tlsFingerprints;
  const source = `RECEIVER_TLS_FINGERPRINTS_FILE=${file}`;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([`${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  const { fingerprints, problems } = parseFingerprintList(text, source);
  if (problems.length > 0) throw new ConfigError(problems);
  const merged = [...new Set([...config.tlsFingerprints, ...fingerprints])];
  if (config.tlsAuthMode === "x509/fingerprint" && merged.length === 0) {
    throw new ConfigError([`${source}: lists no fingerprint and RECEIVER_TLS_FINGERPRINTS is empty: every client would be refused`]);
  }
  return Object.freeze(merged);
}
