import { createReadStream } from "node:fs";
import { access, mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import type { StagingObjectStore } from "../core/forward-staging-object.js";
import type { S3ObjectRef } from "../handlers/s3-event.js";
import { StagingObjectNotFoundError } from "../errors.js";

/**
 * Local staging objects for the embedded default: `ref.key` is a path under the staging
 * directory (`ref.bucket` is ignored), and "already forwarded to CloudWatch" is an empty
 * marker file under a separate directory (so a watcher of the staging directory never sees
 * it), the local counterpart of the S3 object tag.
 */
export class LocalStagingObjects implements StagingObjectStore {
  private readonly stagingDir: string;
  private readonly markerDir: string;

  constructor(stagingDir: string, markerDir: string) {
    this.stagingDir = resolve(stagingDir);
    this.markerDir = resolve(markerDir);
  }

  async open(ref: S3ObjectRef): Promise<Readable> {
    const path = inside(this.stagingDir, ref.key);
    try {
      await access(path);
    } catch (err) {
      throw new StagingObjectNotFoundError(ref.bucket, ref.key, { cause: err });
    }
    return createReadStream(path);
  }

  async isForwarded(ref: S3ObjectRef): Promise<boolean> {
    try {
      await access(inside(this.markerDir, ref.key));
      return true;
    } catch {
      return false; // no marker: not forwarded yet
    }
  }

  async markForwarded(ref: S3ObjectRef): Promise<void> {
    const marker = inside(this.markerDir, ref.key);
    await mkdir(dirname(marker), { recursive: true });
    await writeFile(marker, "");
  }
}

function inside(root: string, key: string): string {
  const path = resolve(join(root, key));
  if (!path.startsWith(root + sep)) throw new StagingObjectNotFoundError("local", key);
  return path;
}
