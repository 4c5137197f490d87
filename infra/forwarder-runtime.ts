/**
 * Runtime settings of the forwarder Lambdas (packages/forwarder/src/handlers/*.ts) beyond what
 * both share with the embedded default (routes, buckets), measured on the functions' runtime,
 * Node 22, with the benchmarks in packages/forwarder/bench (2026-11-23).
 *
 * Both functions:
 * - `NODE_OPTIONS=--max-semi-space-size=16`: Node sizes V8's heap from the memory its cgroup
 *   allows. Measured with Node 22.23.3 in a cgroup-v1 memory limit: at 512 MB a 259 MiB heap
 *   with a 1 MiB young-generation semi-space; at 1 GB 524 MiB with 4 MiB.
 *   - CloudWatch (512 MB), `cloudwatch-core.bench.mjs` (100 MB object, 850,836 events, two
 *     rounds, two runs) inside a 512 MB cgroup: 8.5–13.7 CPU-s an object with V8's sizing,
 *     7.0–7.3 with 16 MiB; peak RSS 146–147 against 173–182 MiB. Instructions under callgrind
 *     (272,613 records twice, 450 MB heap): 2 MiB +14.6%, 4 MiB +9.7%, 64 MiB −1.6% against 16.
 *   - Archive (1 GB), `archive.bench.mjs`: inside a 1 GB cgroup, on the same object, 67–71k
 *     rows per CPU-second with V8's 4 MiB against 74–79k with 16 (RSS 197 against 216 MiB).
 *     Before text columns waited as bytes (archive-text-column.ts) 4 MiB cost ~20% more CPU
 *     than 16 (33.6k vs 40.8k rows per CPU-second, median of five); on the 100 MiB archive
 *     object it now costs little (GC 0.57 vs 0.40 s of ~5 s) but still 1.15–1.27x on a
 *     48-hour backlog object, whose hundreds of open parts hold more JS values (GC 1.08 vs
 *     0.42 s). 32 and 64 MiB measured no better.
 *   Should the runtime's bootstrap pass its own --max-semi-space-size on the command line (the
 *   nodejs18.x one passed memory/20), that flag wins over NODE_OPTIONS, and it is at least as
 *   large.
 *
 * Archive only:
 * - `FORWARDER_ARCHIVE_COMPRESSION=zstd`: compressing the Parquet pages costs ~0.5 µs a row
 *   against ~2.1–2.6 µs for gzip (the config's default), and the files are ~30% smaller
 *   (1.86 vs 2.62 MB for 185,744 rows). node:zlib has zstd from Node 22.15; the forwarder's
 *   config refuses it on an older Node, so the function fails at init rather than writing
 *   something else. Athena and DuckDB read ZSTD Parquet.
 */
const FORWARDER_FUNCTION_ENVIRONMENT = {
  NODE_OPTIONS: "--max-semi-space-size=16",
} as const;

export const CLOUDWATCH_FUNCTION_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({
  ...FORWARDER_FUNCTION_ENVIRONMENT,
});

export const ARCHIVE_FUNCTION_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({
  ...FORWARDER_FUNCTION_ENVIRONMENT,
  FORWARDER_ARCHIVE_COMPRESSION: "zstd",
});
