/**
 * The schedule of a paced run: message i (0-based) is due i / rate seconds after the start,
 * so the first goes at once and a run of N takes (N - 1) / rate seconds. Pure arithmetic on
 * elapsed time: the caller measures, sleeps and writes, so the schedule is tested without a clock.
 */
export interface Pace {
  /** Messages per second; Infinity sends as fast as the socket takes them. */
  ratePerSecond: number;
  total: number;
}

/** How many messages should have been written `elapsedMs` after the start. */
export function dueCount(pace: Pace, elapsedMs: number): number {
  if (pace.ratePerSecond === Infinity) return pace.total;
  const due = Math.floor((Math.max(0, elapsedMs) * pace.ratePerSecond) / 1000) + 1;
  return Math.min(pace.total, due);
}

/** Milliseconds from the start at which message `index` (0-based) is due. */
export function dueAtMs(pace: Pace, index: number): number {
  return pace.ratePerSecond === Infinity ? 0 : (index * 1000) / pace.ratePerSecond;
}
