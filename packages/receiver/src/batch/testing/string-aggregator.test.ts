import { afterEach, describe, expect, it, vi } from "vitest";
import { Aggregator, type SealedGroup } from "./string-aggregator.js";

function make(maxPayloadBytes: number, lingerMs = 1000) {
  const groups: SealedGroup[] = [];
  const oversize: string[] = [];
  const agg = new Aggregator({ maxPayloadBytes, lingerMs, now: () => Date.now(), onSeal: (g) => groups.push(g), onOversize: (a) => oversize.push(a) });
  return { agg, groups, oversize };
}

afterEach(() => vi.useRealTimers());

describe("Aggregator", () => {
  it("seals before a line that would not fit, and when exactly full", () => {
    const { agg, groups } = make(30);
    agg.add("a".repeat(9) + "\n"); // 10
    agg.add("b".repeat(9) + "\n"); // 20
    agg.add("c".repeat(14) + "\n"); // 15: would make 35
    expect(groups.map((g) => g.payload)).toEqual(["aaaaaaaaa\nbbbbbbbbb\n"]);
    agg.add("d".repeat(14) + "\n"); // 30: exactly full
    expect(groups).toHaveLength(2);
    expect(groups[1]).toMatchObject({ lines: 2, payloadBytes: 30 });
    expect(agg.openBytes).toBe(0);
  });

  it("seals on linger, timed from the group's first line", () => {
    vi.useFakeTimers();
    const { agg, groups } = make(1000, 1000);
    agg.add("x\n");
    vi.advanceTimersByTime(600);
    agg.add("y\n");
    vi.advanceTimersByTime(399);
    expect(groups).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(groups.map((g) => g.payload)).toEqual(["x\ny\n"]);
  });

  it("adds a missing LF, keeps acks in order and shrinks oversize lines", () => {
    const { agg, groups, oversize } = make(100);
    const a1 = () => {};
    const a2 = () => {};
    agg.add('{"n":1}', a1);
    agg.add('{"n":2}\n');
    agg.add(JSON.stringify({ n: 3, message: "z".repeat(500) }) + "\n", a2);
    agg.seal();
    expect(oversize).toEqual(["truncated"]);
    expect(groups[0]!.payload).toBe('{"n":1}\n{"n":2}\n');
    expect(groups[0]!.acks).toEqual([a1]);
    expect(groups[1]!.acks).toEqual([a2]);
    expect(groups[1]!.payloadBytes).toBeLessThanOrEqual(100);
  });
});
