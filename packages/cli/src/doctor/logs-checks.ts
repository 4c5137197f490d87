import { DescribeLogGroupsCommand, FilterLogEventsCommand, type CloudWatchLogsClient, type LogGroup } from "@aws-sdk/client-cloudwatch-logs";
import { DOCS, failed, passed, skipped, type CheckResult } from "./check-result.js";
import type { AwsChecks } from "./aws-calls.js";

/**
 * The log groups: each exists, is associated with the stage key, and keeps events for a set
 * time (a group without retention keeps them for ever, at a price); and events arrived in the
 * route groups within the last minutes, as the NoData alarm would see it.
 */

/** FilterLogEvents may return empty pages while it scans; this many pages, then "none found". */
export const MAX_FILTER_PAGES = 5;

async function findLogGroup(logs: CloudWatchLogsClient, name: string): Promise<LogGroup | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, ...(nextToken !== undefined ? { nextToken } : {}) }));
    const found = page.logGroups?.find((g) => g.logGroupName === name);
    if (found !== undefined) return found;
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return undefined;
}

export async function logGroupCheck(logs: CloudWatchLogsClient, aws: AwsChecks, group: string, keyArn: string | undefined): Promise<CheckResult> {
  const name = `log-group ${group}`;
  return aws.run(name, "CloudWatch Logs", async () => {
    const g = await findLogGroup(logs, group);
    if (g === undefined) {
      return failed(name, `${group} does not exist`, "deploy the stage again (sst deploy), or, for a group listed in existingLogGroups, create it: aws logs create-log-group --log-group-name " + group);
    }
    const problems: string[] = [];
    const fixes: string[] = [];
    if (g.kmsKeyId === undefined) {
      problems.push("not encrypted with a KMS key");
      fixes.push(`aws logs associate-kms-key --log-group-name ${group} --kms-key-id ${keyArn ?? "<kmsKeyArn>"}`);
    } else if (keyArn !== undefined && g.kmsKeyId !== keyArn) {
      problems.push(`encrypted with ${g.kmsKeyId}, not the stage key ${keyArn}`);
      fixes.push(`aws logs associate-kms-key --log-group-name ${group} --kms-key-id ${keyArn}`);
    }
    if (g.retentionInDays === undefined) {
      problems.push("no retention (events are kept for ever)");
      fixes.push(`aws logs put-retention-policy --log-group-name ${group} --retention-in-days <logRetentionDays>`);
    }
    if (problems.length > 0) return failed(name, `${group}: ${problems.join("; ")}`, fixes.join("; "));
    return passed(name, `${group}: encrypted with the stage key, retention ${g.retentionInDays} days`);
  });
}

/** The time of the first event at or after startTime in the group, or undefined when none. */
async function firstEventSince(logs: CloudWatchLogsClient, group: string, startTime: number): Promise<number | undefined> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_FILTER_PAGES; page++) {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime, limit: 1, ...(nextToken !== undefined ? { nextToken } : {}) }));
    const event = out.events?.[0];
    if (event !== undefined) return event.timestamp ?? startTime;
    nextToken = out.nextToken;
    if (nextToken === undefined) break;
  }
  return undefined;
}

export async function recentDataCheck(logs: CloudWatchLogsClient, aws: AwsChecks, groups: readonly string[], sinceMinutes: number, now: Date): Promise<CheckResult> {
  const name = "recent-data";
  if (groups.length === 0) return skipped(name, "no route log groups in the outputs (logGroups)");
  const startTime = now.getTime() - sinceMinutes * 60_000;
  const since = `the last ${sinceMinutes} min (since ${new Date(startTime).toISOString()})`;
  return aws.run(name, "CloudWatch Logs", async () => {
    const withData: string[] = [];
    const missing: string[] = [];
    for (const group of groups) {
      try {
        if ((await firstEventSince(logs, group, startTime)) !== undefined) withData.push(group);
      } catch (err) {
        // A group that does not exist has its own failed check above; look at the others.
        if ((err as { name?: string }).name === "ResourceNotFoundException") missing.push(group);
        else throw err;
      }
    }
    if (withData.length > 0) return passed(name, `events in ${withData.join(", ")} in ${since}`);
    return failed(name, `no event in ${groups.length - missing.length} log group${groups.length - missing.length === 1 ? "" : "s"} in ${since}`,
      `are the senders sending, and can they reach the NLB? Send one: pnpm cli send --host <nlbDnsName> --ca … ; see the NoData alarm in ${DOCS.alarms}`);
  });
}
