import { describe, expect, it } from "vitest";
import { describeError } from "~/utils/log.server";

describe("describeError", () => {
  it("prints a driver error's message, code and stack, never its parameters or query", () => {
    // The shape PGlite and pg give a failed query: the statement and its values ride along.
    const error = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: "22021",
      query: "insert into users (email, name, password_hash) values ($1, $2, $3)",
      params: ["eve@example.com", "Eve\u0000", "scrypt$16384$8$1$c2FsdA$aGFzaA"],
    });
    const text = describeError(error);
    expect(text).toMatch(/^Error \[22021\]: invalid byte sequence/);
    expect(text).toMatch(/\n\s+at /);
    expect(text).not.toMatch(/scrypt|eve@example|password_hash|insert into/);
  });

  it("keeps control characters out of the log line", () => {
    expect(describeError(new Error("a\u0000b\u001b[31mc")).split("\n")[0]).toBe("Error: a?b?[31mc");
    expect(describeError(new Error("x\u0000")).split("\n")[0]).toBe("Error: x?");
  });

  it("says what was thrown when it is not an Error, without printing it", () => {
    expect(describeError({ password: "hunter2" })).toBe("non-error thrown: object");
  });
});
