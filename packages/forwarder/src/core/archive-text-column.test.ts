import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LabelColumn, TextColumn } from "./archive-text-column.js";

const text = (view: Uint8Array | null) => (view === null ? null : Buffer.from(view).toString("utf8"));

describe("TextColumn", () => {
  it("gives back each value's UTF-8 bytes in order, null as null", () => {
    const column = new TextColumn();
    const values = ["", "plain ascii", null, "é ü ß", "日本語のログ", "emoji 🚀 pair", null, "x".repeat(10_000)];
    for (const v of values) column.push(v);
    expect(column.length).toBe(values.length);
    const views = column.take();
    expect(views.map(text)).toEqual(values);
    expect(Buffer.from(views[4]!)).toEqual(Buffer.from("日本語のログ", "utf8"));
  });

  it("stores a value that is not a string as null (the schema allows nothing else there)", () => {
    const column = new TextColumn();
    column.push(42);
    column.push(false);
    column.push("ok");
    expect(column.take().map(text)).toEqual([null, null, "ok"]);
  });

  it("spans many buffers without splitting a value, and starts empty again after take", () => {
    const column = new TextColumn();
    // ~3 MB over values of growing size: crosses the 4 KiB first buffer and the 1 MiB cap.
    const values = Array.from({ length: 3000 }, (_, i) => `${i}:` + "ab€".repeat(i % 700));
    for (const v of values) column.push(v);
    const views = column.take();
    expect(views.map(text)).toEqual(values);
    expect(column.length).toBe(0);
    expect(column.take()).toEqual([]);
    column.push("again");
    expect(column.take().map(text)).toEqual(["again"]);
    // The first batch's views are still intact after the column was reused.
    expect(text(views[2999]!)).toBe(values[2999]);
  });

  it("round-trips arbitrary strings and nulls, any batch split (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: "binary", maxLength: 300 })), { maxLength: 200 }), fc.nat(200), (values, cut) => {
        const column = new TextColumn();
        const at = Math.min(cut, values.length);
        for (const v of values.slice(0, at)) column.push(v);
        const first = column.take();
        for (const v of values.slice(at)) column.push(v);
        const second = column.take();
        // Lone surrogates become U+FFFD in UTF-8, as Buffer and TextEncoder write them.
        const expected = values.map((v) => (v === null ? null : Buffer.from(v, "utf8").toString("utf8")));
        expect([...first, ...second].map(text)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe("LabelColumn", () => {
  it("keeps values and nulls in order, one shared entry per distinct value across columns", () => {
    const table = new Map<string, string>();
    const hosts = new LabelColumn(table);
    const apps = new LabelColumn(table);
    const long = "x".repeat(1000) + "ip-10-0-1-23.eu-west-1.compute.internal";
    const values = [long.slice(1000), null, "sshd", long.slice(1000), "ip-10-0-1-24.eu-west-1.compute.internal"];
    for (const v of values) hosts.push(v);
    apps.push("sshd");
    apps.push(null);
    expect(hosts.length).toBe(5);
    expect(hosts.take()).toEqual(values);
    expect(apps.take()).toEqual(["sshd", null]);
    // "sshd" is too short to be a view of anything: no copy, no entry.
    expect([...table.keys()].sort()).toEqual(["ip-10-0-1-23.eu-west-1.compute.internal", "ip-10-0-1-24.eu-west-1.compute.internal"]);
    expect(hosts.take()).toEqual([]);
  });

  it("keeps a string that UTF-8 cannot carry (lone surrogate) as it is", () => {
    const column = new LabelColumn(new Map());
    column.push("a bad \ud800 hostname");
    column.push(7);
    expect(column.take()).toEqual(["a bad \ud800 hostname", 7]);
  });
});
