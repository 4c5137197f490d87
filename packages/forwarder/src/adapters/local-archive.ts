import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { ArchivePutError } from "../errors.js";
import type { ArchiveSink } from "../core/archive.js";

/**
 * The archive on local disk (the embedded default's `.data/archive/`): each key becomes a file
 * under `root`, written atomically (a temporary file in the same directory, then rename), so a
 * reader (`pnpm query`, DuckDB's `**\/*.parquet` glob) never sees half a file and a rerun
 * replaces a file whole, exactly like an S3 PutObject overwrite. The temporary name starts with
 * "." and does not end in .parquet, so globs skip it.
 */
export class LocalArchiveSink implements ArchiveSink {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, bytes: Uint8Array, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    const dir = dirname(path);
    const temp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(temp, bytes);
      await rename(temp, path);
    } catch (err) {
      // Best effort: the temporary file may not exist (mkdir failed); the typed error below
      // carries the real cause.
      await rm(temp, { force: true }).catch(() => undefined);
      throw new ArchivePutError(key, `write to ${path} failed: ${(err as Error).message}`, {
        cause: err,
        retryable: (err as NodeJS.ErrnoException).code !== "EACCES",
      });
    }
  }

  /** The file a key maps to; a key that would leave `root` is refused (keys are built by
   * partition.ts and cannot, but a sink must not trust that). */
  pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (key === "" || key.split("/").some((s) => s === ".." || s === "." || s === "") || !path.startsWith(this.root + sep)) {
      throw new ArchivePutError(key, "key is not a relative path inside the archive root", { retryable: false });
    }
    return path;
  }
}
