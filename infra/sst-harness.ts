import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Test support: runs sst.config.ts's run() offline. It sets the globals SST's runtime shim
 * (.sst/platform/src/shim/run.js) would set, installs Pulumi mocks on BOTH copies of
 * @pulumi/pulumi (SST's in .sst/platform, used by sst.aws.* components, and the root one, used by
 * infra/*.ts; at deploy time esbuild externalises @pulumi/* so both are SST's), and answers the
 * two CLI RPCs components make (bootstrap lookup, Lambda build). It relies on SST internals, so
 * the sst version is pinned; re-check this file when upgrading it. Needs `sst install` first.
 */
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const platform = path.join(repo, ".sst/platform");
export const platformInstalled = fs.existsSync(path.join(platform, "src/components/index.ts"));

/** `read`: a lookup of an existing resource (`Resource.get`), not one the stack creates. */
export interface Recorded { type: string; name: string; inputs: Record<string, any>; read: boolean }
export const created: Recorded[] = [];
export const rpcCalls: string[] = [];
type Pulumi = typeof import("@pulumi/pulumi");
let copies: Pulumi[] = [];
let server: http.Server | undefined;

const mocks = {
  newResource(args: { type: string; name: string; inputs: Record<string, any>; id?: string }) {
    created.push({ type: args.type, name: args.name, inputs: args.inputs, read: args.id !== undefined && args.id !== "" });
    const n = args.inputs.name ?? args.name;
    return {
      id: `${args.name}-id`,
      state: {
        ...args.inputs, name: n, arn: `arn:aws:mock:eu-west-1:123456789012:${args.type.split(":")[1]}/${n}`,
        bucket: args.inputs.bucket ?? n, dnsName: `${args.name}.elb.eu-west-1.amazonaws.com`, arnSuffix: `net/${args.name}/0123`,
        zoneId: "Z1", base64: "AAAA", hex: "00", cidrBlock: "10.0.0.0/16", prefixListId: "pl-mock", allocationId: `eipalloc-${args.name}`,
        publicIp: "192.0.2.10", keyId: `${args.name}-key`, url: `https://sqs.eu-west-1.amazonaws.com/123456789012/${n}`, digest: "sha256:00",
      },
    };
  },
  call(args: { token: string; inputs: Record<string, any> }) {
    switch (args.token) {
      case "aws:index/getRegion:getRegion": return { name: "eu-west-1", region: "eu-west-1", id: "eu-west-1" };
      case "aws:index/getCallerIdentity:getCallerIdentity": return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/mock", userId: "mock" };
      case "aws:index/getPartition:getPartition": return { partition: "aws", dnsSuffix: "amazonaws.com" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones": return { names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"] };
      case "aws:ecr/getAuthorizationToken:getAuthorizationToken": return { proxyEndpoint: "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", password: "x", userName: "AWS" };
      case "aws:iam/getPolicyDocument:getPolicyDocument": return { json: JSON.stringify({ Version: "2012-10-17", Statement: args.inputs.statements ?? [] }), statements: args.inputs.statements };
      default: return args.inputs;
    }
  },
};

async function startFakeRpc(buildDir: string): Promise<void> {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const { method } = JSON.parse(body) as { method: string };
      rpcCalls.push(method);
      let result: unknown = {};
      if (method === "Provider.Aws.Bootstrap") result = { asset: "sst-asset-mock", assetEcrRegistryId: "123456789012", assetEcrUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sst-asset-mock", state: "sst-state-mock", appsyncHttp: "", appsyncRealtime: "" };
      else if (method === "Runtime.Build") result = { handler: "index.handler", out: buildDir, errors: [], sourcemaps: [] };
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ id: 0, result, error: null }));
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  process.env.SST_SERVER = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function installSstHarness(stage = "test"): Promise<void> {
  const imp = (p: string) => import(pathToFileURL(path.join(platform, p)).href);
  // A scratch root: SST's Service appends to <context>/.dockerignore, which must not be ours.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sst-root-"));
  fs.mkdirSync(path.join(root, "packages/receiver"), { recursive: true });
  fs.copyFileSync(path.join(repo, "packages/receiver/Dockerfile"), path.join(root, "packages/receiver/Dockerfile"));
  if (fs.existsSync(path.join(repo, ".dockerignore"))) fs.copyFileSync(path.join(repo, ".dockerignore"), path.join(root, ".dockerignore"));
  const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), "sst-build-"));
  fs.writeFileSync(path.join(buildDir, "index.mjs"), "export const handler = async () => ({});\n");

  const sstPulumi = (await imp("node_modules/@pulumi/pulumi/index.js")) as Pulumi;
  const rootPulumi = await import("@pulumi/pulumi");
  copies = [sstPulumi, rootPulumi];
  const component = await imp("src/components/component.ts");
  const { Link } = await imp("src/components/link.ts");
  Object.assign(globalThis, {
    $app: { name: "aws-syslog", stage, removal: "remove", protect: false, providers: { aws: { region: "eu-west-1" } } },
    $dev: false,
    $cli: { command: "deploy", state: { version: {} }, paths: { root, platform, work: fs.mkdtempSync(path.join(os.tmpdir(), "sst-work-")), home: os.tmpdir() } },
    $util: sstPulumi, $output: sstPulumi.output, $resolve: sstPulumi.all, $interpolate: sstPulumi.interpolate,
    $concat: sstPulumi.concat, $jsonParse: sstPulumi.jsonParse, $jsonStringify: sstPulumi.jsonStringify,
    $transform: component.$transform, $asset: component.$asset, $linkable: Link.makeLinkable, $secrets: {},
    $config: (c: unknown) => c,
    aws: await imp("node_modules/@pulumi/aws/index.js"),
  });
  (globalThis as Record<string, unknown>).sst = await imp("src/components/index.ts");
  await startFakeRpc(buildDir);
  for (const p of copies) p.runtime.setMocks(mocks, "aws-syslog", stage, false);
}

/** Waits for pending registrations on both Pulumi copies (see pulumi-mocks.ts settled()). */
export async function settleAll(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    for (const p of copies) await (p.runtime as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs();
  }
}

export function stopHarness(): void {
  server?.close();
}
