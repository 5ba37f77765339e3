import { afterAll, beforeAll, expect, it } from "vitest";
import { commentIsOurs } from "~/domain/trackers/tracker-api";
import { listStories, recordEstimate } from "~/models/story.server";
import {
  addTrackerConnection,
  listStoryTrackerPushes,
  listTrackerConnections,
  openTrackerApi,
  pushStoryEstimate,
} from "~/models/tracker-connection.server";
import { importTrackerItems } from "~/models/tracker-import.server";
import { TrackerApiError } from "~/utils/tracker-api.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";
import { startFakeTrackers, type FakeTrackers } from "../helpers/fake-trackers";

const SECRET = "a-session-secret-for-the-tests";
let fake: FakeTrackers;
beforeAll(async () => {
  // The stand-in servers are on loopback, which team-supplied addresses may reach only when allowed.
  process.env.WEBHOOK_ALLOW_PRIVATE = "1";
  fake = await seeded();
});

async function seeded(): Promise<FakeTrackers> {
  const fake = await startFakeTrackers();
  fake.github.issues = [1, 2, 3].map((n) => ({
    number: n,
    title: `Issue ${n}`,
    body: "",
    html_url: `https://github.com/acme/pay-api/issues/${n}`,
    state: n === 3 ? "closed" : "open",
    labels: [{ name: "agents" }],
  }));
  fake.github.issues.push({
    number: 4,
    title: "A pull request",
    html_url: "https://github.com/acme/pay-api/pull/4",
    state: "open",
    pull_request: {},
  });
  fake.jira.issues = ["PAY-1", "PAY-2", "PAY-3"].map((key, i) => ({
    key,
    fields: {
      summary: `Jira ${key}`,
      labels: ["backend"],
      description: {
        type: "doc",
        version: 1,
        content: [{ type: "paragraph", content: [{ type: "text", text: "Body" }] }],
      },
      status: { name: i === 2 ? "Done" : "To Do", statusCategory: { key: i === 2 ? "done" : "new" } },
    },
  }));
  return fake;
}
afterAll(async () => {
  await fake?.close();
  delete process.env.WEBHOOK_ALLOW_PRIVATE;
});

describeDb("tracker connections", (t) => {
  it("seals the token, pulls every page from GitHub and Jira, and never returns the token", async () => {
    const { team, owner } = await makeTeam(t.db);
    const github = await addTrackerConnection(t.db, {
      teamId: team.id,
      kind: "github",
      baseUrl: fake.url,
      project: "acme/pay-api",
      account: null,
      token: "ghp_secret_token",
      pushMode: "always",
      membersCanPull: true,
      createdBy: owner.id,
      secret: SECRET,
    });
    const jira = await addTrackerConnection(t.db, {
      teamId: team.id,
      kind: "jira",
      baseUrl: fake.url,
      project: "PAY",
      account: "dana@example.com",
      token: "atl_secret",
      pushMode: "ask",
      membersCanPull: false,
      createdBy: owner.id,
      secret: SECRET,
    });
    expect(JSON.stringify(await listTrackerConnections(t.db, team.id))).not.toContain("secret");
    const sealed = await t.db
      .selectFrom("trackerConnections")
      .select("tokenSealed")
      .where("id", "=", github)
      .executeTakeFirstOrThrow();
    expect(sealed.tokenSealed).not.toContain("ghp_secret_token");
    // Another secret (or another team) cannot open it.
    expect(
      await openTrackerApi(t.db, { teamId: team.id, connectionId: github, secret: "another-secret-entirely" }),
    ).toBeNull();
    const other = await makeTeam(t.db);
    expect(await openTrackerApi(t.db, { teamId: other.team.id, connectionId: github, secret: SECRET })).toBeNull();

    const gh = (await openTrackerApi(t.db, { teamId: team.id, connectionId: github, secret: SECRET }))!;
    const ghItems = await gh.api.pull({});
    expect(ghItems.map((i) => [i.key, i.closed])).toEqual([
      ["PAYAPI-1", false],
      ["PAYAPI-2", false],
      ["PAYAPI-3", true],
    ]);
    expect(
      fake.requests.filter((r) => r.path.endsWith("/issues")).every((r) => r.auth === "Bearer ghp_secret_token"),
    ).toBe(true);

    const jr = (await openTrackerApi(t.db, { teamId: team.id, connectionId: jira, secret: SECRET }))!;
    const jiraItems = await jr.api.pull({ jql: "project = PAY" });
    expect(jiraItems.map((i) => [i.key, i.closed, i.description, i.link])).toEqual([
      ["PAY-1", false, "Body", `${fake.url}/browse/PAY-1`],
      ["PAY-2", false, "Body", `${fake.url}/browse/PAY-2`],
      ["PAY-3", true, "Body", `${fake.url}/browse/PAY-3`],
    ]);
    expect(fake.requests.at(-1)!.auth).toBe(`Basic ${Buffer.from("dana@example.com:atl_secret").toString("base64")}`);
  });

  it("writes a finalized estimate back as one label and one comment, replaced on re-estimate; failures are kept for a retry", async () => {
    const { team, owner } = await makeTeam(t.db);
    await addTrackerConnection(t.db, {
      teamId: team.id,
      kind: "github",
      baseUrl: fake.url,
      project: "acme/pay-api",
      account: null,
      token: "ghp_secret_token",
      pushMode: "always",
      membersCanPull: true,
      createdBy: owner.id,
      secret: SECRET,
    });
    const api = (await openTrackerApi(t.db, {
      teamId: team.id,
      connectionId: (await listTrackerConnections(t.db, team.id))[0]!.id,
      secret: SECRET,
    }))!;
    await importTrackerItems(t.db, { teamId: team.id, items: await api.api.pull({}) });
    const [story] = await listStories(t.db, { teamId: team.id, filters: {}, sort: "rank" });
    const levels = { intensity: "standard", autonomy: "delegate", risk: "medium" } as const;
    await recordEstimate(t.db, { teamId: team.id, storyId: story!.id, levels, source: "session", createdBy: owner.id });
    expect(
      await pushStoryEstimate(t.db, { teamId: team.id, storyId: story!.id, secret: SECRET, when: "finalized" }),
    ).toBe("done");
    expect(fake.github.labels.get(1)).toEqual(["ai-size:M"]);
    expect(fake.github.comments.get(1)).toHaveLength(1);
    expect(fake.github.comments.get(1)![0]!.body).toContain("AI size M");

    // Re-estimated larger: the label is replaced and the one comment edited, not a second added.
    await recordEstimate(t.db, {
      teamId: team.id,
      storyId: story!.id,
      levels: { ...levels, intensity: "frontier-max", autonomy: "autonomous" },
      source: "session",
      createdBy: owner.id,
    });
    expect(
      await pushStoryEstimate(t.db, { teamId: team.id, storyId: story!.id, secret: SECRET, when: "finalized" }),
    ).toBe("done");
    expect(fake.github.labels.get(1)).toHaveLength(1);
    expect(fake.github.labels.get(1)![0]).not.toBe("ai-size:M");
    expect(fake.github.comments.get(1)!.filter((c) => commentIsOurs(c.body))).toHaveLength(1);

    // An expired token: recorded on the story, not thrown at the meeting.
    fake.failWith = 401;
    expect(await pushStoryEstimate(t.db, { teamId: team.id, storyId: story!.id, secret: SECRET, when: "asked" })).toBe(
      "failed",
    );
    fake.failWith = null;
    expect(await listStoryTrackerPushes(t.db, { teamId: team.id, storyId: story!.id })).toMatchObject([
      { status: "failed", message: expect.stringContaining("refused the token") },
    ]);
    expect(await pushStoryEstimate(t.db, { teamId: team.id, storyId: story!.id, secret: SECRET, when: "asked" })).toBe(
      "done",
    );
    expect(await listStoryTrackerPushes(t.db, { teamId: team.id, storyId: story!.id })).toMatchObject([
      { status: "done" },
    ]);
  });

  it("says what went wrong: 404, 429 with its retry time, an unreachable server", async () => {
    const { team, owner } = await makeTeam(t.db);
    const id = await addTrackerConnection(t.db, {
      teamId: team.id,
      kind: "jira",
      baseUrl: fake.url,
      project: "PAY",
      account: "a@example.com",
      token: "atl_secret",
      pushMode: "ask",
      membersCanPull: true,
      createdBy: owner.id,
      secret: SECRET,
    });
    const { api } = (await openTrackerApi(t.db, { teamId: team.id, connectionId: id, secret: SECRET }))!;
    await expect(
      api.pushEstimate(
        { key: "PAY-99", link: null },
        { size: "S", intensity: "", autonomy: "", risk: "", expectedCredits: 1, p80Credits: 2, schemeVersion: 1 },
      ),
    ).rejects.toMatchObject({ kind: "not-found" });
    fake.failWith = 429;
    await expect(api.pull({})).rejects.toMatchObject({ kind: "rate-limited", retryAfterSeconds: 30 });
    fake.failWith = null;
    const gone = (await openTrackerApi(t.db, { teamId: team.id, connectionId: id, secret: SECRET }))!;
    await fake.close();
    await expect(gone.api.pull({})).rejects.toBeInstanceOf(TrackerApiError);
    fake = await seeded();
  });

  it("refuses internal addresses unless the operator allows them", async () => {
    const { team, owner } = await makeTeam(t.db);
    const id = await addTrackerConnection(t.db, {
      teamId: team.id,
      kind: "github",
      baseUrl: "http://127.0.0.1:9",
      project: "acme/x",
      account: null,
      token: "ghp_secret_token",
      pushMode: "ask",
      membersCanPull: true,
      createdBy: owner.id,
      secret: SECRET,
    });
    const { api } = (await openTrackerApi(t.db, { teamId: team.id, connectionId: id, secret: SECRET }))!;
    delete process.env.WEBHOOK_ALLOW_PRIVATE;
    try {
      await expect(api.pull({})).rejects.toMatchObject({
        kind: "unreachable",
        message: expect.stringContaining("refused"),
      });
    } finally {
      process.env.WEBHOOK_ALLOW_PRIVATE = "1";
    }
  });
});
