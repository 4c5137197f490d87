import { createReadStream } from "node:fs";
import { access, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Logger } from "pino";
import {
  archiveStagingObject,
  forwardStagingObject,
  loadConfig as loadForwarderConfig,
  LocalArchiveSink,
  LocalLogFilesWriter,
  LocalStagingObjects,
  type ForwarderConfig,
} from "@aws-syslog/forwarder";

/**
 * The embedded default's stand-in for S3 notifications → SQS → the two Lambdas: it watches
 * `<data>/staging/` for objects the receiver's staging sink wrote and runs the forwarder's own
 * core on each, exactly once per object: CloudWatch events into `<data>/cloudwatch/`, Parquet
 * into `<data>/archive/`. Progress is kept as marker files under `<data>/.pipeline/`, so a
 * restart resumes where it stopped (and a crash between the two halves redoes only the half
 * whose marker is missing: the archive overwrites, the CloudWatch half has its own marker).
 *
 * FORWARDER_* variables apply as in Lambda (routes, stream template, time zone, archive sizes).
 */
export interface LocalPipeline {
  /** Processes what is staged now; resolves when done (tests, and the final pass at stop). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalPipelineOptions {
  dataDir: string;
  logger: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  /** How often to look for new staging objects. */
  pollMs?: number;
}

const LOCAL_BUCKET = "local-staging";

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const config: ForwarderConfig = loadForwarderConfig(options.env ?? process.env);
  const dataDir = resolve(options.dataDir);
  const stagingDir = join(dataDir, "staging");
  const stateDir = join(dataDir, ".pipeline");
  const archivedDir = join(stateDir, "archived");
  await mkdir(stagingDir, { recursive: true });
  const store = new LocalStagingObjects(stagingDir, join(stateDir, "forwarded"));
  const writer = new LocalLogFilesWriter(join(dataDir, "cloudwatch"));
  const archive = new LocalArchiveSink(join(dataDir, "archive"));
  const log = options.logger.child({ component: "local-pipeline" });
  const pollMs = options.pollMs ?? 500;

  const processOne = async (key: string): Promise<void> => {
    const ref = { bucket: LOCAL_BUCKET, key, etag: null, size: null };
    const forwarded = await forwardStagingObject(ref, store, writer, {
      routes: config.routes,
      logStreamTemplate: config.logStreamTemplate,
      timeZone: config.timeZone,
      maxParallelStreams: config.maxParallelStreams,
    });
    const marker = join(archivedDir, key);
    if (!(await exists(marker))) {
      const result = await archiveStagingObject(ref, createReadStream(join(stagingDir, key)), archive, { ...config.archive, routes: config.routes });
      await mkdir(dirname(marker), { recursive: true });
      await writeFile(marker, "");
      log.info({ event: "staging_object_done", key, records: result.records, invalidLines: result.invalidLines, parquetObjects: result.objects.length, events: forwarded.skipped ? null : forwarded.eventsSent }, "staging object forwarded and archived");
    }
  };

  let running: Promise<void> | null = null;
  const pass = async (): Promise<void> => {
    for (const key of await listObjects(stagingDir)) {
      if (await exists(join(archivedDir, key)) && (await store.isForwarded({ bucket: LOCAL_BUCKET, key, etag: null, size: null }))) continue;
      try {
        await processOne(key);
      } catch (err) {
        // The object stays unmarked and is retried on the next pass, like an SQS redelivery.
        log.error({ event: "staging_object_failed", key, code: (err as { code?: string }).code, err }, "staging object not processed; will retry");
      }
    }
  };
  const drain = (): Promise<void> => {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  };

  let stopped = false;
  const timer = setInterval(() => {
    if (!stopped) void drain();
  }, pollMs);
  await drain();

  return {
    drain: async () => {
      if (running) await running;
      await drain();
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
      await drain(); // what the receiver staged while stopping
    },
  };
}

/** Staging object keys (paths relative to the staging dir, "/"-separated), oldest name first.
 * Firehose-style names sort by time; temporary files start with "." and are skipped. */
async function listObjects(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".gz") && !e.name.startsWith("."))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
