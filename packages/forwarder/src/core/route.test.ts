import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { matchesSelector } from "./selector.js";
import { sampleRecord } from "../testing/sample-record.js";
import { DEFAULT_ROUTES, archiveRouteName, archiveRouteNames, parseRoutes, routeRecord } from "./route.js";

const rec = (facility: number, severity: number) => sampleRecord({ facility, severity });
const names = (facility: number, severity: number) => routeRecord(DEFAULT_ROUTES, rec(facility, severity)).map((r) => r.name);

describe("DEFAULT_ROUTES (Amazon Linux rsyslog.conf + OneGate)", () => {
  it("has the expected groups, names and formats", () => {
    expect(DEFAULT_ROUTES.routes.map((r) => [r.name, r.logGroup, r.format])).toEqual([
      ["messages", "/var/log/messages", "syslog"],
      ["secure", "/var/log/secure", "syslog"],
      ["maillog", "/var/log/maillog", "syslog"],
      ["cron", "/var/log/cron", "syslog"],
      ["boot", "/var/log/boot.log", "syslog"],
      ["onegate", "/aws-syslog/onegate", "json"],
    ]);
    expect(archiveRouteNames(DEFAULT_ROUTES)).toContain("unrouted");
  });

  it.each([
    ["authpriv.debug goes to secure only", 10, 7, ["secure"]],
    ["auth.info goes to messages", 4, 6, ["messages"]],
    ["mail.err goes to maillog only", 2, 3, ["maillog"]],
    ["cron.info goes to cron only", 9, 6, ["cron"]],
    ["local7.info goes to messages and boot", 23, 6, ["messages", "boot"]],
    ["local0.notice goes to onegate only", 16, 5, ["onegate"]],
    ["user.debug goes nowhere", 1, 7, []],
  ])("%s", (_name, facility, severity, expected) => {
    expect(names(facility, severity)).toEqual(expected);
  });

  it("archives under the first matching route, else unrouted", () => {
    expect(archiveRouteName(DEFAULT_ROUTES, rec(23, 6))).toBe("messages");
    expect(archiveRouteName(DEFAULT_ROUTES, rec(23, 7))).toBe("boot");
    expect(archiveRouteName(DEFAULT_ROUTES, rec(1, 7))).toBe("unrouted");
  });
});

describe("parseRoutes", () => {
  it("reads names, formats, comments and rsyslog's '-' prefix", () => {
    const table = parseRoutes("# comment\n\n  kern.*  -/var/log/kern.log\nlocal3.=err /app/events#1 name=app format=json\n");
    expect(table.routes.map((r) => [r.name, r.logGroup, r.format])).toEqual([
      ["kern", "/var/log/kern.log", "syslog"],
      ["app", "/app/events#1", "json"],
    ]);
  });

  it.each([
    ["kern.*", 1, "no log group"],
    ["\n\nkern.bogus /x", 3, 'unknown severity "bogus"'],
    ["kern.* /var/log/a b", 1, 'unknown option "b"'],
    ["kern.* /var/log/ok\nmail.* /var/log/ok", 2, "used twice"],
    ["kern.* /bad:name", 1, "not a valid log group name"],
    ["kern.* /x/unrouted", 1, "reserved"],
    ["kern.* /x format=xml", 1, "unknown option"],
  ])("rejects %j naming line %i", (text, line, message) => {
    expect(() => parseRoutes(text)).toThrow(expect.objectContaining({ code: "FWD_ROUTES_INVALID", line, message: expect.stringContaining(message) }));
  });
});

describe("route lookup (precomputed per facility and severity)", () => {
  const selectors = ["*.info", "mail.none", "authpriv.*", "kern,local7.=err", "*.*;cron.!warning", "local0.!*", "user.debug;user.!=info"];
  it("gives what evaluating every selector gives, for every pair", () => {
    fc.assert(
      fc.property(fc.array(fc.subarray(selectors, { minLength: 1 }), { minLength: 1, maxLength: 4 }), (lines) => {
        const table = parseRoutes(lines.map((parts, i) => `${parts.join(";")} /group/${i}`).join("\n"));
        for (let facility = 0; facility < 24; facility++) {
          for (let severity = 0; severity < 8; severity++) {
            const expected = table.routes.filter((r) => matchesSelector(r.selector, facility, severity));
            expect(routeRecord(table, rec(facility, severity))).toEqual(expected);
            expect(archiveRouteName(table, rec(facility, severity))).toBe(expected[0]?.name ?? "unrouted");
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it("routes nothing for a facility or severity out of range", () => {
    expect(routeRecord(DEFAULT_ROUTES, rec(24, 6))).toEqual([]);
    expect(routeRecord(DEFAULT_ROUTES, rec(3, 8))).toEqual([]);
    expect(routeRecord(DEFAULT_ROUTES, rec(-1, 0))).toEqual([]);
    expect(archiveRouteName(DEFAULT_ROUTES, rec(3, 1.5))).toBe("unrouted");
  });
});
