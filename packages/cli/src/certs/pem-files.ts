import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CLI_ERROR_CODES, CliError, EXIT, fileError } from "../errors.js";
import type { IssuedCertificate } from "./certificate-authority.js";

/** Private keys: owner read/write only. Certificates are public. */
export const KEY_FILE_MODE = 0o600;
export const CERT_FILE_MODE = 0o644;
/** The directory that holds keys: only the owner may list it. */
export const TLS_DIR_MODE = 0o700;

/**
 * Writes a file whole or not at all: a temporary file in the same directory, chmod'ed before
 * it has content (the umask cannot widen a key's mode), then renamed into place (replace) or
 * hard-linked (no replace: fails with EEXIST if the name was taken meanwhile). A receiver that
 * watches the file, or one that starts at the same moment, never reads half a key.
 */
export async function writeFileAtomic(path: string, data: string, mode: number, replace: boolean): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await open(tmp, "wx", mode);
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (replace) {
      await rename(tmp, path);
    } else {
      await link(tmp, path);
      await unlink(tmp);
    }
  } catch (err) {
    await unlink(tmp).catch(() => undefined); // the temporary file may not exist; the cause is err
    throw fileError(err, path, "write");
  }
}

export async function ensureTlsDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: TLS_DIR_MODE });
  } catch (err) {
    throw fileError(err, dir, "write");
  }
}

/** A file's text, or undefined when it does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileError(err, path, "read");
  }
}

/** A file's bytes; `label` (default: the path) names it in errors, e.g. as the user typed it. */
export async function readRequired(path: string, label = path): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw fileError(err, label, "read");
  }
}

export interface PemPairPaths {
  cert: string;
  key: string;
}

/**
 * Writes `<base>.pem` and `<base>.key` into dir. Without `replace`, refuses (CLI_FILE_EXISTS)
 * before writing anything if either exists, so a half-replaced pair cannot happen that way.
 * The key is written first: a new certificate never sits beside an old key.
 */
export async function writePemPair(dir: string, base: string, issued: IssuedCertificate, replace: boolean): Promise<PemPairPaths> {
  const paths = { cert: join(dir, `${base}.pem`), key: join(dir, `${base}.key`) };
  if (!replace) {
    for (const p of [paths.cert, paths.key]) {
      if (await exists(p)) throw new CliError(CLI_ERROR_CODES.fileExists, `${p} exists already (pass --force to replace it)`, EXIT.failure);
    }
  }
  await writeFileAtomic(paths.key, issued.keyPem, KEY_FILE_MODE, replace);
  await writeFileAtomic(paths.cert, issued.certPem, CERT_FILE_MODE, replace);
  return paths;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw fileError(err, path, "read");
  }
}

/** A warning when a key file can be read by group or others; undefined when not (or absent). */
export async function keyModeWarning(path: string): Promise<string | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileError(err, path, "read");
  }
  if ((mode & 0o077) === 0) return undefined;
  return `${path} is readable by others (mode ${mode.toString(8).padStart(4, "0")}): run chmod 600 ${path}`;
}
