import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { matchesSelector, parseSelector } from "./selector.js";

const FACILITIES = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp",
  "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];
const FACILITY_NUMBER: Record<string, number> = Object.fromEntries(
  FACILITIES.map((name, i) => [name, i < 13 ? i : i + 3]),
);
const SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

const facility = fc.constantFrom(...FACILITIES);
const priority = fc.tuple(fc.constantFrom("", "!"), fc.constantFrom("", "="), fc.constantFrom(...SEVERITIES, "*", "none"))
  .filter(([, single, pri]) => !(single === "=" && pri === "*"))
  .map((parts) => parts.join(""));
const part = fc.tuple(fc.oneof(fc.constant("*"), fc.uniqueArray(facility, { minLength: 1, maxLength: 3 }).map((l) => l.join(","))), priority)
  .map(([facs, pri]) => `${facs}.${pri}`);
const selectorText = fc.array(part, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(";"));
const pair = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 7 }));

describe("selector properties", () => {
  it("`a;b.none` never matches facility b", () => {
    fc.assert(fc.property(selectorText, facility, fc.integer({ min: 0, max: 7 }), (a, b, severity) => {
      expect(matchesSelector(parseSelector(`${a};${b}.none`), FACILITY_NUMBER[b]!, severity)).toBe(false);
    }));
  });

  it("`a;b.*` matches every severity of b, `a;b.!*` none", () => {
    fc.assert(fc.property(selectorText, facility, fc.integer({ min: 0, max: 7 }), (a, b, severity) => {
      expect(matchesSelector(parseSelector(`${a};${b}.*`), FACILITY_NUMBER[b]!, severity)).toBe(true);
      expect(matchesSelector(parseSelector(`${a};${b}.!*`), FACILITY_NUMBER[b]!, severity)).toBe(false);
    }));
  });

  it("a part only changes the facilities it names", () => {
    fc.assert(fc.property(selectorText, part, pair, (a, extra, [f, s]) => {
      const names = extra.slice(0, extra.indexOf(".")).split(",");
      fc.pre(!names.includes("*") && !names.some((n) => FACILITY_NUMBER[n] === f));
      expect(matchesSelector(parseSelector(`${a};${extra}`), f, s)).toBe(matchesSelector(parseSelector(a), f, s));
    }));
  });

  it("`f.sev` matches exactly the severities numerically ≤ sev; `f.=sev` only sev", () => {
    fc.assert(fc.property(facility, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), (f, sev, s) => {
      const n = FACILITY_NUMBER[f]!;
      expect(matchesSelector(parseSelector(`${f}.${SEVERITIES[sev]}`), n, s)).toBe(s <= sev);
      expect(matchesSelector(parseSelector(`${f}.=${SEVERITIES[sev]}`), n, s)).toBe(s === sev);
      expect(matchesSelector(parseSelector(`*.*;${f}.!${SEVERITIES[sev]}`), n, s)).toBe(s > sev);
    }));
  });

  it("never throws anything but SelectorError on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (text) => {
      try {
        parseSelector(text);
      } catch (err) {
        expect((err as { code?: string }).code).toBe("FWD_SELECTOR_INVALID");
      }
    }));
  });
});
