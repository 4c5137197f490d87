import { describe, expect, it } from "vitest";
import { StreamPool } from "./stream-pool.js";

describe("StreamPool", () => {
  it("rotates round-robin and skips streams in back-off", () => {
    const pool = new StreamPool(["a", "b", "c"], { baseMs: 100, maxMs: 1000, random: () => 0.5 });
    expect([0, 0, 0, 0].map((t) => pool.pick(t)!.name)).toEqual(["a", "b", "c", "a"]);
    pool.failed(pool.streams[1]!, 0); // b rests 50 ms
    expect([10, 10, 10].map((t) => pool.pick(t)!.name)).toEqual(["c", "a", "c"]);
    expect(pool.pick(50)!.name).toBe("a");
    expect(pool.pick(50)!.name).toBe("b");
  });

  it("backs off exponentially with full jitter, capped, and at least 1 ms", () => {
    let r = 0.999;
    const pool = new StreamPool(["a"], { baseMs: 100, maxMs: 1000, random: () => r });
    const s = pool.streams[0]!;
    expect([1, 2, 3, 4, 5, 6].map(() => pool.failed(s, 0))).toEqual([99, 199, 399, 799, 999, 999]);
    r = 0;
    expect(pool.failed(s, 0)).toBe(1);
    pool.succeeded(s);
    r = 0.999;
    expect(pool.failed(s, 0)).toBe(99);
    expect(pool.failed(s, 0, false)).toBe(99); // partial success: does not escalate
  });

  it("probes a blocked stream about every maxMs, reports the first block once, and nothing is picked while all rest", () => {
    const pool = new StreamPool(["a"], { baseMs: 100, maxMs: 1000, random: () => 0 });
    const s = pool.streams[0]!;
    expect(pool.blocked(s, 0, "ResourceNotFoundException")).toBe(true);
    expect(pool.blocked(s, 0, "ResourceNotFoundException")).toBe(false);
    expect(pool.allBlocked()).toBe(true);
    expect(pool.pick(499)).toBeUndefined();
    expect(pool.nextReadyAt()).toBe(500);
    expect(pool.succeeded(s)).toBe(true);
    expect(pool.allBlocked()).toBe(false);
  });
});
