import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { KMSClient } from "@aws-sdk/client-kms";
import { SQSClient } from "@aws-sdk/client-sqs";

/**
 * The four AWS clients `doctor` uses, from the command's environment (io.env) like `tail
 * --cloudwatch`: region from --region / AWS_REGION / the key ARN, endpoints from
 * AWS_ENDPOINT_URL_<SERVICE> (or AWS_ENDPOINT_URL), static credentials when set, else the
 * SDK's own chain (profiles, SSO, roles).
 */
export interface DoctorClients {
  kms: KMSClient;
  logs: CloudWatchLogsClient;
  firehose: FirehoseClient;
  sqs: SQSClient;
}

/** A call that hangs is a finding, not a reason to wait: doctor is run by a person. */
const REQUEST_TIMEOUT_MS = 10_000;
const CONNECTION_TIMEOUT_MS = 5_000;
/** One retry: throttling or a blip is retried once; a wrong answer is reported at once. */
const MAX_ATTEMPTS = 2;

type Env = Readonly<Record<string, string | undefined>>;

export function createDoctorClients(env: Env, region: string): DoctorClients {
  const endpoint = (service: string) => env[`AWS_ENDPOINT_URL_${service}`] ?? env["AWS_ENDPOINT_URL"];
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  const common = (service: string) => {
    const url = endpoint(service);
    return {
      region,
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS },
      ...(url ? { endpoint: url } : {}),
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    };
  };
  // Names as the SDK spells the service ids: "AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
  // "AWS_ENDPOINT_URL_FIREHOSE", "AWS_ENDPOINT_URL_SQS".
  return {
    kms: new KMSClient(common("KMS")),
    logs: new CloudWatchLogsClient(common("CLOUDWATCH_LOGS")),
    firehose: new FirehoseClient(common("FIREHOSE")),
    // Never send a call to the host in a queue URL read from a file: use the region's (or
    // the configured) endpoint for every queue.
    sqs: new SQSClient({ ...common("SQS"), useQueueUrlAsEndpoint: false }),
  };
}

export function destroyDoctorClients(c: DoctorClients): void {
  c.kms.destroy();
  c.logs.destroy();
  c.firehose.destroy();
  c.sqs.destroy();
}
