import { describe, expect, it } from "vitest";
import { parseStructuredData, sdResult } from "./structured-data.js";

/** Parses SD at the start of s; returns the data and what follows it, or null. */
function sd(s: string): { data: unknown; rest: string } | null {
  if (!parseStructuredData(s, 0)) return null;
  return { data: sdResult.data, rest: s.slice(sdResult.end) };
}

describe("parseStructuredData (RFC 5424 §6.3)", () => {
  it("reads several elements and stops at what follows", () => {
    expect(sd('[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] msg')).toEqual({
      data: {
        "exampleSDID@32473": { iut: "3", eventSource: "Application", eventID: "1011" },
        "examplePriority@32473": { class: "high" },
      },
      rest: " msg",
    });
  });

  it("reads an element without parameters and an empty value", () => {
    expect(sd('[a][b x=""]')?.data).toEqual({ a: {}, b: { x: "" } });
  });

  it.each([
    ["escaped quote", String.raw`[a x="say \"hi\""]`, 'say "hi"'],
    ["escaped backslash", String.raw`[a x="C:\\temp"]`, "C:\\temp"],
    ["escaped bracket", String.raw`[a x="[1\]"]`, "[1]"],
    ["other escapes kept literally (§6.3.3)", String.raw`[a x="\n\t\q"]`, String.raw`\n\t\q`],
    ["backslash before the closing quote escaped twice", String.raw`[a x="end\\"]`, "end\\"],
    ["unescaped ']' inside the quotes (lenient)", '[a x="a]b"]', "a]b"],
    ["UTF-8 value", '[a x="ユーザー"]', "ユーザー"],
    ["UTF-8 with escapes", String.raw`[a x="\"日本\""]`, '"日本"'],
  ])("decodes PARAM-VALUE: %s", (_why, input, value) => {
    expect(sd(input)?.data).toEqual({ a: { x: value } });
  });

  it("keeps every value of a repeated PARAM-NAME, in order", () => {
    expect(sd('[a tag="1" other="x" tag="2" tag="3"]')?.data).toEqual({ a: { tag: ["1", "2", "3"], other: "x" } });
  });

  it("merges a repeated SD-ID into the first element instead of dropping it", () => {
    expect(sd('[a x="1"][b y="2"][a x="3" z="4"]')?.data).toEqual({ a: { x: ["1", "3"], z: "4" }, b: { y: "2" } });
  });

  it("treats __proto__, toString and constructor as ordinary names", () => {
    const result = sd('[__proto__ polluted="yes"][toString constructor="1" __proto__="2" toString="3"]');
    const data = result?.data as Record<string, Record<string, unknown>>;
    expect(Object.keys(data)).toEqual(["__proto__", "toString"]);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(data["__proto__"]).toEqual({ polluted: "yes" });
    expect(JSON.parse(JSON.stringify(data))).toEqual(JSON.parse('{"__proto__":{"polluted":"yes"},"toString":{"constructor":"1","__proto__":"2","toString":"3"}}'));
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("keeps a repeated __proto__ parameter as an own array, like any other name", () => {
    expect(JSON.stringify(sd('[a __proto__="1" __proto__="2" toString="3" toString="4"]')?.data)).toBe(
      '{"a":{"__proto__":["1","2"],"toString":["3","4"]}}',
    );
  });

  it("accepts SD-NAMEs of 32 characters and refuses 33", () => {
    const name32 = "n".repeat(32);
    expect(sd(`[${name32} ${name32}="v"]`)?.data).toEqual({ [name32]: { [name32]: "v" } });
    expect(sd(`[${name32}n]`)).toBeNull();
    expect(sd(`[a ${name32}n="v"]`)).toBeNull();
  });

  it.each([
    ["no element", "-"],
    ["empty SD-ID", "[]"],
    ["unclosed element", '[a x="1"'],
    ["unclosed value", '[a x="1]'],
    ["value not quoted", "[a x=1]"],
    ["single quotes", "[a x='1']"],
    ["space around '='", '[a x = "1"]'],
    ["two spaces between params", '[a x="1"  y="2"]'],
    ["space before ']'", '[a x="1" ]'],
    ["'=' in SD-ID", "[a=b]"],
    ["'\"' in SD-ID", '[a"b]'],
    ["non-ASCII in SD-ID", "[ü]"],
    ["control char in PARAM-NAME", '[a x\ty="1"]'],
    ["backslash escaping the closing quote", String.raw`[a x="1\"]`],
    ["missing PARAM-NAME", '[a ="1"]'],
  ])("refuses %s", (_why, input) => {
    expect(sd(input)).toBeNull();
  });
});
