import { expect } from "vitest";
import { HttpClient } from "./server";

let counter = 0;

/** Signs a new user up through the real form and returns a logged-in client. */
export async function signUp(baseUrl: string, name: string, redirectTo = "/teams/new") {
  const client = new HttpClient(baseUrl);
  const email = `${name.toLowerCase().replace(/\W+/g, "")}-${Date.now()}-${counter++}@example.com`;
  const res = await client.post("/signup", { name, email, password: "correct horse battery", redirectTo });
  expect(res.status, await res.clone().text()).toBe(302);
  return Object.assign(client, { email });
}

export async function createTeam(client: HttpClient, name: string, slug: string) {
  const res = await client.post("/teams/new", { name, slug });
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe(`/t/${slug}`);
}

/** Creates an invite link as a manager/owner and has a new user accept it. */
export async function joinWithRole(
  owner: HttpClient,
  slug: string,
  role: "manager" | "member" | "observer",
  name: string,
) {
  const res = await owner.post(`/t/${slug}/settings/members`, { intent: "invite", role });
  const html = await res.text();
  const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(html)?.[1];
  expect(token, "invite link in the page").toBeTruthy();
  const user = await signUp(owner.baseUrl, name, `/invite/${token}`);
  const join = await user.post(`/invite/${token}`, {});
  expect(join.status).toBe(302);
  expect(join.headers.get("location")).toBe(`/t/${slug}`);
  return user;
}
