import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dueAtMs, dueCount } from "./pacer.js";

describe("pacer", () => {
  it("sends the first message at once and the rest one per 1/rate seconds", () => {
    const pace = { ratePerSecond: 10, total: 5 };
    expect([0, 99, 100, 250, 400, 10_000].map((ms) => dueCount(pace, ms))).toEqual([1, 1, 2, 3, 5, 5]);
    expect(dueAtMs(pace, 4)).toBe(400);
    expect(dueCount({ ratePerSecond: Infinity, total: 7 }, 0)).toBe(7);
  });

  it("is monotonic, bounded by the total, and has message i due exactly at dueAtMs(i)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        (ratePerSecond, total, a, b) => {
          const pace = { ratePerSecond, total };
          const [early, late] = a <= b ? [a, b] : [b, a];
          expect(dueCount(pace, early)).toBeLessThanOrEqual(dueCount(pace, late));
          expect(dueCount(pace, late)).toBeLessThanOrEqual(total);
          expect(dueCount(pace, early)).toBeGreaterThanOrEqual(1);
          const i = Math.min(total - 1, Math.floor((early * ratePerSecond) / 1000));
          // Message i is due no later than dueAtMs(i) (up to float rounding of the product).
          expect(dueCount(pace, dueAtMs(pace, i) + 1e-6 * Math.max(1, dueAtMs(pace, i)))).toBeGreaterThanOrEqual(i + 1);
        },
      ),
    );
  });
});
