import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
// One column list for the Parquet writer and this table, so they cannot drift apart.
import { ARCHIVE_COLUMNS, ARCHIVE_LOCATION_TEMPLATE_SUFFIX, ARCHIVE_PARTITION_KEYS } from "../packages/forwarder/src/core/archive-schema.js";

/**
 * Glue table over the Parquet archive with partition projection (no crawler, no
 * MSCK REPAIR: Athena computes partitions from the path template), an Athena workgroup whose
 * encrypted result location and scan limit users cannot override, saved Athena queries and
 * saved CloudWatch Logs Insights queries.
 */
export const TABLE_NAME = "logs";
/** Cost guard: a query scanning more than this is cancelled (Athena bills per TB scanned). */
export const BYTES_SCANNED_CUTOFF = 100 * 1024 ** 3;

export interface AnalyticsArgs {
  name: string;
  archiveBucket: pulumi.Input<string>;
  archivePrefix: string;
  athenaResultsBucket: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  /** Route names plus "unrouted" (forwarder archiveRouteNames). */
  routeNames: string[];
  /** Oldest partition Athena should consider (days); null = since PROJECTION_START. */
  archiveExpireDays: number | null;
  onegateLogGroup?: string;
  secureLogGroup?: string;
  forceDestroy: boolean;
}

export const PROJECTION_START = "2024-01-01";

export interface Analytics {
  database: aws.glue.CatalogDatabase;
  table: aws.glue.CatalogTable;
  workgroup: aws.athena.Workgroup;
}

export function projectionParameters(a: Pick<AnalyticsArgs, "routeNames" | "archiveExpireDays">, location: string): Record<string, string> {
  const params: Record<string, string> = { "projection.enabled": "true", "storage.location.template": `${location}${ARCHIVE_LOCATION_TEMPLATE_SUFFIX}` };
  for (const key of ARCHIVE_PARTITION_KEYS) {
    for (const [k, v] of Object.entries(key.projection)) params[`projection.${key.name}.${k}`] = v;
  }
  params["projection.route.values"] = a.routeNames.join(",");
  params["projection.dt.range"] = a.archiveExpireDays === null ? `${PROJECTION_START},NOW` : `NOW-${a.archiveExpireDays}DAYS,NOW`;
  return params;
}

export function createAnalytics(a: AnalyticsArgs): Analytics {
  const dbName = `${a.name.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_syslog`;
  const database = new aws.glue.CatalogDatabase(`${a.name}GlueDatabase`, { name: dbName, description: "Syslog archive (Parquet, partitioned by route/dt/hour)" });
  const location = pulumi.interpolate`s3://${a.archiveBucket}/${a.archivePrefix}`;
  const table = new aws.glue.CatalogTable(`${a.name}GlueTable`, {
    databaseName: database.name,
    name: TABLE_NAME,
    tableType: "EXTERNAL_TABLE",
    parameters: location.apply((loc) => ({ EXTERNAL: "TRUE", classification: "parquet", ...projectionParameters(a, loc) })),
    partitionKeys: ARCHIVE_PARTITION_KEYS.map((k) => ({ name: k.name, type: k.glueType, comment: k.comment })),
    storageDescriptor: {
      location,
      inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
      serDeInfo: { serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", parameters: { "serialization.format": "1" } },
      columns: ARCHIVE_COLUMNS.map((c) => ({ name: c.name, type: c.glueType, comment: c.comment })),
    },
  });
  const workgroup = new aws.athena.Workgroup(`${a.name}Workgroup`, {
    name: `${a.name}-syslog`,
    forceDestroy: a.forceDestroy,
    configuration: {
      enforceWorkgroupConfiguration: true,
      publishCloudwatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
      resultConfiguration: {
        outputLocation: pulumi.interpolate`s3://${a.athenaResultsBucket}/results/`,
        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: a.kmsKeyArn },
      },
    },
  });
  for (const [key, q] of Object.entries(athenaQueries(TABLE_NAME))) {
    new aws.athena.NamedQuery(`${a.name}Query${key}`, { name: q.name, description: q.description, database: database.name, workgroup: workgroup.name, query: q.sql });
  }
  for (const [key, q] of Object.entries(insightsQueries(a))) {
    new aws.cloudwatch.QueryDefinition(`${a.name}Insights${key}`, { name: `${a.name}/${q.name}`, logGroupNames: q.logGroups, queryString: q.query });
  }
  return { database, table, workgroup };
}

/**
 * Saved Athena queries. Always filter on dt (and route) so projection prunes partitions.
 * OneGate's JSON field names (user, ip, result) are assumptions: adjust to the events OneGate sends.
 */
export function athenaQueries(table: string): Record<string, { name: string; description: string; sql: string }> {
  return {
    OnegateLoginFailures: {
      name: "OneGate login failures by user and IP (last 7 days)",
      description: "OneGate (local0) authentication failures, counted per user and source address",
      sql: `SELECT json_extract_scalar(message_json, '$.user') AS user_name,
       json_extract_scalar(message_json, '$.ip') AS client_ip,
       count(*) AS failures, min(received_at) AS first_seen, max(received_at) AS last_seen
FROM ${table}
WHERE route = 'onegate' AND dt >= date_format(current_date - interval '7' day, '%Y-%m-%d')
  AND lower(json_extract_scalar(message_json, '$.result')) LIKE '%fail%'
GROUP BY 1, 2 ORDER BY failures DESC LIMIT 100`,
    },
    SudoUse: {
      name: "sudo use (last 7 days)",
      description: "sudo invocations from authpriv (/var/log/secure)",
      sql: `SELECT received_at, hostname, regexp_extract(message, '^\\s*(\\S+) :', 1) AS user_name,
       regexp_extract(message, 'USER=(\\S+)', 1) AS run_as, regexp_extract(message, 'COMMAND=(.*)$', 1) AS command
FROM ${table}
WHERE route = 'secure' AND app_name = 'sudo' AND dt >= date_format(current_date - interval '7' day, '%Y-%m-%d')
ORDER BY received_at DESC LIMIT 500`,
    },
    VolumeByHost: {
      name: "Messages per host and hour (today)",
      description: "Volume check: which senders are loud",
      sql: `SELECT hour, hostname, count(*) AS messages FROM ${table}
WHERE dt = date_format(current_date, '%Y-%m-%d') GROUP BY 1, 2 ORDER BY 1, 3 DESC`,
    },
    Unparsed: {
      name: "Unparsed frames (last day)",
      description: "Frames kept raw because they were neither RFC 5424 nor RFC 3164",
      sql: `SELECT received_at, source_ip, listener, raw FROM ${table}
WHERE format = 'unparsed' AND dt >= date_format(current_date - interval '1' day, '%Y-%m-%d') LIMIT 200`,
    },
  };
}

/** Saved Logs Insights queries over the route groups (JSON events for OneGate, classic lines for /var/log/secure). */
export function insightsQueries(a: Pick<AnalyticsArgs, "onegateLogGroup" | "secureLogGroup">): Record<string, { name: string; logGroups: string[]; query: string }> {
  const q: Record<string, { name: string; logGroups: string[]; query: string }> = {};
  if (a.onegateLogGroup) {
    q.OnegateLoginFailures = {
      name: "onegate-login-failures-by-user-and-ip",
      logGroups: [a.onegateLogGroup],
      query: "fields @timestamp, user, ip, result\n| filter result like /(?i)fail/\n| stats count(*) as failures by user, ip\n| sort failures desc\n| limit 100",
    };
  }
  if (a.secureLogGroup) {
    q.SudoUse = {
      name: "sudo-use",
      logGroups: [a.secureLogGroup],
      query: "fields @timestamp, @message\n| filter @message like /sudo(\\[\\d+\\])?:/\n| parse @message /sudo(?:\\[\\d+\\])?:\\s+(?<user>\\S+) : .*USER=(?<runAs>\\S+) ; COMMAND=(?<command>.*)/\n| stats count(*) as uses by user, runAs, command\n| sort uses desc",
    };
    q.SshFailures = {
      name: "ssh-failed-logins",
      logGroups: [a.secureLogGroup],
      query: "fields @timestamp, @message\n| parse @message /Failed \\S+ for (invalid user )?(?<user>\\S+) from (?<ip>\\S+)/\n| filter ispresent(user)\n| stats count(*) as failures by user, ip\n| sort failures desc",
    };
  }
  return q;
}
