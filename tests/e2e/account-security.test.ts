import { spawnSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

// Account takeover, open redirects, the login throttle and "Forgot password?", against the built
// server as an attacker would try them (issue 12).

const PASSWORD = "correct horse battery";

/** A tiny SMTP receiver on loopback: keeps every message it is sent. */
async function startSmtpReceiver() {
  const messages: string[] = [];
  const server = net.createServer((socket) => {
    socket.setEncoding("utf8");
    let buffer = "";
    let data: string[] | null = null;
    socket.write("220 localhost test SMTP\r\n");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line === ".") {
            messages.push(data.join("\n"));
            data = null;
            socket.write("250 queued\r\n");
          } else data.push(line.startsWith("..") ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250 localhost\r\n");
        else if (verb === "DATA") {
          data = [];
          socket.write("354 end with .\r\n");
        } else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls (no fixed sleeps) until `check` returns a value. */
async function waitFor<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The text of a mail: quoted-printable soft breaks and escapes undone. */
const decodeMail = (raw: string) =>
  raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

const resetPath = (text: string) => /\/reset\/[A-Za-z0-9_-]+/.exec(text)?.[0];

async function logIn(baseUrl: string, email: string, password: string, redirectTo = "") {
  const client = new HttpClient(baseUrl);
  const res = await client.post("/login", { email, password, redirectTo });
  return { client, res };
}

describe("accounts on a server without mail", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it("refuses a team's reset link for a member who owns another team, and offers it where the team outranks them", async () => {
    const alice = await signUp(server.url, "Alice Owner");
    await createTeam(alice, "Alpha", "alpha");
    // Carol owns team Beta and joins Alpha as a plain member.
    const carol = await joinWithRole(alice, "alpha", "member", "Carol Victim");
    await createTeam(carol, "Beta", "beta");
    const bob = await joinWithRole(alice, "alpha", "member", "Bob Member");

    const page = await (await alice.request("/t/alpha/settings/members")).text();
    const ids = Object.fromEntries(
      [...page.matchAll(/for="role-(\d+)">Role of (?:<!-- -->)?([^<]+)</g)].map((m) => [m[2]!.trim(), m[1]!]),
    );
    expect(ids["Carol Victim"], page).toBeTruthy();
    expect(page).not.toContain("Reset link for Carol Victim");
    expect(page).toContain("Reset link for Bob Member");

    const refused = await alice.post("/t/alpha/settings/members", {
      intent: "reset-link",
      userId: ids["Carol Victim"]!,
    });
    const refusedHtml = await refused.text();
    expect(refused.status).toBe(400);
    expect(resetPath(refusedHtml)).toBeUndefined();
    expect(refusedHtml).toContain("You do not outrank this person in every team");
    // Carol's password still works.
    expect((await logIn(server.url, carol.email, PASSWORD)).res.status).toBe(302);

    // Bob is only in Alpha: the link works, ends his other sessions, and works once.
    const made = await alice.post("/t/alpha/settings/members", { intent: "reset-link", userId: ids["Bob Member"]! });
    const link = resetPath(await made.text());
    expect(link).toBeTruthy();
    expect((await bob.request("/t/alpha")).status).toBe(200);
    const browser = new HttpClient(server.url);
    expect((await browser.request(link!)).status).toBe(200);
    const used = await browser.post(link!, { password: "bobs new password" });
    expect(used.status).toBe(302);
    expect((await browser.request("/t/alpha")).status).toBe(200);
    expect((await bob.request("/t/alpha")).headers.get("location")).toMatch(/^\/login/);
    expect((await new HttpClient(server.url).post(link!, { password: "another password" })).status).toBe(404);
    expect((await logIn(server.url, bob.email, "bobs new password")).res.status).toBe(302);
  });

  it("redirects after login and sign-up only to a path on this site", async () => {
    const user = await signUp(server.url, "Rita Redirect");
    for (const redirectTo of [
      "/\t/evil.test",
      "/\n/evil.test",
      "/\r\n/evil.test",
      "//evil.test",
      "/\\evil.test",
      "https://evil.test/",
    ]) {
      const { res } = await logIn(server.url, user.email, PASSWORD, redirectTo);
      expect(res.status, JSON.stringify(redirectTo)).toBe(302);
      expect(res.headers.get("location"), JSON.stringify(redirectTo)).toBe("/");
    }
    expect((await logIn(server.url, user.email, PASSWORD, "/teams/new?x=1")).res.headers.get("location")).toBe(
      "/teams/new?x=1",
    );
    const signup = await new HttpClient(server.url).post("/signup", {
      name: "Sam",
      email: `sam-${Date.now()}@example.com`,
      password: PASSWORD,
      redirectTo: "/\t/evil.test",
    });
    expect(signup.headers.get("location")).toBe("/teams/new");
  });

  it("checks at most 5 of 30 parallel wrong passwords for one account", async () => {
    const user = await signUp(server.url, "Tess Throttle");
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        new HttpClient(server.url).post("/login", { email: user.email, password: `wrong ${i}` }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    // Even the right password waits now (the account is throttled, not the guesser's cookie).
    expect((await logIn(server.url, user.email, PASSWORD)).res.status).toBe(429);
  });

  it("logs no password hash, password or token when a sign-up or a reset fails", async () => {
    const mark = server.output().length;
    const secret = "never in any log 42";
    await new HttpClient(server.url).post("/signup", {
      name: "Nul\u0000Byte",
      email: `nul-${Date.now()}@example.com`,
      password: secret,
    });
    await new HttpClient(server.url).post("/reset/not-a-token", { password: secret });
    const log = server.output().slice(mark);
    expect(log).not.toContain("scrypt$");
    expect(log).not.toContain(secret);
    expect(log).not.toMatch(/params|\$\d/);
  });

  it("says, without mail, whom to ask for a reset link", async () => {
    const html = await (await new HttpClient(server.url).request("/forgot-password")).text();
    expect(html).toContain("does not send e-mail");
    expect(html).toContain("person who runs this server");
    expect(html).not.toContain('name="email"');
    expect((await new HttpClient(server.url).request("/login")).status).toBe(200);
    expect(await (await new HttpClient(server.url).request("/login")).text()).toContain('href="/forgot-password"');
    expect((await new HttpClient(server.url).post("/forgot-password", { email: "x@example.com" })).status).toBe(404);
  });

  it("gives the operator a link for any account on the command line (npm run user:reset-link)", async () => {
    const owner = await signUp(server.url, "Olga Operated");
    await createTeam(owner, "Gamma", "gamma");
    await server.stop();
    const run = (args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "scripts/user-reset-link.ts", ...args], {
        env: {
          ...process.env,
          DATABASE_URL: "",
          PGLITE_DIR: path.join(server.dataDir, "pglite"),
          APP_ORIGIN: "https://poker.example",
        },
        encoding: "utf8",
        timeout: 120_000,
      });
    const missing = run(["--", "nobody@example.com"]);
    expect(missing.status, missing.stderr).toBe(1);
    expect(missing.stdout).toBe("");
    const made = run(["--", owner.email.toUpperCase()]);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^https:\/\/poker\.example\/reset\/[A-Za-z0-9_-]+\n$/);
    expect(made.stderr).not.toContain(made.stdout.trim());

    server = await startTestServer({ dataDir: server.dataDir });
    const browser = new HttpClient(server.url);
    const link = resetPath(made.stdout)!;
    expect((await browser.post(link, { password: "operator gave me this" })).status).toBe(302);
    expect((await browser.request("/t/gamma")).status).toBe(200);
    expect((await logIn(server.url, owner.email, "operator gave me this")).res.status).toBe(302);
  });
});

describe("Forgot password? with SMTP_URL", () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let port: number;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    port = await freePort();
    server = await startTestServer({
      env: { PORT: String(port), APP_ORIGIN: `http://127.0.0.1:${port}`, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });

  const statusText = (html: string) => /<p role="status"[^>]*>([^<]+)</.exec(html)?.[1];

  it("answers alike for a known and an unknown address, mails the known one a working link, and throttles", async () => {
    const user = await signUp(server.url, "Fred Forgetful");
    const unknown = await new HttpClient(server.url).post("/forgot-password", { email: `nobody-${user.email}` });
    const known = await new HttpClient(server.url).post("/forgot-password", { email: ` ${user.email.toUpperCase()} ` });
    expect(unknown.status).toBe(200);
    expect(known.status).toBe(200);
    const [a, b] = [statusText(await unknown.text()), statusText(await known.text())];
    expect(a).toContain("If an account exists");
    expect(a).toBe(b);

    const mail = decodeMail(await waitFor(() => smtp.messages[0], "the reset mail"));
    expect(mail).toContain(`To: ${user.email}`);
    // Built on APP_ORIGIN (never on the request's Host header).
    const url = new RegExp(`http://127\\.0\\.0\\.1:${port}/reset/[A-Za-z0-9_-]+`).exec(mail)?.[0];
    expect(url, mail).toBeTruthy();

    const browser = new HttpClient(server.url);
    expect(await (await browser.request(new URL(url!).pathname)).text()).toContain(user.email);
    expect((await browser.post(new URL(url!).pathname, { password: "remembered now 1" })).status).toBe(302);
    expect((await user.request("/teams/new")).headers.get("location")).toMatch(/^\/login/);
    expect((await logIn(server.url, user.email, "remembered now 1")).res.status).toBe(302);
    // Only the known address got mail.
    expect(smtp.messages).toHaveLength(1);

    // Per address: three an hour (two were asked above, counting the unknown's own budget apart).
    expect((await new HttpClient(server.url).post("/forgot-password", { email: user.email })).status).toBe(200);
    expect((await new HttpClient(server.url).post("/forgot-password", { email: user.email })).status).toBe(200);
    expect((await new HttpClient(server.url).post("/forgot-password", { email: user.email })).status).toBe(429);
  });
});
