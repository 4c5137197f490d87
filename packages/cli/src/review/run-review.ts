import type { Json } from "@duckdb/node-api";
import type { QueryResult } from "../query/query-archive.js";
import { REVIEW_SECTIONS, type ColumnKind, type Dialect, type OnegateFields, type ReviewSection, type ReviewWindow } from "./review-queries.js";

/** Where the review's SQL runs: DuckDB over the local archive, or Athena. */
export interface ReviewEngine {
  dialect: Dialect;
  /** For the report: "local archive /…/.data/archive", "Athena workgroup …". */
  description: string;
  query(sql: string, section: ReviewSection, index: number): Promise<QueryResult>;
}

export type ReviewValue = string | number | null;

export interface SectionResult {
  section: ReviewSection;
  rows: Record<string, ReviewValue>[];
  /** More rows matched than the section shows (its limit). */
  truncated: boolean;
  sql: string;
}

export interface ReviewReport {
  window: ReviewWindow;
  generatedAt: Date;
  engine: string;
  onegate: OnegateFields;
  sections: SectionResult[];
}

/** Runs every section in order (one query at a time: Athena queues concurrent ones anyway, and
 * a failure names its section). */
export async function runReview(engine: ReviewEngine, window: ReviewWindow, onegate: OnegateFields, now: Date): Promise<ReviewReport> {
  const sections: SectionResult[] = [];
  for (const [i, section] of REVIEW_SECTIONS.entries()) {
    const sql = `${section.sql(engine.dialect, window, onegate)}\nLIMIT ${section.limit + 1}`;
    const result = await engine.query(sql, section, i);
    const rows = result.rows.slice(0, section.limit).map((row) => Object.fromEntries(section.columns.map((c) => [c.name, reviewValue(row[c.name], c.kind)])));
    sections.push({ section, rows, truncated: result.rows.length > section.limit, sql });
  }
  return { window, generatedAt: now, engine: engine.description, onegate, sections };
}

/** One value as the report shows it, whatever the engine gave: counts as numbers, times as
 * `2026-11-16T08:00:00Z` (DuckDB says "2026-11-16 08:00:00.123+00", Athena "2026-11-16 08:00:00.123"). */
export function reviewValue(v: Json | undefined, kind: ColumnKind): ReviewValue {
  if (v === null || v === undefined) return null;
  if (kind === "count") return Number(v);
  const text = typeof v === "object" ? JSON.stringify(v) : String(v);
  if (kind === "time") {
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(text);
    return m ? `${m[1]}T${m[2]}Z` : text;
  }
  return text;
}
