import { describe, expect, it } from "vitest";
import { inviteLanding, sameOriginPath } from "./redirect";

const ORIGIN = "https://poker.example";

describe("sameOriginPath", () => {
  it("keeps a path on this site, with its query and hash", () => {
    expect(sameOriginPath("/t/alpha?tab=2#x", ORIGIN)).toBe("/t/alpha?tab=2#x");
    expect(sameOriginPath("/invite/abc_-1", ORIGIN)).toBe("/invite/abc_-1");
  });

  it.each([
    "/\t/evil.test",
    "/\n/evil.test",
    "/\r\n/evil.test",
    "//evil.test",
    "/\\evil.test",
    "/\\/evil.test",
    "\\\\evil.test",
    "https://evil.test/",
    "http://poker.example/",
    "javascript:alert(1)",
    " /x",
    "",
    "x",
  ])("falls back for %j", (to) => {
    expect(sameOriginPath(to, ORIGIN, "/home")).toBe("/home");
  });

  it("never returns a control character", () => {
    expect(sameOriginPath("/a\nb\tc", ORIGIN)).toBe("/abc");
    expect(sameOriginPath("/a b\u0000c", ORIGIN)).toBe("/a%20b%00c");
  });

  it("falls back for a non-string or a huge value", () => {
    expect(sameOriginPath(undefined, ORIGIN)).toBe("/");
    expect(sameOriginPath(["/x"], ORIGIN)).toBe("/");
    expect(sameOriginPath(`/${"a".repeat(5000)}`, ORIGIN)).toBe("/");
  });
});

describe("inviteLanding", () => {
  it("lands on the page the invite came from when it is the invite's own team", () => {
    expect(inviteLanding("alpha", "/t/alpha/poker/12")).toBe("/t/alpha/poker/12");
    expect(inviteLanding("alpha", "/t/alpha")).toBe("/t/alpha");
  });
  it.each([
    undefined,
    "",
    "/t/beta/poker/3",
    "/t/alphabet/poker/3",
    "//evil.test/t/alpha",
    "/t/alpha/../beta",
    "https://evil.test/t/alpha/x",
  ])("sends %j to the team's dashboard", (to) => {
    expect(inviteLanding("alpha", to)).toBe("/t/alpha");
  });
});
