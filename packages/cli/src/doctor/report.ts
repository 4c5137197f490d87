import type { Style } from "../io.js";
import type { CheckResult } from "./check-result.js";

/**
 * The report: one line per check (status, name, what was seen) and, under a failure, the fix.
 * Plain when piped; coloured status words on a terminal.
 */
export interface DoctorSummary {
  ok: boolean;
  passed: number;
  failed: number;
  skipped: number;
}

export function summarize(results: readonly CheckResult[]): DoctorSummary {
  const count = (s: CheckResult["status"]) => results.filter((r) => r.status === s).length;
  return { ok: count("fail") === 0, passed: count("pass"), failed: count("fail"), skipped: count("skip") };
}

export function formatLine(r: CheckResult, width: number, s: Style): string {
  const word = r.status === "pass" ? s.green("PASS") : r.status === "fail" ? s.red("FAIL") : s.dim("SKIP");
  const lines = [`${word}  ${r.name.padEnd(width)}  ${r.detail}`];
  if (r.fix !== undefined && r.status !== "pass") lines.push(`${" ".repeat(6 + width + 2)}${s.dim("fix:")} ${r.fix}`);
  return lines.join("\n");
}

export function formatTable(results: readonly CheckResult[], s: Style): string {
  const width = Math.max(0, ...results.map((r) => r.name.length));
  const sum = summarize(results);
  const total = `${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped`;
  return `${results.map((r) => formatLine(r, width, s)).join("\n")}\n\n${sum.ok ? s.green(total) : s.red(total)}\n`;
}

export function formatJson(results: readonly CheckResult[]): string {
  return `${JSON.stringify({ ...summarize(results), checks: results })}\n`;
}
