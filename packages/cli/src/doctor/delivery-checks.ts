import { DescribeDeliveryStreamCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { DOCS, failed, passed, type CheckResult } from "./check-result.js";
import type { AwsChecks } from "./aws-calls.js";
import { queueName } from "./doctor-target.js";

/**
 * Between the receiver and the log groups: the Firehose streams accept records only while
 * ACTIVE, and a message in a forwarder DLQ is a staging object that failed five times (the
 * DlqDepth alarm).
 */

export async function firehoseCheck(firehose: FirehoseClient, aws: AwsChecks, stream: string): Promise<CheckResult> {
  const name = `firehose ${stream}`;
  return aws.run(name, "Firehose", async () => {
    const d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: stream }))).DeliveryStreamDescription;
    const status = d?.DeliveryStreamStatus ?? "unknown";
    if (status === "ACTIVE") return passed(name, `${stream} is ACTIVE`);
    const reason = d?.FailureDescription?.Details ?? d?.DeliveryStreamEncryptionConfiguration?.FailureDescription?.Details;
    const fix = status === "CREATING" || status === "DELETING"
      ? "wait for the deployment to finish, then check again"
      : "look at the stream in the Firehose console and its error log (/aws/kinesisfirehose/<name>); usually the KMS key policy or the role; then deploy again";
    return failed(name, `${stream} is ${status}${reason ? `: ${reason}` : ""}`, fix);
  }, (f) => (f.kind === "not-found" ? failed(name, `${stream} does not exist: ${f.text}`, "deploy the stage again (sst deploy); check the region") : undefined));
}

export async function dlqCheck(sqs: SQSClient, aws: AwsChecks, url: string): Promise<CheckResult> {
  const queue = queueName(url);
  const name = `dlq ${queue}`;
  return aws.run(name, "SQS", async () => {
    const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes ?? {};
    const waiting = Number(attrs.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(attrs.ApproximateNumberOfMessagesNotVisible ?? 0);
    if (waiting + inFlight === 0) return passed(name, `${queue} is empty`);
    return failed(name, `${queue} holds ${waiting + inFlight} message${waiting + inFlight === 1 ? "" : "s"} (staging objects a forwarder gave up on)`,
      `find the cause in the forwarder's log, fix it, then redrive: ${DOCS.dlq}`);
  }, (f) => (f.kind === "not-found" ? failed(name, `no queue ${url}: ${f.text}`, "deploy the stage again; the outputs file may be from a removed stage") : undefined));
}
