/**
 * Runtime settings of the archive Lambda (packages/forwarder/src/handlers/archive.ts) beyond
 * what both forwarder functions share (routes, buckets), measured on the functions' runtime,
 * Node 22, with `packages/forwarder/bench/archive.bench.mjs` (2026-11-23, alternated runs, per
 * CPU-second, 100 MiB staging object):
 *
 * - `FORWARDER_ARCHIVE_COMPRESSION=zstd`: compressing the Parquet pages costs ~0.5 µs a row
 *   against ~2.1–2.6 µs for gzip (the config's default), and the files are ~30% smaller
 *   (1.86 vs 2.62 MB for 185,744 rows). node:zlib has zstd from Node 22.15; the forwarder's
 *   config refuses it on an older Node, so the function fails at init rather than writing
 *   something else. Athena and DuckDB read ZSTD Parquet.
 * - `NODE_OPTIONS=--max-semi-space-size=16`: V8 sizes the young generation from the memory it
 *   sees, which on a 1 GB function is a 4 MiB semi-space. Before text columns waited as bytes
 *   (archive-text-column.ts) 4 MiB cost ~20% more CPU than 16 (33.6k vs 40.8k rows per
 *   CPU-second, median of five); since, it costs nothing measurable on a Firehose-sized object
 *   (GC 0.57 vs 0.40 s of ~5 s) but still 1.15–1.27x on a 48-hour backlog object, whose hundreds
 *   of open parts hold more JS values (GC 1.08 vs 0.42 s). 16 MiB costs ~20 MiB of peak RSS
 *   (188–191 vs 165–171 MiB); 32 and 64 MiB measured no better. Should the runtime's bootstrap
 *   pass its own --max-semi-space-size on the command line (the nodejs18.x one passed
 *   memory/20), that flag wins over NODE_OPTIONS, and it is at least as large.
 */
export const ARCHIVE_FUNCTION_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({
  FORWARDER_ARCHIVE_COMPRESSION: "zstd",
  NODE_OPTIONS: "--max-semi-space-size=16",
});
