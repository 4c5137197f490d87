import { beforeAll, describe, expect, it } from "vitest";
import { ARCHIVE_COLUMNS } from "../packages/forwarder/src/core/archive-schema.js";
import { createAlarms } from "./alarms.js";
import { createAnalytics } from "./analytics.js";
import { byType, installMocks, one, out, settled } from "./pulumi-mocks.js";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/abc";
beforeAll(async () => {
  installMocks();
  const an = createAnalytics({ name: "t", archiveBucket: "arch", archivePrefix: "archive/", athenaResultsBucket: "res", kmsKeyArn: KEY, routeNames: ["messages", "secure", "onegate", "unrouted"], archiveExpireDays: 365, onegateLogGroup: "/aws-syslog/onegate", secureLogGroup: "/var/log/secure", forceDestroy: false });
  const al = createAlarms({ name: "t", kmsKeyArn: KEY, alarmEmail: "ops@example.com", streamNames: ["t-ingest-0", "t-ingest-1"], dlqNames: ["d1", "d2"], queueNames: ["q1", "q2"], functionNames: ["f1", "f2"], loadBalancerArnSuffix: "net/lb/1", targetGroupArnSuffix: "targetgroup/tg/2", relpTargetGroupArnSuffix: "targetgroup/relp/3", noDataMinutes: 15 });
  // A stage with relp off: no RELP target group, so no RELP alarms.
  const norelp = createAlarms({ name: "norelp", kmsKeyArn: KEY, streamNames: ["n-ingest-0"], dlqNames: ["d"], queueNames: ["q"], functionNames: ["f"], loadBalancerArnSuffix: "net/lb/9", targetGroupArnSuffix: "targetgroup/tg/9", noDataMinutes: 15 });
  await Promise.all([out(an.table.name), out(al.topic.arn), out(norelp.topic.arn)]);
  await settled();
});

describe("Glue table", () => {
  it("has every archive column and route/dt/hour string partitions with projection", () => {
    const t = one("aws:glue/catalogTable:CatalogTable").inputs;
    expect(t.storageDescriptor.columns.map((c: any) => c.name)).toEqual(ARCHIVE_COLUMNS.map((c) => c.name));
    expect(t.partitionKeys.map((k: any) => [k.name, k.type])).toEqual([["route", "string"], ["dt", "string"], ["hour", "string"]]);
    expect(t.storageDescriptor.location).toBe("s3://arch/archive/");
    expect(t.parameters).toMatchObject({
      "projection.enabled": "true",
      "projection.route.type": "enum",
      "projection.route.values": "messages,secure,onegate,unrouted",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy-MM-dd",
      "projection.dt.range": "NOW-365DAYS,NOW",
      "projection.hour.type": "integer",
      "projection.hour.range": "0,23",
      "projection.hour.digits": "2",
      "storage.location.template": "s3://arch/archive/route=${route}/dt=${dt}/hour=${hour}",
    });
    expect(t.storageDescriptor.serDeInfo.serializationLibrary).toMatch(/ParquetHiveSerDe/);
  });
});

describe("Athena", () => {
  it("workgroup enforces an SSE-KMS result location and a scan limit", () => {
    const c = one("aws:athena/workgroup:Workgroup").inputs.configuration;
    expect(c.enforceWorkgroupConfiguration).toBe(true);
    expect(c.resultConfiguration.outputLocation).toBe("s3://res/results/");
    expect(c.resultConfiguration.encryptionConfiguration).toEqual({ encryptionOption: "SSE_KMS", kmsKeyArn: KEY });
    expect(c.bytesScannedCutoffPerQuery).toBeGreaterThan(0);
  });
  it("saved queries filter on partitions; Logs Insights definitions cover OneGate failures and sudo", () => {
    const named = byType("aws:athena/namedQuery:NamedQuery");
    expect(named.length).toBeGreaterThanOrEqual(3);
    for (const q of named) expect(q.inputs.query).toMatch(/\bdt\s*(>=|=)/);
    const onegate = named.find((q) => q.inputs.name.startsWith("OneGate login failures"))!.inputs;
    expect(onegate).toMatchObject({ database: "t_syslog", workgroup: "t-syslog" });
    expect(onegate.query).toMatch(/route = 'onegate'/);
    expect(onegate.query).toMatch(/AS user_name[\s\S]*AS client_ip[\s\S]*GROUP BY 1, 2/);
    expect(named.find((q) => q.inputs.name.startsWith("sudo use"))!.inputs.query).toMatch(/route = 'secure' AND app_name = 'sudo'/);
    const defs = byType("aws:cloudwatch/queryDefinition:QueryDefinition").map((d) => d.inputs);
    expect(defs.find((d) => d.name.includes("onegate-login-failures"))).toMatchObject({ logGroupNames: ["/aws-syslog/onegate"], queryString: expect.stringContaining("by user, ip") });
    expect(defs.find((d) => d.name.includes("sudo"))).toMatchObject({ logGroupNames: ["/var/log/secure"], queryString: expect.stringContaining("USER=") });
  });
});

describe("alarms", () => {
  const alarms = (prefix = "tAlarm") => byType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith(prefix)).map((a) => a.inputs);
  it("cover Firehose delivery, DLQ depth, Lambda errors, unhealthy targets and no data, all notifying the encrypted topic", () => {
    const metrics = alarms().map((a) => a.metricName);
    for (const m of ["DeliveryToS3.Success", "ApproximateNumberOfMessagesVisible", "Errors", "UnHealthyHostCount", "HealthyHostCount"]) expect(metrics).toContain(m);
    expect(alarms().filter((a) => a.metricName === "DeliveryToS3.Success")).toHaveLength(2);
    expect(alarms().filter((a) => a.metricName === "ApproximateNumberOfMessagesVisible").map((a) => a.dimensions.QueueName)).toEqual(["d1", "d2"]);
    expect(alarms().filter((a) => a.metricName === "Errors").map((a) => a.dimensions.FunctionName)).toEqual(["f1", "f2"]);
    const topicArn = one("aws:sns/topic:Topic", "tAlarms");
    expect(topicArn.inputs.kmsMasterKeyId).toBe(KEY);
    for (const a of alarms()) expect(a.alarmActions).toHaveLength(1);
    expect(one("aws:sns/topicSubscription:TopicSubscription", "tAlarmsEmail").inputs).toMatchObject({ protocol: "email", endpoint: "ops@example.com" });
  });
  it("unhealthy and no-healthy-target alarms for the syslog AND the RELP target group, each on its own group", () => {
    const byMetric = (m: string) => alarms().filter((a) => a.metricName === m).map((a) => a.dimensions);
    for (const m of ["UnHealthyHostCount", "HealthyHostCount"]) {
      expect(byMetric(m)).toEqual([{ LoadBalancer: "net/lb/1", TargetGroup: "targetgroup/tg/2" }, { LoadBalancer: "net/lb/1", TargetGroup: "targetgroup/relp/3" }]);
    }
    const relp = alarms().filter((a) => a.dimensions?.TargetGroup === "targetgroup/relp/3");
    expect(relp.find((a) => a.metricName === "UnHealthyHostCount")).toMatchObject({ comparisonOperator: "GreaterThanThreshold", threshold: 0, alarmDescription: expect.stringContaining("RELP") });
    expect(relp.find((a) => a.metricName === "HealthyHostCount")).toMatchObject({ comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "breaching" });
    expect(alarms("norelpAlarm").filter((a) => /HealthyHostCount/i.test(a.metricName)).map((a) => a.dimensions.TargetGroup)).toEqual(["targetgroup/tg/9", "targetgroup/tg/9"]);
  });
  it("no-data alarm sums IncomingRecords of every stream over N minutes and treats missing data as breaching", () => {
    const nd = alarms().find((a) => a.metricQueries)!;
    expect(nd.evaluationPeriods).toBe(15);
    expect(nd.treatMissingData).toBe("breaching");
    expect(nd.metricQueries.filter((q: any) => q.metric?.metricName === "IncomingRecords")).toHaveLength(2);
    expect(nd.metricQueries.find((q: any) => q.returnData).expression).toBe("FILL(s0, 0) + FILL(s1, 0)");
  });
});
