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
          case "aws:ec2/getElasticIp:getElasticIp":
            return { id: args.inputs.id, allocationId: args.inputs.id, publicIp: `198.51.100.${Number.parseInt(String(args.inputs.id).slice(-1), 16) || 1}` };
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

// Policy checks live in policy-check.ts (no Pulumi import, so the whole-config test can use
// them without loading a second @pulumi/pulumi before SST's); re-exported for the module tests.
export { asArray, assertLeastPrivilege, statements } from "./policy-check.js";
