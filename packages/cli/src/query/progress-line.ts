import { isInteractive, type CliIo } from "../io.js";

/**
 * One status line on stderr, rewritten in place while a remote query runs ("RUNNING  1.2 GiB
 * scanned  14 s"), cleared when it ends. Only for a person at a terminal: piped or redirected
 * output gets nothing, so scripts read clean stdout and stderr.
 */
export interface ProgressLine {
  update(text: string): void;
  done(): void;
}

export function progressLine(io: CliIo): ProgressLine {
  if (!isInteractive(io)) return { update: () => undefined, done: () => undefined };
  let shown = false;
  return {
    update(text) {
      io.stderr.write(`\r\u001b[2K\u001b[2m${text}\u001b[22m`);
      shown = true;
    },
    done() {
      if (shown) io.stderr.write("\r\u001b[2K");
      shown = false;
    },
  };
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
