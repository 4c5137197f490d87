import { AwsServiceError, startAwsJsonServer } from "../../testing/aws-json-server.js";

/**
 * The four AWS APIs `doctor` reads, on one loopback HTTP server, answering as the services do:
 * AWS JSON 1.1 (KMS "TrentService.*", CloudWatch Logs "Logs_20140328.*", Firehose
 * "Firehose_20150804.*") and JSON 1.0 (SQS "AmazonSQS.*"), selected by X-Amz-Target; errors
 * are HTTP 400 with {"__type", "message"}. Reached through AWS_ENDPOINT_URL_KMS,
 * _CLOUDWATCH_LOGS, _FIREHOSE and _SQS. The state is plain data a test edits between runs.
 */
export interface FakeLogGroup {
  retentionInDays?: number;
  kmsKeyId?: string;
  /** Event times (ms). */
  events: number[];
}

export interface FakeAwsState {
  keys: Map<string, { state: "Enabled" | "Disabled" | "PendingDeletion"; policy: string }>;
  logGroups: Map<string, FakeLogGroup>;
  streams: Map<string, string>;
  /** Queue URL → messages waiting. */
  queues: Map<string, number>;
  /** When set, every call fails with this error type (e.g. UnrecognizedClientException). */
  rejectAllWith?: string;
}

export interface FakeAws {
  readonly endpoint: string;
  readonly state: FakeAwsState;
  /** X-Amz-Target of every call, in order. */
  readonly calls: string[];
  close(): Promise<void>;
}

type Input = Record<string, unknown>;

function kms(state: FakeAwsState, op: string, input: Input): unknown {
  const id = String(input["KeyId"]);
  const key = state.keys.get(id);
  if (key === undefined) throw new AwsServiceError("NotFoundException", `Key '${id}' does not exist`);
  if (op === "DescribeKey") {
    return {
      KeyMetadata: {
        Arn: id, KeyId: id.split("/").pop(), Enabled: key.state === "Enabled", KeyState: key.state,
        ...(key.state === "PendingDeletion" ? { DeletionDate: Date.now() / 1000 + 7 * 86_400 } : {}),
      },
    };
  }
  if (op === "GetKeyPolicy") return { Policy: key.policy, PolicyName: "default" };
  throw new AwsServiceError("UnknownOperationException", `unsupported TrentService.${op}`);
}

function logs(state: FakeAwsState, op: string, input: Input): unknown {
  if (op === "DescribeLogGroups") {
    const prefix = String(input["logGroupNamePrefix"] ?? "");
    const groups = [...state.logGroups].filter(([name]) => name.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
    return {
      logGroups: groups.map(([name, g]) => ({
        logGroupName: name, arn: `arn:aws:logs:eu-west-1:123456789012:log-group:${name}:*`, creationTime: 0,
        ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}), ...(g.kmsKeyId !== undefined ? { kmsKeyId: g.kmsKeyId } : {}),
      })),
    };
  }
  if (op === "FilterLogEvents") {
    const name = String(input["logGroupName"]);
    const g = state.logGroups.get(name);
    if (g === undefined) throw new AwsServiceError("ResourceNotFoundException", "The specified log group does not exist.");
    const start = Number(input["startTime"] ?? 0);
    const events = g.events.filter((t) => t >= start).sort((a, b) => a - b);
    // Like the service, the first page may come back empty with a token while it scans.
    if (input["nextToken"] === undefined) return { events: [], nextToken: "scanned-1" };
    return { events: events.slice(0, Number(input["limit"] ?? 10_000)).map((t, i) => ({ logStreamName: "host", timestamp: t, ingestionTime: t, message: "x", eventId: String(i) })) };
  }
  throw new AwsServiceError("UnknownOperationException", `unsupported Logs_20140328.${op}`);
}

function firehose(state: FakeAwsState, op: string, input: Input): unknown {
  if (op !== "DescribeDeliveryStream") throw new AwsServiceError("UnknownOperationException", `unsupported Firehose_20150804.${op}`);
  const name = String(input["DeliveryStreamName"]);
  const status = state.streams.get(name);
  if (status === undefined) throw new AwsServiceError("ResourceNotFoundException", `Firehose ${name} under account 123456789012 not found.`);
  return {
    DeliveryStreamDescription: {
      DeliveryStreamName: name, DeliveryStreamARN: `arn:aws:firehose:eu-west-1:123456789012:deliverystream/${name}`, DeliveryStreamStatus: status,
      DeliveryStreamType: "DirectPut", VersionId: "1", Destinations: [], HasMoreDestinations: false,
    },
  };
}

function sqs(state: FakeAwsState, op: string, input: Input): unknown {
  if (op !== "GetQueueAttributes") throw new AwsServiceError("UnknownOperationException", `unsupported AmazonSQS.${op}`);
  const url = String(input["QueueUrl"]);
  const waiting = state.queues.get(url);
  if (waiting === undefined) throw new AwsServiceError("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
  return { Attributes: { ApproximateNumberOfMessages: String(waiting), ApproximateNumberOfMessagesNotVisible: "0" } };
}

const SERVICES: Record<string, { handle: typeof kms; contentType: string }> = {
  TrentService: { handle: kms, contentType: "application/x-amz-json-1.1" },
  Logs_20140328: { handle: logs, contentType: "application/x-amz-json-1.1" },
  Firehose_20150804: { handle: firehose, contentType: "application/x-amz-json-1.1" },
  AmazonSQS: { handle: sqs, contentType: "application/x-amz-json-1.0" },
};

export async function startFakeAws(): Promise<FakeAws> {
  const state: FakeAwsState = { keys: new Map(), logGroups: new Map(), streams: new Map(), queues: new Map() };
  const calls: string[] = [];
  const server = await startAwsJsonServer({
    contentType: (target) => SERVICES[target.split(".")[0] ?? ""]?.contentType ?? "application/x-amz-json-1.1",
    answer: ({ target, input }) => {
      calls.push(target);
      const [prefix = "", op = ""] = target.split(".");
      const service = SERVICES[prefix];
      if (service === undefined) throw new AwsServiceError("UnknownOperationException", `unsupported ${target}`);
      if (state.rejectAllWith !== undefined) throw new AwsServiceError(state.rejectAllWith, "The security token included in the request is invalid.");
      return service.handle(state, op, input);
    },
  });
  return { endpoint: server.endpoint, state, calls, close: () => server.close() };
}
