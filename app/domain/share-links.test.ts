import { describe, expect, it } from "vitest";
import { shareLinkProblem, shareOrigin } from "~/domain/share-links";

describe("share links", () => {
  it("are built from APP_ORIGIN when it is set, else from the request", () => {
    expect(shareOrigin("http://localhost:3000/t/a/poker/1", "https://poker.example.com/")).toBe(
      "https://poker.example.com",
    );
    expect(shareOrigin("http://192.0.2.2:3000/t/a/poker/1", undefined)).toBe("http://192.0.2.2:3000");
  });
  it("say when a link cannot work for others", () => {
    for (const origin of [
      "http://localhost:3000",
      "http://127.0.0.1:8080",
      "http://[::1]:3000",
      "http://app.localhost",
    ]) {
      expect(shareLinkProblem(origin), origin).toMatch(/only works on this computer/);
    }
    expect(shareLinkProblem("http://192.0.2.2:3000")).toBeNull();
    expect(shareLinkProblem("https://poker.example.com")).toBeNull();
  });
});
