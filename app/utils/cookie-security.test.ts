import { afterEach, describe, expect, it } from "vitest";
import { cookiesSecure } from "~/utils/cookie-security.server";

const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

describe("cookiesSecure", () => {
  afterEach(() => {
    delete process.env.TRUST_PROXY;
  });
  it("is off over plain http on a LAN address, even in production", () => {
    expect(cookiesSecure(req("http://192.0.2.2:3000/login"), undefined)).toBe(false);
  });
  it("is on for https requests", () => {
    expect(cookiesSecure(req("https://poker.example.com/login"), undefined)).toBe(true);
  });
  it("follows APP_ORIGIN when it is set", () => {
    expect(cookiesSecure(req("http://10.0.0.5:3000/login"), "https://poker.example.com")).toBe(true);
    expect(cookiesSecure(req("https://poker.example.com/login"), "http://poker.lan:3000")).toBe(false);
  });
  it("believes X-Forwarded-Proto only behind a trusted proxy", () => {
    const proxied = req("http://127.0.0.1:3000/login", { "x-forwarded-proto": "https" });
    expect(cookiesSecure(proxied, undefined)).toBe(false);
    process.env.TRUST_PROXY = "1";
    expect(cookiesSecure(proxied, undefined)).toBe(true);
  });
});
