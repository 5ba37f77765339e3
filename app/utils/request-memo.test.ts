import { describe, expect, it } from "vitest";
import { memoPerRequest, withRequestMemo } from "~/utils/request-memo.server";

describe("memoPerRequest", () => {
  it("looks up once per request and key, sharing the first promise with loaders running side by side", async () => {
    let lookups = 0;
    const lookup = async () => ({ n: ++lookups });
    const [a, b, c] = await withRequestMemo(() =>
      Promise.all([memoPerRequest("k", lookup), memoPerRequest("k", lookup), memoPerRequest("other", lookup)]),
    );
    expect(a).toBe(b);
    expect(lookups).toBe(2);
    expect(c).not.toBe(a);
    // Another request: its own lookups.
    await withRequestMemo(() => memoPerRequest("k", lookup));
    expect(lookups).toBe(3);
  });

  it("looks up every time outside a request, and forgets a failed lookup", async () => {
    let lookups = 0;
    await memoPerRequest("k", async () => ++lookups);
    await memoPerRequest("k", async () => ++lookups);
    expect(lookups).toBe(2);
    await withRequestMemo(async () => {
      await expect(memoPerRequest("k", async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
      expect(await memoPerRequest("k", async () => "back")).toBe("back");
    });
  });
});
