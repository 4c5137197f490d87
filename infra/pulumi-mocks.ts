import * as pulumi from "@pulumi/pulumi";

/**
 * Test support: Pulumi's in-process mocks (no CLI, no plugin, no network). Every registered
 * resource is recorded with its inputs so tests assert on what would be sent to AWS.
 */
export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

export const created: Recorded[] = [];

export function installMocks(): void {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        created.push({ type: args.type, name: args.name, inputs: args.inputs });
        const arnName = args.inputs.name ?? args.name;
        return {
          id: `${args.name}-id`,
          state: {
            ...args.inputs,
            arn: `arn:aws:mock:${REGION}:${ACCOUNT}:${args.type.split(":")[1]}/${arnName}`,
            name: arnName,
            bucket: args.inputs.bucket ?? arnName,
            dnsName: `${args.name}.elb.${REGION}.amazonaws.com`,
            arnSuffix: `net/${args.name}/0123456789abcdef`,
            url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${arnName}`,
            publicIp: "192.0.2.10",
            allocationId: `eipalloc-${args.name}`,
            prefixListId: "pl-mock",
            keyId: `${args.name}-key-id`,
          },
        };
      },
      call(args) {
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/mock`, userId: "mock" };
          case "aws:index/getRegion:getRegion":
            return { name: REGION, region: REGION, id: REGION };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
          default:
            return args.inputs;
        }
      },
    },
    "aws-syslog",
    "test",
    false,
  );
}

/** Resolves an Output (hangs, and so times out, if the value never becomes known). */
export function out<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => { resolve(v as T); return v; }));
}

/** Waits until every pending resource registration and invoke has reached the mocks.
 * `waitForRPCs` is what `pulumi.runtime.disconnect()` awaits; it is @internal, hence the cast. */
export async function settled(): Promise<void> {
  const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (typeof wait !== "function") throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs; update infra/pulumi-mocks.ts");
  await wait();
}

export function byType(type: string): Recorded[] {
  return created.filter((r) => r.type === type);
}

export function one(type: string, nameIncludes = ""): Recorded {
  const found = created.filter((r) => r.type === type && r.name.includes(nameIncludes));
  if (found.length !== 1) throw new Error(`expected one ${type} named *${nameIncludes}*, found ${found.map((r) => r.name).join(", ") || "none"}`);
  return found[0]!;
}

/** Every IAM statement's Action must be explicit (no "*" or "service:*") and every Resource ours. */
export function statements(policy: string | object): Array<{ Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: any; Sid?: string }> {
  const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
  return doc.Statement;
}

export const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Fails unless every Allow statement names explicit actions (no `*`, no `service:*`) and only
 * resources starting with one of `ours` (no `*`). */
export function assertLeastPrivilege(stmts: Array<{ Effect: string; Action: string | string[]; Resource?: string | string[] }>, ours: string[]): void {
  for (const s of stmts.filter((x) => x.Effect === "Allow")) {
    const actions = asArray(s.Action);
    if (actions.length === 0) throw new Error(`statement without actions: ${JSON.stringify(s)}`);
    for (const a of actions) if (a.includes("*")) throw new Error(`wildcard action ${a} in ${JSON.stringify(s)}`);
    const resources = asArray(s.Resource);
    if (resources.length === 0) throw new Error(`statement without resources: ${JSON.stringify(s)}`);
    for (const r of resources) if (!ours.some((o) => r.startsWith(o))) throw new Error(`resource ${r} is not one of ours (${ours.join(", ")})`);
  }
}
