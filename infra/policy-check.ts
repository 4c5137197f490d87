/**
 * Test support: reading policy documents and the least-privilege check. No Pulumi import on
 * purpose: sst-config.test.ts must not load the root @pulumi/pulumi before SST's copy (the two
 * share one global store, and the first to load decides which protobuf classes the mock monitor
 * answers with).
 */
type Statement = { Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: unknown; Condition?: any; Sid?: string };

/** The statements of a policy document (JSON text or object). Also accepts the lower-case
 * `{ effect, actions, resources }` shape that aws.iam.getPolicyDocument takes (SST builds its
 * Lambda role policies that way; the mocks echo it back), normalised to IAM's. */
export function statements(policy: string | object): Statement[] {
  const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
  return (doc.Statement as any[]).map((s) =>
    "Effect" in s || "Action" in s ? s : { Effect: s.effect ?? "Allow", Action: s.actions, Resource: s.resources, ...(s.principals ? { Principal: s.principals } : {}), ...(s.conditions ? { Condition: s.conditions } : {}) },
  );
}

export const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Fails unless every Allow statement names explicit actions (no `*`, no `service:*`) and only
 * resources starting with one of `ours`. Resource "*" passes only in a statement whose actions
 * are all in `wildcardResourceActions` (actions IAM cannot scope; iam.ts WILDCARD_RESOURCE_ACTIONS). */
export function assertLeastPrivilege(stmts: Array<{ Effect: string; Action: string | string[]; Resource?: string | string[] }>, ours: string[], wildcardResourceActions: readonly string[] = []): void {
  for (const s of stmts.filter((x) => x.Effect === "Allow")) {
    const actions = asArray(s.Action);
    if (actions.length === 0) throw new Error(`statement without actions: ${JSON.stringify(s)}`);
    for (const a of actions) if (a.includes("*")) throw new Error(`wildcard action ${a} in ${JSON.stringify(s)}`);
    const resources = asArray(s.Resource);
    if (resources.length === 0) throw new Error(`statement without resources: ${JSON.stringify(s)}`);
    for (const r of resources) {
      if (r === "*" && actions.every((a) => wildcardResourceActions.includes(a))) continue;
      if (r === "*" || !ours.some((o) => r.startsWith(o))) throw new Error(`resource ${r} is not one of ours (${ours.join(", ")}) in ${JSON.stringify(s)}`);
    }
  }
}
