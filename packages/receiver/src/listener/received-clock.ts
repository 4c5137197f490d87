/**
 * The receive time of a chunk. Date#toISOString costs ~150 ns; at 500k frames/s that is a
 * noticeable share, so the ISO string is computed once per millisecond and shared by every
 * connection (records read in the same millisecond carry the same `received_at`).
 */
export interface ReceivedTime {
  ms: number;
  iso: string;
}

let cached: ReceivedTime = { ms: 0, iso: new Date(0).toISOString() };

export function receivedNow(): ReceivedTime {
  const ms = Date.now();
  if (ms !== cached.ms) cached = { ms, iso: new Date(ms).toISOString() };
  return cached;
}
