import { describe, expect, it } from "vitest";
import { isInteractive, progress, styleFor } from "./io.js";
import { fakeIo } from "./testing/fake-io.js";

describe("isInteractive", () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: "1" }, false],
    [true, { NO_COLOR: "" }, true], // no-color.org: only a non-empty value disables colour
    [true, { TERM: "dumb" }, false],
  ])("tty=%s env=%o → %s", (tty, env, expected) => {
    expect(isInteractive(fakeIo({ cwd: "/", tty, env }))).toBe(expected);
  });

  it("keeps progress and colour out of piped output", () => {
    const piped = fakeIo({ cwd: "/" });
    progress(piped, "generating…");
    expect(piped.err()).toBe("");
    expect(styleFor(piped).red("x")).toBe("x");
    const tty = fakeIo({ cwd: "/", tty: true });
    progress(tty, "generating…");
    expect(tty.err()).toBe("\u001b[2mgenerating…\u001b[22m\n");
  });
});
