import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeRecord, type SyslogRecord } from "@aws-syslog/record";
import { DEFAULT_ROUTES, LocalArchiveSink, archiveStagingObject } from "@aws-syslog/forwarder";
import { ArchiveQueryError, queryArchive } from "./query-archive.js";

let root: string;
let archive: string;

function record(i: number, overrides: Partial<SyslogRecord>): SyslogRecord {
  return {
    v: 1, received_at: "2024-05-06T07:59:59.999Z", timestamp: null, facility: 1, severity: 6,
    facility_name: "user", severity_name: "info", hostname: "web-1", app_name: "app", proc_id: null, msg_id: null,
    structured_data: null, message: `message ${i}`, message_json: null, format: "rfc3164", source_ip: "127.0.0.1",
    source_port: 40000 + i, tls_peer: null, listener: "tls", raw: null, ...overrides,
  };
}

// 30 user.info (messages), 20 authpriv (secure), 10 OneGate local0 JSON across an hour boundary.
const records = [
  ...Array.from({ length: 30 }, (_, i) => record(i, {})),
  ...Array.from({ length: 20 }, (_, i) => record(100 + i, { facility: 10, facility_name: "authpriv", severity: 5, severity_name: "notice" })),
  ...Array.from({ length: 10 }, (_, i) =>
    record(200 + i, {
      facility: 16, facility_name: "local0", received_at: "2024-05-06T08:00:00.000Z", format: "rfc5424",
      message: JSON.stringify({ user: `u${i}`, action: "login" }), message_json: { user: `u${i}`, action: "login" },
    }),
  ),
];

async function archiveObject(key: string, lines: SyslogRecord[]): Promise<void> {
  const body = Readable.from([gzipSync(lines.map(serializeRecord).join(""))]);
  await archiveStagingObject({ bucket: "local", key, etag: null }, body, new LocalArchiveSink(archive), {
    routes: DEFAULT_ROUTES, prefix: "", compression: "gzip", rowsPerPart: 7, maxPartBytes: 1 << 20,
    rowGroupRows: 3, rowGroupBytes: 1 << 20, maxBufferBytes: 1 << 24,
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "query-archive-"));
  archive = join(root, "it's archive"); // a quote in the path must not break the SQL
  await archiveObject("staging/a.gz", records.slice(0, 35));
  await archiveObject("staging/b.gz", records.slice(35));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("queryArchive", () => {
  it("counts every archived record exactly once across parts and staging objects", async () => {
    const result = await queryArchive(archive, "SELECT count(*) AS n FROM logs");
    expect(result.columns).toEqual([{ name: "n", type: "BIGINT" }]);
    expect(Number(result.rows[0]!.n)).toBe(60);
  });

  it("reads route, dt and hour from the path as strings, as the Glue table does", async () => {
    const result = await queryArchive(archive, "SELECT route, dt, hour, count(*)::INTEGER AS n FROM logs GROUP BY ALL ORDER BY ALL");
    expect(result.columns.map((c) => c.type)).toEqual(["VARCHAR", "VARCHAR", "VARCHAR", "INTEGER"]);
    expect(result.rows).toEqual([
      { route: "messages", dt: "2024-05-06", hour: "07", n: 30 },
      { route: "onegate", dt: "2024-05-06", hour: "08", n: 10 },
      { route: "secure", dt: "2024-05-06", hour: "07", n: 20 },
    ]);
  });

  it("gives schema-v1 columns their types: received_at a UTC timestamp, JSON text queryable", async () => {
    const result = await queryArchive(
      archive,
      "SELECT received_at, facility, truncated, json_extract_string(message_json, '$.user') AS u FROM logs WHERE route = 'onegate' AND (message_json->>'$.user') = 'u3'",
    );
    expect(result.columns.map((c) => c.type)).toEqual(["TIMESTAMP WITH TIME ZONE", "INTEGER", "BOOLEAN", "VARCHAR"]);
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ facility: 16, truncated: false, u: "u3" });
    expect(String(result.rows[0]!.received_at)).toMatch(/^2024-05-06[ T]08:00:00(\.000)?(\+00(:00)?|Z)$/);
  });

  it("ignores what is not Parquet (errors/ NDJSON, temporary files)", async () => {
    await mkdir(join(archive, "errors"), { recursive: true });
    await writeFile(join(archive, "errors", "x-0000.ndjson"), '{"text":"garbage"}\n');
    await writeFile(join(archive, "route=messages", ".abc.tmp"), "partial");
    const result = await queryArchive(archive, "SELECT count(*) AS n FROM logs");
    expect(Number(result.rows[0]!.n)).toBe(60);
  });

  it("answers 0 rows, not an error, for an empty or missing archive", async () => {
    const result = await queryArchive(join(root, "missing"), "SELECT count(*) AS n, min(received_at) AS first FROM logs");
    expect(Number(result.rows[0]!.n)).toBe(0);
    expect(result.rows[0]!.first).toBeNull();
  });

  it("reports bad SQL as CLI_QUERY_FAILED with DuckDB's message", async () => {
    const err = await queryArchive(archive, "SELECT no_such_column FROM logs").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveQueryError);
    expect(err).toMatchObject({ code: "CLI_QUERY_FAILED", exitCode: 1 });
    expect((err as Error).message).toMatch(/no_such_column/);
  });
});
