/**
 * One line of progress for a person watching `send`: bar, percentage, count and rate. Drawn
 * on stderr with a carriage return, only on a terminal (io.ts isInteractive), at most every
 * REDRAW_MS so a fast run spends its time sending, not drawing.
 */
export const REDRAW_MS = 100;
const BAR_WIDTH = 24;

export function progressLine(done: number, total: number, elapsedMs: number): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * BAR_WIDTH);
  const rate = elapsedMs > 0 ? Math.round((done * 1000) / elapsedMs) : 0;
  const width = String(total).length;
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${String(done).padStart(width)}/${total}  ${rate} msg/s`;
}

export class ProgressBar {
  private lastDrawMs = -Infinity;
  private drawn = false;

  constructor(
    private readonly write: (s: string) => void,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  update(done: number, elapsedMs: number, force = false): void {
    if (!this.enabled || (!force && elapsedMs - this.lastDrawMs < REDRAW_MS)) return;
    this.lastDrawMs = elapsedMs;
    this.drawn = true;
    // \r back to the start, ESC[K clears what a longer previous line left behind.
    this.write(`\r${progressLine(done, this.total, elapsedMs)}\u001b[K`);
  }

  /** Ends the line so the summary starts on its own. */
  finish(done: number, elapsedMs: number): void {
    if (!this.enabled) return;
    this.update(done, elapsedMs, true);
    if (this.drawn) this.write("\n");
  }
}
