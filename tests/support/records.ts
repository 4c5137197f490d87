// Relative: the workspace root does not depend on @aws-syslog/record, so tsc at the root could
// not resolve the package name (vitest could, through its alias).
import { safeParseRecord } from "../../packages/record/src/index.js";
import { readLines, waitForLines, type WaitOptions } from "./wait.js";
import type { Batch } from "./messages.js";

/** A record as read back: schema-v1 when the product receiver wrote it. */
export type ReadRecord = Record<string, unknown> & { message?: unknown };

/**
 * Parses every line of the receiver's output. With `strict` (the product receiver) each line
 * must be a valid schema-v1 record; invalid lines are returned as problems, not thrown, so one
 * assertion shows all of them.
 */
export async function readRecords(file: string, strict: boolean): Promise<{ records: ReadRecord[]; invalid: string[] }> {
  const records: ReadRecord[] = [];
  const invalid: string[] = [];
  const lines = await readLines(file);
  lines.forEach((line, i) => {
    if (strict) {
      const parsed = safeParseRecord(line);
      if (parsed.success) records.push(parsed.record as unknown as ReadRecord);
      else invalid.push(`line ${i + 1}: ${parsed.error}: ${line.slice(0, 300)}`);
      return;
    }
    try {
      records.push(JSON.parse(line) as ReadRecord);
    } catch (err) {
      invalid.push(`line ${i + 1}: ${(err as Error).message}: ${line.slice(0, 300)}`);
    }
  });
  return { records, invalid };
}

/** Waits until the output holds at least `count` lines containing `tag`. */
export function waitForTagged(file: string, tag: string, count: number, opts: Omit<WaitOptions, "what">): Promise<string[]> {
  return waitForLines(file, count, {
    ...opts,
    what: `${count} records tagged ${tag} in ${file}`,
    count: (lines) => lines.reduce((n, l) => (l.includes(tag) ? n + 1 : n), 0),
  });
}

/** A field check that is not plain equality (e.g. a timestamp compared as an instant). */
export interface FieldPredicate {
  (value: unknown): boolean;
  /** Shown in the failure message as what was expected. */
  description: string;
}

export function fieldPredicate(description: string, test: (value: unknown) => boolean): FieldPredicate {
  return Object.assign((value: unknown) => test(value), { description });
}

/** Fields every record of a batch must have: deep equality per field, or a FieldPredicate. */
export type ExpectedFields = Record<string, unknown>;

const matches = (value: unknown, expected: unknown) =>
  typeof expected === "function" ? (expected as FieldPredicate)(value) : deepEqual(value, expected);
const show = (expected: unknown) =>
  typeof expected === "function" ? (expected as FieldPredicate).description : JSON.stringify(expected);

/** Most problems listed per kind: enough to see the pattern, short enough to read. */
const MAX_LISTED = 5;

/**
 * Checks that every text of `batch` arrived exactly once, with `fields` (plus `message`
 * equal to the text), and that no other record carries the batch's tag. Returns the problems
 * found (empty = delivered), for `expect(problems).toEqual([])`.
 */
export function checkDelivery(records: readonly ReadRecord[], batch: Batch, fields: ExpectedFields): string[] {
  const problems: string[] = [];
  const wanted = new Map(batch.texts.map((t) => [t, 0]));
  const strays: string[] = [];
  const mismatches: string[] = [];
  let mismatchCount = 0;
  for (const record of records) {
    const message = typeof record.message === "string" ? record.message : "";
    if (!message.includes(batch.tag)) continue;
    const seen = wanted.get(message);
    if (seen === undefined) {
      strays.push(message);
      continue;
    }
    wanted.set(message, seen + 1);
    const diffs = Object.entries(fields)
      .filter(([k, v]) => !matches(record[k], v))
      .map(([k, v]) => `${k}: expected ${show(v)}, got ${JSON.stringify(record[k])}`);
    if (diffs.length > 0) {
      mismatchCount++;
      if (mismatches.length < MAX_LISTED) mismatches.push(`${message.slice(0, 60)}… ${diffs.join("; ")}`);
    }
  }
  const missing = [...wanted].filter(([, n]) => n === 0).map(([t]) => t);
  const duplicated = [...wanted].filter(([, n]) => n > 1).map(([t, n]) => `${t.slice(0, 60)}… ×${n}`);
  if (missing.length > 0) problems.push(`${missing.length} of ${batch.texts.length} missing, e.g. ${missing.slice(0, MAX_LISTED).map((t) => t.slice(0, 60)).join(" | ")}`);
  if (duplicated.length > 0) problems.push(`${duplicated.length} duplicated, e.g. ${duplicated.slice(0, MAX_LISTED).join(" | ")}`);
  if (strays.length > 0) problems.push(`${strays.length} records with the tag but an unexpected message, e.g. ${strays.slice(0, MAX_LISTED).map((m) => JSON.stringify(m.slice(0, 120))).join(" | ")}`);
  if (mismatchCount > 0) problems.push(`${mismatchCount} records with wrong fields, e.g. ${mismatches.join(" | ")}`);
  return problems;
}

/** Number of records whose message contains `tag`. */
export function countTagged(records: readonly ReadRecord[], tag: string): number {
  return records.filter((r) => typeof r.message === "string" && r.message.includes(tag)).length;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
