import { describe, expect, it } from "vitest";
import { fitLine } from "./fit-line.js";

const record = (fields: Record<string, unknown>) => JSON.stringify({ v: 1, message: "", raw: null, message_json: null, structured_data: null, ...fields }) + "\n";

describe("fitLine (truncate and flag)", () => {
  it("cuts the longest text field, drops message_json and sets truncated", () => {
    const line = record({ message: "m".repeat(5000), message_json: { a: "m".repeat(5000) }, raw: "r".repeat(100) });
    const { line: out, action } = fitLine(line, 2000);
    expect(action).toBe("truncated");
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(2000);
    expect(out.endsWith("\n")).toBe(true);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(parsed).toMatchObject({ v: 1, truncated: true, message_json: null, raw: "r".repeat(100) });
    expect((parsed.message as string).startsWith("mmm")).toBe(true);
  });

  it("counts bytes, not characters, with multi-byte and escaped text", () => {
    const line = record({ message: "日本語\u0001".repeat(3000), raw: "é".repeat(3000) });
    const { line: out } = fitLine(line, 4096);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(4096);
    expect(JSON.parse(out)).toMatchObject({ truncated: true });
  });

  it("never leaves half a surrogate pair", () => {
    const { line: out } = fitLine(record({ message: "😀".repeat(4000) }), 1000);
    const message = (JSON.parse(out) as { message: string }).message;
    expect(message).toBe("😀".repeat(message.length / 2));
  });

  it("drops structured_data when the strings alone cannot make it fit", () => {
    const sd = { big: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, "v".repeat(20)])) };
    const { line: out, action } = fitLine(record({ message: "short", structured_data: sd }), 1000);
    expect(action).toBe("truncated");
    expect(JSON.parse(out)).toMatchObject({ structured_data: null, message: "", truncated: true });
  });

  it("cuts a non-JSON line at a UTF-8 boundary and says so", () => {
    const { line: out, action } = fitLine("é".repeat(1000) + "\n", 101);
    expect(action).toBe("cut");
    expect(out).toBe("é".repeat(50) + "\n");
  });
});
