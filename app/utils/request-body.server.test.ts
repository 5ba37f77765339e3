import { describe, expect, it } from "vitest";
import { bodyLimitFor, guardFormData } from "~/utils/request-body.server";

// A subclass, so the guard is tried without patching the global Request for other tests.
class GuardedRequest extends Request {}
const LIMIT = 64 * 1024;
guardFormData(GuardedRequest, () => LIMIT);

/** A body of `size` bytes sent as a stream, so no Content-Length tells its size in advance. */
function streamed(size: number, type = "application/x-www-form-urlencoded") {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(16 * 1024, size - sent)).fill(0x61);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const request = new GuardedRequest("http://app.test/login", {
    method: "POST",
    body,
    headers: { "Content-Type": type },
    duplex: "half",
  } as RequestInit);
  return { request, sent: () => sent };
}

const post = (body: string, type?: string) =>
  new GuardedRequest("http://app.test/t/x", { method: "POST", body, headers: type ? { "Content-Type": type } : {} });

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("did not throw");
}

describe("guardFormData", () => {
  it("reads good forms as before", async () => {
    expect((await post("a=1&b=2", "application/x-www-form-urlencoded").formData()).get("b")).toBe("2");
    const multipart = '--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n--XX--\r\n';
    expect((await post(multipart, "multipart/form-data; boundary=XX").formData()).get("a")).toBe("value");
  });

  it("answers 415 for a body that is not a form and 400 for a form that cannot be read", async () => {
    const json = await thrown(post("{", "application/json").formData());
    expect(json).toBeInstanceOf(Response);
    expect((json as Response).status).toBe(415);
    expect(((await thrown(post("x").formData())) as Response).status).toBe(415);
    const broken = await thrown(
      post(
        '--XX\r\nContent-Disposition: form-data; name="a\r\n\r\nb\r\n--XX--\r\n',
        "multipart/form-data; boundary=XX",
      ).formData(),
    );
    expect((broken as Response).status).toBe(400);
    expect(await (broken as Response).text()).toMatch(/could not be read/);
  });

  it("answers 413 for a form body over the cap, having read little more than the cap", async () => {
    const big = streamed(10 * LIMIT);
    const error = await thrown(big.request.formData());
    expect(error).toBeInstanceOf(Response);
    expect((error as Response).status).toBe(413);
    expect(big.sent()).toBeLessThan(2 * LIMIT);
    const declared = new GuardedRequest("http://app.test/login", {
      method: "POST",
      body: "a=1",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(LIMIT + 1) },
    });
    expect(((await thrown(declared.formData())) as Response).status).toBe(413);
    const fits = streamed(LIMIT);
    expect((await fits.request.formData()).get("a".repeat(LIMIT))).toBe("");
  });

  it("lets only the streaming routes past the form cap, and only with their credential", () => {
    const session = "theme=dark; __session=abc.def";
    expect(bodyLimitFor({ path: "/login", cookie: session }, LIMIT)).toBe(LIMIT);
    expect(bodyLimitFor({ path: "/t/acme/spend/upload" }, LIMIT)).toBe(LIMIT);
    expect(bodyLimitFor({ path: "/t/acme/spend/upload", cookie: "x__session=1" }, LIMIT)).toBe(LIMIT);
    expect(bodyLimitFor({ path: "/t/acme/spend/upload", cookie: session }, LIMIT)).toBeNull();
    expect(bodyLimitFor({ path: "/t/acme/settings/export", cookie: session }, LIMIT)).toBeNull();
    expect(bodyLimitFor({ path: "/t/acme/settings/export.data", cookie: session }, LIMIT)).toBeNull();
    expect(bodyLimitFor({ path: "/t/acme/settings/members", cookie: session }, LIMIT)).toBe(LIMIT);
    expect(bodyLimitFor({ path: "/api/v1/teams/acme/spend", cookie: session }, LIMIT)).toBe(LIMIT);
    expect(bodyLimitFor({ path: "/api/v1/teams/acme/spend", authorization: "Bearer tp_123" }, LIMIT)).toBeNull();
    expect(bodyLimitFor({ path: "/t/acme/spend/upload/../../login", cookie: session }, LIMIT)).toBe(LIMIT);
  });

  it("still fails loudly when the app reads a body twice", async () => {
    const request = post("a=1", "application/x-www-form-urlencoded");
    await request.formData();
    const error = await thrown(request.formData());
    expect(error).toBeInstanceOf(TypeError);
  });
});
