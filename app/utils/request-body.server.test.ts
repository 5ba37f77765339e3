import { describe, expect, it } from "vitest";
import { guardFormData } from "~/utils/request-body.server";

// A subclass, so the guard is tried without patching the global Request for other tests.
class GuardedRequest extends Request {}
guardFormData(GuardedRequest);

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
    expect((await thrown(post("x").formData()) as Response).status).toBe(415);
    const broken = await thrown(post('--XX\r\nContent-Disposition: form-data; name="a\r\n\r\nb\r\n--XX--\r\n', "multipart/form-data; boundary=XX").formData());
    expect((broken as Response).status).toBe(400);
    expect(await (broken as Response).text()).toMatch(/could not be read/);
  });

  it("still fails loudly when the app reads a body twice", async () => {
    const request = post("a=1", "application/x-www-form-urlencoded");
    await request.formData();
    const error = await thrown(request.formData());
    expect(error).toBeInstanceOf(TypeError);
  });
});
