import { AwsChecks } from "./aws-calls.js";
import { createDoctorClients, destroyDoctorClients, type DoctorClients } from "./aws-clients.js";
import { skipped, type CheckResult } from "./check-result.js";
import { checkDns, systemLookup, type LookupAddresses } from "./dns-check.js";
import { checkedLogGroups, wantsAws, type DoctorTarget } from "./doctor-target.js";
import { dlqCheck, firehoseCheck } from "./delivery-checks.js";
import { kmsChecks } from "./kms-checks.js";
import { logGroupCheck, recentDataCheck } from "./logs-checks.js";
import { tlsChecks, type Probe } from "./tls-checks.js";
import { probeTls, type ProbeOptions } from "./tls-probe.js";

/** What the checks reach the world through; tests replace the parts they fake. */
export interface DoctorDeps {
  env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  lookup?: LookupAddresses;
  probe?: Probe;
  probeOptions?: Partial<ProbeOptions>;
  clients?: DoctorClients;
  /** Called as each check finishes (progress on a terminal). */
  onResult?: (r: CheckResult) => void;
}

const ENDPOINT_ENV: Record<string, string> = { KMS: "KMS", "CloudWatch Logs": "CLOUDWATCH_LOGS", Firehose: "FIREHOSE", SQS: "SQS" };

/** Every check, in the order data flows: name → TLS → key → groups → streams → DLQs → data. */
export async function runDoctor(t: DoctorTarget, deps: DoctorDeps): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (...rs: CheckResult[]) => {
    for (const r of rs) {
      results.push(r);
      deps.onResult?.(r);
    }
  };

  if (t.host === undefined) {
    add(skipped("dns", "no host: no nlbDnsName in the outputs and no --host", "pass --host for the network checks"));
  } else {
    const dns = await checkDns(t.host, deps.lookup ?? systemLookup);
    add(dns);
    if (dns.status === "fail") {
      for (const n of ["tls", "mtls-client-accepted", "mtls-certless-refused"]) add(skipped(n, `not checked: ${t.host} does not resolve`));
    } else {
      add(...(await tlsChecks(t, deps.now(), deps.probe ?? probeTls, deps.probeOptions)));
    }
  }

  if (!wantsAws(t) || t.region === undefined) {
    add(skipped("aws", "no AWS resources: the outputs file (kmsKeyArn, logGroups, firehoseStreams, dlqUrls) was not given", "run in the directory sst deploy wrote .sst/outputs.json to, or pass --outputs"));
    return results;
  }
  const clients = deps.clients ?? createDoctorClients(deps.env, t.region);
  const endpointOf = (service: string) => deps.env[`AWS_ENDPOINT_URL_${ENDPOINT_ENV[service] ?? ""}`] ?? deps.env["AWS_ENDPOINT_URL"] ?? `its ${t.region} endpoint`;
  const aws = new AwsChecks(endpointOf);
  try {
    const groups = checkedLogGroups(t);
    add(...(await kmsChecks(clients.kms, aws, t.kmsKeyArn, t.region, groups)));
    for (const g of groups) add(await logGroupCheck(clients.logs, aws, g, t.kmsKeyArn));
    for (const s of t.firehoseStreams) add(await firehoseCheck(clients.firehose, aws, s));
    if (t.dlqUrls.length === 0) add(skipped("dlq", "no dlqUrls in the outputs", "deploy again: sst.config.ts returns dlqUrls since doctor exists"));
    for (const url of t.dlqUrls) add(await dlqCheck(clients.sqs, aws, url));
    add(await recentDataCheck(clients.logs, aws, t.logGroups, t.sinceMinutes, deps.now()));
  } finally {
    if (deps.clients === undefined) destroyDoctorClients(clients);
  }
  return results;
}
