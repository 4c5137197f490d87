import { describe, expect, it } from "vitest";
import { ProgressBar, progressLine, REDRAW_MS } from "./progress-bar.js";

describe("progress bar", () => {
  it("draws bar, percentage, count and rate", () => {
    expect(progressLine(0, 1000, 0)).toBe("[------------------------]   0%     0/1000  0 msg/s");
    expect(progressLine(500, 1000, 2000)).toBe("[############------------]  50%   500/1000  250 msg/s");
    expect(progressLine(1000, 1000, 4000)).toBe("[########################] 100%  1000/1000  250 msg/s");
  });

  it("redraws at most every REDRAW_MS, always at the end, and ends its line", () => {
    let out = "";
    const bar = new ProgressBar((s) => (out += s), 10, true);
    bar.update(1, 0);
    bar.update(2, REDRAW_MS - 1);
    bar.update(3, REDRAW_MS);
    bar.finish(10, REDRAW_MS + 1);
    expect(out.split("\r").filter(Boolean).map((l) => / +(\d+\/10) /.exec(l)?.[1])).toEqual(["1/10", "3/10", "10/10"]);
    expect(out.endsWith("\u001b[K\n")).toBe(true);
  });

  it("writes nothing when disabled (not a terminal)", () => {
    let out = "";
    const bar = new ProgressBar((s) => (out += s), 10, false);
    bar.update(5, 1000, true);
    bar.finish(10, 2000);
    expect(out).toBe("");
  });
});
