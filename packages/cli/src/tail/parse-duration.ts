import { UsageError } from "../errors.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "30s", "10m", "2h", "1d", or a bare number of seconds, as milliseconds. */
export function parseDuration(option: string, value: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? "s"]! : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`${option} must be a duration such as 30s, 10m, 2h or 1d, got "${value}"`);
  return Math.round(ms);
}
