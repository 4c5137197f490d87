import { readFileSync } from "node:fs";

/** The receiver's /metrics.json: metric name → label set → value. */
export type MetricsJson = Record<string, Record<string, number>>;

/** A metric summed over all its label sets (0 when absent). */
export const metric = (m: MetricsJson, name: string): number => Object.values(m[name] ?? {}).reduce((a, b) => a + b, 0);

/** Reads the receiver's metrics from its health port on 127.0.0.1. */
export async function readMetrics(healthPort: number): Promise<MetricsJson> {
  const res = await fetch(`http://127.0.0.1:${healthPort}/metrics.json`);
  return (await res.json()) as MetricsJson;
}

/** VmRSS (now) or VmHWM (peak) of a process, in bytes, from /proc; throws once it has exited. */
export function procMemoryBytes(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!kib) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kib[1]) * 1024;
}
