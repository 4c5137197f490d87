import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Alarms that call for an operator: delivery failing (Firehose), data stuck (DLQs, queue age),
 * forwarder errors, receivers unhealthy (per target group: syslog and, with RELP, RELP), and
 * silence (no records for N minutes). All notify one KMS-encrypted SNS topic (optionally e-mailed).
 */
export interface AlarmsArgs {
  name: string;
  kmsKeyArn: pulumi.Input<string>;
  alarmEmail?: string;
  streamNames: pulumi.Input<string>[];
  dlqNames: pulumi.Input<string>[];
  queueNames: pulumi.Input<string>[];
  functionNames: pulumi.Input<string>[];
  loadBalancerArnSuffix: pulumi.Input<string>;
  /** The syslog (6514) target group. */
  targetGroupArnSuffix: pulumi.Input<string>;
  /** The RELP (2514) target group, when the stage has `relp` on: alarmed the same way. */
  relpTargetGroupArnSuffix?: pulumi.Input<string>;
  noDataMinutes: number;
}

/** A queued staging object older than this means the forwarders fall behind. */
export const QUEUE_AGE_ALARM_S = 900;

export interface Alarms {
  topic: aws.sns.Topic;
  alarms: aws.cloudwatch.MetricAlarm[];
}

export function createAlarms(a: AlarmsArgs): Alarms {
  const topic = new aws.sns.Topic(`${a.name}Alarms`, { kmsMasterKeyId: a.kmsKeyArn });
  if (a.alarmEmail) new aws.sns.TopicSubscription(`${a.name}AlarmsEmail`, { topic: topic.arn, protocol: "email", endpoint: a.alarmEmail });
  const actions = { alarmActions: [topic.arn], okActions: [topic.arn] };
  const alarms: aws.cloudwatch.MetricAlarm[] = [];
  const alarm = (id: string, args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">) =>
    alarms.push(new aws.cloudwatch.MetricAlarm(`${a.name}Alarm${id}`, { ...args, ...actions }));

  a.streamNames.forEach((stream, i) => {
    alarm(`FirehoseDelivery${i}`, {
      alarmDescription: "Firehose failed to deliver to the staging bucket (records retried, then written under errors/)",
      namespace: "AWS/Firehose", metricName: "DeliveryToS3.Success", dimensions: { DeliveryStreamName: stream },
      statistic: "Minimum", period: 300, evaluationPeriods: 1, comparisonOperator: "LessThanThreshold", threshold: 1,
      treatMissingData: "notBreaching", // no deliveries at all is the no-data alarm's job
    });
    alarm(`FirehoseThrottled${i}`, {
      alarmDescription: "The receiver is throttled by Firehose: add streams (firehoseStreamCount) or ask for a higher quota",
      namespace: "AWS/Firehose", metricName: "ThrottledRecords", dimensions: { DeliveryStreamName: stream },
      statistic: "Sum", period: 300, evaluationPeriods: 1, comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching",
    });
  });
  a.dlqNames.forEach((q, i) => alarm(`DlqDepth${i}`, {
    alarmDescription: "Staging objects a forwarder could not process (redrive after fixing the cause)",
    namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: q },
    statistic: "Maximum", period: 300, evaluationPeriods: 1, comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching",
  }));
  a.queueNames.forEach((q, i) => alarm(`QueueAge${i}`, {
    alarmDescription: "Forwarder backlog: the oldest staging object has waited too long",
    namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage", dimensions: { QueueName: q },
    statistic: "Maximum", period: 300, evaluationPeriods: 2, comparisonOperator: "GreaterThanThreshold", threshold: QUEUE_AGE_ALARM_S, treatMissingData: "notBreaching",
  }));
  a.functionNames.forEach((f, i) => alarm(`LambdaErrors${i}`, {
    alarmDescription: "Forwarder invocations failed (messages are retried, then go to the DLQ)",
    namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: f },
    statistic: "Sum", period: 300, evaluationPeriods: 1, comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching",
  }));
  // Per target group: both check the same GET /health, but targets register per group, so the
  // RELP group can be empty or unhealthy while syslog is fine (every omrelp sender then stops).
  const targetGroups: Array<[prefix: string, label: string, arnSuffix: pulumi.Input<string>]> = [
    ["", "syslog (6514)", a.targetGroupArnSuffix],
    ...(a.relpTargetGroupArnSuffix === undefined ? [] : [["Relp", "RELP (2514)", a.relpTargetGroupArnSuffix] as [string, string, pulumi.Input<string>]]),
  ];
  for (const [prefix, label, arnSuffix] of targetGroups) {
    const lbDims = { LoadBalancer: a.loadBalancerArnSuffix, TargetGroup: arnSuffix };
    alarm(`${prefix}UnhealthyTargets`, {
      alarmDescription: `Receiver tasks failing NLB health checks in the ${label} target group`,
      namespace: "AWS/NetworkELB", metricName: "UnHealthyHostCount", dimensions: lbDims,
      statistic: "Maximum", period: 60, evaluationPeriods: 3, comparisonOperator: "GreaterThanThreshold", threshold: 0, treatMissingData: "notBreaching",
    });
    alarm(`${prefix}NoHealthyTargets`, {
      alarmDescription: `No healthy receiver task in the ${label} target group: senders on that port cannot deliver`,
      namespace: "AWS/NetworkELB", metricName: "HealthyHostCount", dimensions: lbDims,
      statistic: "Minimum", period: 60, evaluationPeriods: 2, comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "breaching",
    });
  }
  alarm("NoData", {
    alarmDescription: `No syslog records reached Firehose for ${a.noDataMinutes} minutes`,
    comparisonOperator: "LessThanThreshold", threshold: 1, evaluationPeriods: a.noDataMinutes, datapointsToAlarm: a.noDataMinutes,
    treatMissingData: "breaching", // no metric at all means nothing arrived
    metricQueries: [
      ...a.streamNames.map((stream, i) => ({
        id: `s${i}`, returnData: false,
        metric: { namespace: "AWS/Firehose", metricName: "IncomingRecords", dimensions: { DeliveryStreamName: stream }, stat: "Sum", period: 60 },
      })),
      { id: "total", expression: a.streamNames.map((_, i) => `FILL(s${i}, 0)`).join(" + "), label: "records into Firehose", returnData: true },
    ],
  });
  return { topic, alarms };
}
