import { once } from "node:events";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import type { FakeAwsState } from "./fake-aws.js";

/**
 * A healthy deployment as the fakes hold it, and TLS servers on 127.0.0.1 standing in for the
 * NLB (mode tls) or the receiver (mode mtls), for the doctor tests.
 */
export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const ROUTE_GROUPS = ["/var/log/messages", "/var/log/secure"];
export const RECEIVER_GROUP = "/aws-syslog/test/receiver";
export const FORWARDER_GROUPS = ["/aws-syslog/test/forwarder-cloudwatch", "/aws-syslog/test/forwarder-archive"];
export const STREAMS = ["syslog-test-0", "syslog-test-1"];

/** The CloudWatch Logs statement as infra/keys.ts writes it, and the account's own. */
export function healthyKeyPolicy(logsActions: readonly string[] = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"], service = `logs.${REGION}.amazonaws.com`): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "CloudWatchLogsUsesKeyForThisAccountsLogGroups", Effect: "Allow", Principal: { Service: service }, Action: logsActions, Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } },
      },
    ],
  });
}

export function dlqUrls(endpoint: string): string[] {
  return [`${endpoint}/${ACCOUNT}/syslog-testCloudwatchDlq-1a2b3c4`, `${endpoint}/${ACCOUNT}/syslog-testArchiveDlq-5d6e7f8`];
}

/** Resets the fake to a deployment where every AWS check passes; events arrived a minute ago. */
export function makeHealthy(state: FakeAwsState, endpoint: string, now = Date.now()): void {
  delete state.rejectAllWith;
  state.keys.clear();
  state.keys.set(KEY_ARN, { state: "Enabled", policy: healthyKeyPolicy() });
  state.logGroups.clear();
  for (const g of [...ROUTE_GROUPS, RECEIVER_GROUP, ...FORWARDER_GROUPS]) state.logGroups.set(g, { retentionInDays: 400, kmsKeyId: KEY_ARN, events: [] });
  state.logGroups.get(ROUTE_GROUPS[0]!)!.events.push(now - 60_000);
  state.streams.clear();
  for (const s of STREAMS) state.streams.set(s, "ACTIVE");
  state.queues.clear();
  for (const u of dlqUrls(endpoint)) state.queues.set(u, 0);
}

/** What sst.config.ts returns, for this fake deployment. */
export function deployOutputs(endpoint: string, mode: "tls" | "mtls" = "tls"): Record<string, unknown> {
  return {
    nlbDnsName: "127.0.0.1", nlbMode: mode, elasticIps: [], stagingBucket: "syslog-test-staging", archiveBucket: "syslog-test-archive",
    firehoseStreams: STREAMS, logGroups: ROUTE_GROUPS, receiverLogGroup: RECEIVER_GROUP, forwarderLogGroups: FORWARDER_GROUPS, glueDatabase: "syslog_test_syslog",
    athenaWorkgroup: "syslog-test", kmsKeyArn: KEY_ARN, dlqUrls: dlqUrls(endpoint),
  };
}

export interface TestTlsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A TLS server on 127.0.0.1 that keeps connections open and sends nothing, like the receiver.
 * `clientAuth`: "none" (the NLB in mode tls), "required" (mode mtls: the handshake fails or is
 * refused without a certificate from `ca`), "optional" (asks, but accepts a client without one).
 */
export async function startTlsServer(o: { certPem: string; keyPem: string; caPem?: string; clientAuth: "none" | "required" | "optional" }): Promise<TestTlsServer> {
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({
    cert: o.certPem, key: o.keyPem,
    ...(o.clientAuth !== "none" ? { requestCert: true, rejectUnauthorized: o.clientAuth === "required", ca: o.caPem } : {}),
  }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", () => undefined);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
