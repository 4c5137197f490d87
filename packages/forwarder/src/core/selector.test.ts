import { describe, expect, it } from "vitest";
import { matchesSelector, parseSelector } from "./selector.js";

const [KERN, USER, MAIL, AUTH, NEWS, CRON, AUTHPRIV, LOCAL0, LOCAL7] = [0, 1, 2, 4, 7, 9, 10, 16, 23];
const [EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO, DEBUG] = [0, 1, 2, 3, 4, 5, 6, 7];
const ALL = [EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO, DEBUG];

/** The severities a selector matches for one facility. */
function severities(text: string, facility: number): number[] {
  const selector = parseSelector(text);
  return ALL.filter((s) => matchesSelector(selector, facility, s));
}

describe("parseSelector / matchesSelector: rsyslog semantics", () => {
  it.each([
    // [selector, facility, severities it matches]
    ["*.info", KERN, [EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO]],
    ["*.*", LOCAL7, ALL],
    ["mail.=info", MAIL, [INFO]],
    ["mail.=info", KERN, []],
    ["mail.none", MAIL, []],
    // `none` after `*` removes the facility; a later part can add it back
    ["*.*;mail.none", MAIL, []],
    ["*.*;mail.none", USER, ALL],
    ["*.*;*.none", KERN, []],
    ["*.none;*.*", KERN, ALL],
    ["mail.none;mail.err", MAIL, [EMERG, ALERT, CRIT, ERR]],
    // `!` removes the level and everything more severe; `!=` removes only the level
    ["kern.info;kern.!err", KERN, [WARNING, NOTICE, INFO]],
    ["mail.*;mail.!info", MAIL, [DEBUG]],
    ["mail.*;mail.!=info", MAIL, [EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, DEBUG]],
    ["mail.!info", MAIL, []], // removes from nothing, exactly as rsyslog
    ["mail.!=info", MAIL, []],
    ["mail.!*", MAIL, []],
    ["*.*;mail.!*", MAIL, []],
    ["mail.!none", MAIL, ALL], // rsyslog quirk: "not none" = all
    // facility lists and `*`
    ["mail,news.=info", NEWS, [INFO]],
    ["mail,news.=info", MAIL, [INFO]],
    ["mail,news.=info", CRON, []],
    ["*.=info;*.=notice;mail.none", KERN, [NOTICE, INFO]],
    ["*.=info;*.=notice;mail.none", MAIL, []],
    // auth is not authpriv; security is rsyslog's alias of auth
    ["auth.*", AUTHPRIV, []],
    ["authpriv.*", AUTH, []],
    ["security.*", AUTH, ALL],
    ["security.*", AUTHPRIV, []],
    // severity aliases, case, numbers
    ["*.warn", USER, [EMERG, ALERT, CRIT, ERR, WARNING]],
    ["*.error", USER, [EMERG, ALERT, CRIT, ERR]],
    ["*.=panic", USER, [EMERG]],
    ["MAIL.INFO", MAIL, [EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO]],
    ["16.=5", LOCAL0, [NOTICE]],
    ["local0.=3", LOCAL0, [ERR]],
    ["*.debug", KERN, ALL],
    ["*.emerg", CRON, [EMERG]],
    // Amazon Linux's messages rule with OneGate excluded
    ["*.info;mail.none;authpriv.none;cron.none;local0.none", LOCAL0, []],
    ["*.info;mail.none;authpriv.none;cron.none;local0.none", AUTH, [EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO]],
  ])("%s on facility %i matches %j", (text, facility, expected) => {
    expect(severities(text, facility)).toEqual(expected);
  });

  it("matches nothing outside 0–23 / 0–7", () => {
    const selector = parseSelector("*.*");
    expect(matchesSelector(selector, 24, 0)).toBe(false);
    expect(matchesSelector(selector, 0, 8)).toBe(false);
    expect(matchesSelector(selector, -1, 0)).toBe(false);
  });

  it.each([
    ["", 1, "empty selector"],
    ["mail", 1, 'has no "."'],
    ["mail.", 6, "missing severity"],
    ["mail.info;", 11, "empty selector part"],
    ["mail.info;;kern.*", 11, "empty selector part"],
    ["foo.info", 1, 'unknown facility "foo"'],
    ["mail,,news.info", 6, "empty facility name"],
    ["kern;mail.bogus", 1, 'has no "."'],
    ["kern.*;mail.bogus", 13, 'unknown severity "bogus"'],
    ["mail.=*", 7, "'=' cannot be combined with '*'"],
    ["24.*", 1, 'unknown facility "24"'],
    ["mail.8", 6, 'unknown severity "8"'],
    ["mail.info kern.*", 10, "whitespace"],
  ])("rejects %j at column %i", (text, column, message) => {
    expect(() => parseSelector(text)).toThrow(
      expect.objectContaining({ code: "FWD_SELECTOR_INVALID", column, message: expect.stringContaining(message) }),
    );
  });
});
