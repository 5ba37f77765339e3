import { describe, expect, it } from "vitest";
import { isCrossOriginMutation } from "~/utils/origin.server";

describe("isCrossOriginMutation", () => {
  const base = { host: "app.example:3000" };
  it("lets reads through whatever their origin", () => {
    expect(isCrossOriginMutation({ ...base, method: "GET", origin: "https://evil.example" })).toBe(false);
  });
  it("allows same-origin posts and posts without an Origin header", () => {
    expect(isCrossOriginMutation({ ...base, method: "POST", origin: "http://app.example:3000" })).toBe(false);
    expect(isCrossOriginMutation({ ...base, method: "POST", origin: null })).toBe(false);
  });
  it("refuses posts from another origin, an opaque origin, or a cross-site fetch", () => {
    expect(isCrossOriginMutation({ ...base, method: "POST", origin: "https://evil.example" })).toBe(true);
    expect(isCrossOriginMutation({ ...base, method: "DELETE", origin: "null" })).toBe(true);
    expect(isCrossOriginMutation({ ...base, method: "POST", origin: null, secFetchSite: "cross-site" })).toBe(true);
  });
  it("compares with APP_ORIGIN when the app sits behind a proxy", () => {
    const appOrigin = "https://poker.example";
    expect(
      isCrossOriginMutation({ host: "10.0.0.5", method: "POST", origin: "https://poker.example", appOrigin }),
    ).toBe(false);
    expect(isCrossOriginMutation({ host: "10.0.0.5", method: "POST", origin: "http://10.0.0.5", appOrigin })).toBe(
      true,
    );
  });
});
