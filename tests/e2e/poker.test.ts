import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { createPokerSessionOverHttp, openEventStream, shareLogin } from "../helpers/poker-fixture";
import { HttpClient, startTestServer, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";
import { freshPostgresDatabase } from "../../scripts/lib/fresh-database";

// Poker end to end: the room in three browsers, a server restart in the middle of a round, what
// another participant can read before reveal (stream, HTML, .data), and two instances on PostgreSQL.

const DIMENSIONS = ["Model intensity", "Autonomy level", "Budget risk"] as const;

async function pick(page: Page, cards: [string, string, string]) {
  for (const [i, label] of DIMENSIONS.entries()) {
    await page
      .getByRole("radiogroup", { name: label })
      .first()
      .getByRole("radio", { name: cards[i], exact: true })
      .check();
  }
}

/** The room is hydrated and its stream delivered a snapshot. */
async function waitLive(page: Page) {
  await expect.poll(() => page.getByTestId("live-indicator").textContent(), { timeout: 20_000 }).toBe("Live");
}

async function person(page: Page, name: string) {
  return (
    (await page
      .getByRole("list", { name: "People in this session" })
      .getByRole("listitem")
      .filter({ hasText: name })
      .textContent()) ?? ""
  );
}

describe.skipIf(!chromiumPath())("poker in real browsers", () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  async function as(client: HttpClient) {
    const context = await browser.newContext({ baseURL: server.url });
    contexts.push(context);
    await shareLogin(context, client);
    return context.newPage();
  }

  it("runs join → vote → reveal → re-vote → finalize with a facilitator, a voter and an observer", async () => {
    const owner = await signUp(server.url, "Fran Facilitator");
    await createTeam(owner, "Poker Crew", "poker-crew");
    const voter = await joinWithRole(owner, "poker-crew", "member", "Val Voter");
    const observer = await joinWithRole(owner, "poker-crew", "observer", "Obi Observer");
    const { id, titles } = await createPokerSessionOverHttp(owner, "poker-crew");
    const url = `/t/poker-crew/poker/${id}`;

    const fran = await as(owner);
    const val = await as(voter);
    const obi = await as(observer);
    for (const page of [fran, val, obi]) {
      await page.goto(url);
      await waitLive(page);
    }
    // The voter joins; the team observer is in the room just by being there, and cannot join to vote.
    await val.getByRole("button", { name: "Join as voter" }).click();
    await expect.poll(() => person(fran, "Val Voter")).toContain("… not yet");
    await expect.poll(() => person(fran, "Obi Observer")).toContain("Observer");
    expect(await obi.getByRole("button", { name: "Join as voter" }).count()).toBe(0);
    expect(await obi.getByRole("radiogroup", { name: "Model intensity" }).count()).toBe(0);

    // Round 1: different cards. Others see that Val voted, never what.
    await pick(val, ["Frontier", "Delegate", "High"]);
    await expect.poll(() => person(fran, "Val Voter")).toContain("✓ voted");
    await expect.poll(() => person(obi, "Val Voter")).toContain("✓ voted");
    await pick(fran, ["Standard", "Pair", "Medium"]);
    await expect.poll(() => obi.getByText("2 of 2").count()).toBe(1);
    expect(await obi.getByTestId("revealed-round").count()).toBe(0);
    // A reload loses nothing: Val's cards come back from the server.
    await val.reload();
    await waitLive(val);
    expect(
      await val
        .getByRole("radiogroup", { name: "Model intensity" })
        .getByRole("radio", { name: "Frontier", exact: true })
        .isChecked(),
    ).toBe(true);

    await fran.getByRole("button", { name: "Reveal", exact: true }).click();
    for (const page of [fran, val, obi]) {
      await expect.poll(() => page.getByTestId("revealed-round").count()).toBe(1);
      const table = page.getByTestId("revealed-round").getByRole("table");
      await expect
        .poll(() => table.getByRole("row", { name: /Val Voter/ }).textContent())
        .toMatch(/Frontier.*Delegate.*High/);
      await expect
        .poll(() => table.getByRole("row", { name: /Fran Facilitator/ }).textContent())
        .toMatch(/Standard.*Pair.*Medium/);
    }
    expect(await obi.getByText("Agreement:").count()).toBe(1);

    // Round 2 after a re-vote; round 1 stays in the history.
    await fran.getByRole("button", { name: "Re-vote" }).click();
    await expect.poll(() => val.getByText(/round 2/).count()).toBeGreaterThan(0);
    await pick(val, ["Standard", "Delegate", "Medium"]);
    await pick(fran, ["Standard", "Delegate", "Medium"]);
    await expect.poll(() => obi.getByText("2 of 2").count()).toBe(1);
    await fran.getByRole("button", { name: "Reveal", exact: true }).click();
    await expect.poll(() => obi.getByText("Round 2 results", { exact: true }).count()).toBe(1);
    await expect.poll(() => obi.getByText("Earlier rounds (1)").count()).toBe(1);
    expect(await obi.getByTestId("revealed-round").first().textContent()).toContain("Unanimous");

    // Finalize with the suggestion (preselected): the story gets M, 150 credits, for everyone.
    expect(await fran.locator("#finalize-intensity").inputValue()).toBe("standard");
    await fran.getByRole("button", { name: "Finalize", exact: true }).click();
    for (const page of [fran, val, obi]) {
      await expect.poll(() => page.getByText(/Finalized: M/).count()).toBe(1);
      await expect
        .poll(() => page.getByRole("region", { name: "Session summary" }).textContent())
        .toContain("150 credits");
    }
    await fran.getByRole("button", { name: "Next story" }).click();
    await expect.poll(() => val.getByRole("heading", { level: 2, name: titles[1] }).count()).toBe(1);
    // The observer can change nothing, even by posting directly.
    const forged = await observer.post(`${url}`, { intent: "reveal" });
    expect(forged.status).toBe(403);
  });

  it("survives a server restart in the middle of a round with every vote intact", async () => {
    const owner = await signUp(server.url, "Rita Restart");
    await createTeam(owner, "Restart Crew", "restart-crew");
    const member = await joinWithRole(owner, "restart-crew", "member", "Max Member");
    const { id } = await createPokerSessionOverHttp(owner, "restart-crew");
    const url = `/t/restart-crew/poker/${id}`;
    expect((await member.post(url, { intent: "join", role: "voter" })).status).toBe(200);

    const rita = await as(owner);
    const max = await as(member);
    for (const page of [rita, max]) {
      await page.goto(url);
      await waitLive(page);
    }
    await pick(rita, ["Light", "Assist", "Low"]);
    await max
      .getByRole("radiogroup", { name: "Model intensity" })
      .getByRole("radio", { name: "Frontier max", exact: true })
      .check();
    await expect.poll(() => person(max, "Rita Restart")).toContain("✓ voted");

    // Stop the server and start it again on the same data folder and port.
    const port = new URL(server.url).port;
    const dataDir = server.dataDir;
    await server.stop();
    await expect
      .poll(() => max.getByTestId("live-indicator").textContent(), { timeout: 15_000 })
      .toMatch(/Reconnecting/);
    server = await startTestServer({ dataDir, env: { PORT: port } });
    // Both pages reconnect by themselves and resync.
    await waitLive(rita);
    await waitLive(max);
    expect(
      await max
        .getByRole("radiogroup", { name: "Model intensity" })
        .getByRole("radio", { name: "Frontier max", exact: true })
        .isChecked(),
    ).toBe(true);
    await max
      .getByRole("radiogroup", { name: "Autonomy level" })
      .getByRole("radio", { name: "Autonomous", exact: true })
      .check();
    await max
      .getByRole("radiogroup", { name: "Budget risk" })
      .getByRole("radio", { name: "Can't say", exact: true })
      .check();
    // A vote cast just after the restart reaches the other page once its stream has resynced:
    // give that the time a loaded machine takes, not the poll's default second.
    await expect.poll(() => person(rita, "Max Member"), { timeout: 15_000 }).toContain("✓ voted");

    await rita.getByRole("button", { name: "Reveal", exact: true }).click();
    const table = max.getByTestId("revealed-round").getByRole("table");
    await expect
      .poll(() => table.getByRole("row", { name: /Max Member/ }).textContent())
      .toMatch(/Frontier max.*Autonomous.*\?/);
    await expect
      .poll(() => table.getByRole("row", { name: /Rita Restart/ }).textContent())
      .toMatch(/Light.*Assist.*Low/);
  });
});

/** Every string a loader or stream payload holds, minus the deck (`scheme`) and the viewer's own cards (`mine`). */
function visibleStrings(value: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof value === "string") out.push(value);
  else if (value && typeof value === "object" && !seen.has(value)) {
    seen.add(value);
    for (const [key, v] of Object.entries(value)) if (key !== "scheme" && key !== "mine") visibleStrings(v, out, seen);
  }
  return out;
}

async function decodeTurbo(text: string): Promise<unknown> {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode(text));
      c.close();
    },
  });
  const decoded = await decode(stream);
  await decoded.done;
  return decoded.value;
}

/** The loader data a Remix document carries (single fetch streams it into inline scripts). */
async function documentData(html: string): Promise<unknown> {
  const chunks = [...html.matchAll(/streamController\.enqueue\(("(?:[^"\\]|\\.)*")\)/g)].map(
    (m) => JSON.parse(m[1]!) as string,
  );
  expect(chunks.length).toBeGreaterThan(0);
  return decodeTurbo(chunks.join(""));
}

describe("poker: nothing leaks before reveal", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it("shows another participant, the facilitator and a guest that a vote was cast, never its value", async () => {
    const owner = await signUp(server.url, "Fay Facilitator");
    await createTeam(owner, "Leak Test", "leak-test");
    const alice = await joinWithRole(owner, "leak-test", "member", "Alice Secret");
    const bob = await joinWithRole(owner, "leak-test", "member", "Bob Curious");
    const { id } = await createPokerSessionOverHttp(owner, "leak-test", { allowGuests: true, allowAhead: true });
    const url = `/t/leak-test/poker/${id}`;
    for (const m of [alice, bob]) expect((await m.post(url, { intent: "join", role: "voter" })).status).toBe(200);

    // A guest joins through the guest link shown to members.
    const guestKey = /\/poker\/join\/([A-Za-z0-9_-]+)/.exec(await (await owner.request(url)).text())?.[1];
    expect(guestKey).toBeTruthy();
    const guest = new HttpClient(server.url);
    const joined = await guest.post(`/poker/join/${guestKey}`, { name: "Gwen Guest" });
    expect(joined.status).toBe(302);
    expect(joined.headers.get("location")).toBe(url);

    const streams = {
      bob: await openEventStream(server.url, `${url}/events`, bob.cookie),
      facilitator: await openEventStream(server.url, `${url}/events`, owner.cookie),
      guest: await openEventStream(server.url, `${url}/events`, guest.cookie),
    };
    for (const s of Object.values(streams)) {
      expect(s.res.status).toBe(200);
      expect(s.res.headers.get("content-type")).toContain("text/event-stream");
    }
    const first = await streams.bob.waitForSnapshot(() => true);
    const roundId = first.room.current.round.id as number;
    const aheadRoundId = first.room.queue[1].openRoundId as number;
    const aliceId = first.room.participants.find((p: { name: string }) => p.name === "Alice Secret").id as number;

    // Alice votes, on the current story and ahead on the next one.
    const SECRET = { intensity: "frontier-max", autonomy: "autonomous", risk: "high" };
    expect((await alice.post(url, { intent: "vote", roundId: String(roundId), ...SECRET, ts: "1" })).status).toBe(200);
    expect(
      (
        await alice.post(url, {
          intent: "vote",
          roundId: String(aheadRoundId),
          intensity: "light",
          autonomy: "assist",
          risk: "low",
          ts: "2",
        })
      ).status,
    ).toBe(200);
    const values = [...Object.values(SECRET), "light", "assist", "low"];
    const voted = (v: Record<string, any>) =>
      v.room.participants.some((p: { id: number; voted: boolean }) => p.id === aliceId && p.voted);
    for (const s of Object.values(streams))
      await s.waitForSnapshot((v) => voted(v) && v.room.queue[1].votedCount === 1);

    // The raw streams: every snapshot, minus the deck, holds none of Alice's values.
    for (const [who, s] of Object.entries(streams)) {
      expect(s.raw(), who).toContain("event: snapshot");
      for (const view of s.snapshots()) {
        const strings = visibleStrings(view);
        for (const value of values) expect(strings, `${who} stream holds "${value}"`).not.toContain(value);
        expect(Object.keys(view.mine), who).toEqual([]); // none of them voted
      }
    }
    // The same views as loader data: the HTML document and the single-fetch .data response.
    for (const [who, client] of [
      ["bob", bob],
      ["facilitator", owner],
      ["guest", guest],
    ] as const) {
      const html = await (await client.request(url)).text();
      const doc = visibleStrings(await documentData(html));
      expect(doc, who).toContain("Alice Secret");
      for (const value of values) expect(doc, `${who} HTML data holds "${value}"`).not.toContain(value);
      // The rendered markup, minus the card deck: no card label of Alice's either.
      const markup = html
        .replace(/<script[\s\S]*?<\/script>/g, "")
        .replace(/<fieldset class="deck-group"[\s\S]*?<\/fieldset>/g, "");
      for (const label of ["Frontier max", "frontier-max", "Autonomous", "autonomous"])
        expect(markup, `${who} markup holds ${label}`).not.toContain(label);
      const data = await client.request(`${url}.data`);
      expect(data.status, who).toBe(200);
      const strings = visibleStrings(await decodeTurbo(await data.text()));
      expect(strings, who).toContain("Alice Secret");
      for (const value of values) expect(strings, `${who} .data holds "${value}"`).not.toContain(value);
    }
    // Alice herself gets her own cards back.
    const own = await openEventStream(server.url, `${url}/events`, alice.cookie);
    const mine = await own.waitForSnapshot(() => true);
    expect(mine.mine[String(roundId)]).toMatchObject({ ...SECRET, split: false });
    await own.close();

    // After reveal, everyone sees the current story's votes (the early ones stay hidden).
    expect((await owner.post(url, { intent: "reveal" })).status).toBe(200);
    const after = await streams.bob.waitForSnapshot((v) => v.room.current.round.status === "revealed");
    const revealedStrings = visibleStrings(after);
    expect(revealedStrings).toContain("frontier-max");
    expect(revealedStrings).not.toContain("assist");
    for (const s of Object.values(streams)) await s.close();

    // The guest sees nothing else of the team: every other team URL is a 404.
    for (const path of [
      "/t/leak-test",
      "/t/leak-test/poker",
      "/t/leak-test/backlog",
      "/t/leak-test/settings/members",
      `/t/leak-test/poker/${Number(id) + 1000}`,
    ]) {
      expect((await guest.request(path)).status, path).toBe(404);
    }
    expect((await guest.post(url, { intent: "reveal" })).status).toBe(403);
    // Once the session ends, the guest's access ends with it.
    expect((await owner.post(url, { intent: "end" })).status).toBe(200);
    expect((await guest.request(url)).status).toBe(404);
  });
});

const databaseUrl = process.env.DATABASE_URL || "";

describe.skipIf(!databaseUrl || !chromiumPath())("poker across two instances on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let a: TestServer;
  let b: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    database = await freshPostgresDatabase(databaseUrl, "e2e");
    const env = { DATABASE_URL: database!.url, SESSION_SECRET: randomBytes(24).toString("hex") };
    a = await startTestServer({ env });
    b = await startTestServer({ env });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  it("delivers a vote cast on one instance to a client of the other", async () => {
    const owner = await signUp(a.url, "Ola Owner");
    await createTeam(owner, "Two Boxes", "two-boxes");
    const member = await joinWithRole(owner, "two-boxes", "member", "Mia Member");
    const { id } = await createPokerSessionOverHttp(owner, "two-boxes");
    const url = `/t/two-boxes/poker/${id}`;
    expect((await member.post(url, { intent: "join", role: "voter" })).status).toBe(200);

    // The facilitator watches through instance B, in a browser and on a raw stream.
    const context = await browser.newContext({ baseURL: b.url });
    await shareLogin(context, Object.assign(new HttpClient(b.url), { cookie: owner.cookie }));
    const page = await context.newPage();
    await page.goto(url);
    await waitLive(page);
    const stream = await openEventStream(b.url, `${url}/events`, owner.cookie);
    const first = await stream.waitForSnapshot(() => true);

    // Mia votes through instance A.
    const res = await member.post(url, {
      intent: "vote",
      roundId: String(first.room.current.round.id),
      intensity: "standard",
      autonomy: "pair",
      risk: "low",
    });
    expect(res.status).toBe(200);
    await stream.waitForSnapshot((v) =>
      v.room.participants.some((p: { name: string; voted: boolean }) => p.name === "Mia Member" && p.voted),
    );
    await expect.poll(() => person(page, "Mia Member"), { timeout: 10_000 }).toContain("✓ voted");

    // A reveal on A reaches B's browser with the values.
    expect((await owner.post(url, { intent: "reveal" })).status).toBe(200);
    const table = page.getByTestId("revealed-round").getByRole("table");
    await expect
      .poll(() => table.getByRole("row", { name: /Mia Member/ }).textContent(), { timeout: 10_000 })
      .toMatch(/Standard.*Pair.*Low/);
    await stream.close();
    await context.close();
  });
});
