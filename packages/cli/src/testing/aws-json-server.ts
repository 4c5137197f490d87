import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The request plumbing of a loopback fake for an AWS JSON protocol service (1.1 or 1.0): POST /
 * with X-Amz-Target "<Service>.<Operation>" and a JSON body, answered with JSON and an
 * x-amzn-requestid; errors as {"__type", "message"} with an HTTP status (400 for service
 * errors). The fake itself only maps a request to its answer. Reached through the SDK's
 * AWS_ENDPOINT_URL_<SERVICE>.
 */

/** A service error: its `type` becomes `__type` of the answer. */
export class AwsServiceError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

export interface AwsJsonRequest {
  /** X-Amz-Target, e.g. "AmazonAthena.StartQueryExecution". */
  readonly target: string;
  readonly input: Record<string, unknown>;
  /** The access key id in the SigV4 Authorization header, if there is one. */
  readonly accessKeyId: string | undefined;
}

export interface AwsJsonServerOptions {
  /** The answer to one request; a thrown AwsServiceError is answered as that error. */
  answer(request: AwsJsonRequest): unknown;
  /** What any other thrown error is answered as (default InternalFailure, HTTP 500). */
  internalError?: { type: string; status: number };
  /** The key of an error's message: "message" for most services, "Message" for Athena. */
  messageKey?: "message" | "Message";
  /** Content-Type of the answers to a target (default application/x-amz-json-1.1). */
  contentType?: (target: string) => string;
}

export interface AwsJsonServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const internal = options.internalError ?? { type: "InternalFailure", status: 500 };
  const messageKey = options.messageKey ?? "message";
  let requests = 0;

  const server = createServer((req, res) => void (async () => {
    const requestId = String(++requests);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    let status = 200;
    let body: unknown;
    try {
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers["authorization"] ?? ""))?.[1];
      body = await options.answer({ target, input, accessKeyId });
    } catch (err) {
      const e = err instanceof AwsServiceError ? err : new AwsServiceError(internal.type, (err as Error).message, internal.status);
      status = e.status;
      body = { __type: e.type, [messageKey]: e.message };
    }
    res.writeHead(status, { "content-type": options.contentType?.(target) ?? "application/x-amz-json-1.1", "x-amzn-requestid": requestId });
    res.end(JSON.stringify(body));
  })());

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    }),
  };
}
