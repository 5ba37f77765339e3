import { describe, expect, it } from "vitest";
import { suggestMember } from "~/domain/spend/identity";

const members = [
  { userId: 1, name: "Dana Kim", email: "dana.k@acme.example" },
  { userId: 2, name: "Ravi Mehta", email: "ravi@acme.example" },
  { userId: 3, name: "Dan Brown", email: "dbrown@acme.example" },
];

describe("suggestMember", () => {
  it("matches an e-mail, an e-mail's name, or a unique first name", () => {
    expect(suggestMember("Dana.K@acme.example", members)).toBe(1);
    expect(suggestMember("ravi@other.example", members)).toBe(2);
    expect(suggestMember("dana-k", members)).toBe(1);
    expect(suggestMember("ravi-m", members)).toBe(2);
  });

  it("suggests nobody when it is unsure", () => {
    expect(suggestMember("ci-bot", members)).toBeNull();
    expect(suggestMember("", members)).toBeNull();
    expect(suggestMember("al-x", [{ userId: 9, name: "Al", email: "al@x.example" }, ...members])).toBeNull();
    const twins = [...members, { userId: 4, name: "Dana Lee", email: "dlee@acme.example" }];
    expect(suggestMember("dana-x", twins)).toBeNull();
  });
});
