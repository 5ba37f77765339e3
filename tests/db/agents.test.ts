import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { authenticateApiToken, createApiToken, listApiTokens, revokeApiToken } from "~/models/api-token.server";
import {
  claimSessionForStory,
  extendStoryBudget,
  getSprintStoryBudgets,
  getStoryBudget,
  listSprintExtensions,
  storyKeyForSession,
} from "~/models/budget.server";
import { ingestOtlp } from "~/models/otlp.server";
import { commitStory, createSprint, getSprint, listSprintStories } from "~/models/sprint.server";
import { listImports } from "~/models/spend.server";
import { createStory, recordEstimate } from "~/models/story.server";
import { addMember } from "~/models/team.server";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

const claudeLogs = JSON.parse(
  readFileSync(new URL("../fixtures/samples/claude-code-otlp-logs.json", import.meta.url), "utf8"),
);
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const nanos = (iso: string) => String(BigInt(Date.parse(iso)) * 1_000_000n);

function costMetric(session: string, usd: number, at = "2026-11-24T10:01:00Z") {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [str("story.id", "PAY-412")] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: "claude_code.cost.usage",
                sum: {
                  aggregationTemporality: 1,
                  dataPoints: [
                    {
                      attributes: [str("session.id", session), str("model", "claude-sonnet-4-6")],
                      startTimeUnixNano: nanos("2026-11-24T10:00:00Z"),
                      timeUnixNano: nanos(at),
                      asDouble: usd,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}
function apiRequest(session: string, sequence: string, usd: string, story?: string) {
  return {
    resourceLogs: [
      {
        resource: { attributes: story ? [str("story.id", story)] : [] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: nanos("2026-11-24T10:02:00Z"),
                body: { stringValue: "claude_code.api_request" },
                attributes: [str("session.id", session), str("event.sequence", sequence), str("cost_usd", usd)],
              },
            ],
          },
        ],
      },
    ],
  };
}

describeDb("agents: OpenTelemetry ingest, tokens, budget guard", (t) => {
  async function setup() {
    const { team, owner } = await makeTeam(t.db, "Agents");
    const story = await createStory(t.db, {
      teamId: team.id,
      key: "PAY-412",
      title: "Retry",
      link: null,
      labels: [],
      description: "",
    });
    await recordEstimate(t.db, {
      teamId: team.id,
      storyId: story.id,
      levels: { intensity: "standard", autonomy: "pair", risk: "low" },
      source: "solo",
      createdBy: owner.id,
    });
    const { id: tokenId } = await createApiToken(t.db, { teamId: team.id, name: "CI", createdBy: owner.id });
    return { team, owner, story, tokenId };
  }

  it("imports Claude Code's api_request events once, however often the export is retried", async () => {
    const { team, tokenId } = await setup();
    const first = await ingestOtlp(t.db, {
      teamId: team.id,
      tokenId,
      defaultUser: null,
      signal: "logs",
      request: claudeLogs,
    });
    expect(first).toMatchObject({
      accepted: 4,
      rejected: [],
      import: { imported: 2, credits: 3.265, byStoryKey: { "PAY-412": 3.265 } },
    });
    const again = await ingestOtlp(t.db, {
      teamId: team.id,
      tokenId,
      defaultUser: null,
      signal: "logs",
      request: claudeLogs,
    });
    expect(again.import).toMatchObject({ imported: 0, duplicates: 2 });
    const budget = await getStoryBudget(t.db, { teamId: team.id, key: "PAY-412" });
    expect(budget!.spent).toBe(3.265);
    const imports = await listImports(t.db, { teamId: team.id });
    expect(imports[0]).toMatchObject({ via: "otlp", fileName: "OpenTelemetry logs" });
  });

  it("never counts a session twice: metrics until its events arrive, then the events alone", async () => {
    const { team, tokenId } = await setup();
    const ingest = (signal: "logs" | "metrics", request: unknown) =>
      ingestOtlp(t.db, { teamId: team.id, tokenId, defaultUser: null, signal, request });
    await ingest("metrics", costMetric("s-1", 0.5));
    expect((await getStoryBudget(t.db, { teamId: team.id, key: "PAY-412" }))!.spent).toBe(50);
    await ingest("logs", apiRequest("s-1", "1", "0.2", "PAY-412"));
    expect((await getStoryBudget(t.db, { teamId: team.id, key: "PAY-412" }))!.spent).toBe(20);
    const later = await ingest("metrics", costMetric("s-1", 0.9, "2026-11-24T10:05:00Z"));
    expect(later.superseded).toBe(1);
    expect((await getStoryBudget(t.db, { teamId: team.id, key: "PAY-412" }))!.spent).toBe(20);
    const sessions = await t.db
      .selectFrom("otlpSessions")
      .select(["sessionId", "signal"])
      .where("teamId", "=", team.id)
      .where("sessionId", "in", ["s-1", "nope"])
      .execute();
    expect(sessions).toEqual([{ sessionId: "s-1", signal: "events" }]);
  });

  it("attributes through a session the hook claimed, and keeps another team's sessions apart", async () => {
    const { team, story, tokenId } = await setup();
    const other = await setup();
    await claimSessionForStory(t.db, { teamId: team.id, sessionId: "hooked", storyId: story.id });
    // A second claim does not take over a mapping someone made.
    await claimSessionForStory(t.db, { teamId: team.id, sessionId: "hooked", storyId: other.story.id });
    expect(await storyKeyForSession(t.db, { teamId: team.id, sessionId: "hooked" })).toEqual({
      id: story.id,
      key: "PAY-412",
    });
    expect(await storyKeyForSession(t.db, { teamId: other.team.id, sessionId: "hooked" })).toBeNull();
    await ingestOtlp(t.db, {
      teamId: team.id,
      tokenId,
      defaultUser: null,
      signal: "logs",
      request: apiRequest("hooked", "1", "0.3"),
    });
    expect((await getStoryBudget(t.db, { teamId: team.id, storyId: story.id }))!.spent).toBe(30);
    expect((await getStoryBudget(t.db, { teamId: other.team.id, storyId: other.story.id }))!.spent).toBe(0);
  });

  it("decides under the sprint's policy, and an extension (in the sprint's record) lets the story go on", async () => {
    const { team, owner, story, tokenId } = await setup();
    const today = new Date().toISOString().slice(0, 10);
    const sprint = await createSprint(t.db, {
      teamId: team.id,
      createdBy: owner.id,
      name: "S",
      goal: "",
      start: today,
      end: today,
      capacityKind: "credits",
      capacityCredits: 10_000,
      poolPlan: null,
      poolSeats: null,
      poolPerSeat: null,
      reservePercent: 0,
      commitBasis: "expected",
      exhaustionPolicy: "hard-stop",
    });
    expect(
      await commitStory(t.db, {
        teamId: team.id,
        sprintId: sprint.id,
        storyId: story.id,
        actorId: owner.id,
        actorIsManager: true,
      }),
    ).toMatchObject({ kind: "committed" });
    expect((await getStoryBudget(t.db, { teamId: team.id, key: "PAY-412" }))!.decision).toBe("continue");
    await ingestOtlp(t.db, {
      teamId: team.id,
      tokenId,
      defaultUser: null,
      signal: "logs",
      request: apiRequest("big", "1", "0.8", "PAY-412"),
    });
    const past = await getStoryBudget(t.db, { teamId: team.id, key: "PAY-412" });
    expect(past).toMatchObject({ decision: "stop", spent: 80, leftToP80: -5, sprint: { policy: "hard-stop" } });
    await extendStoryBudget(t.db, {
      teamId: team.id,
      storyId: story.id,
      credits: 50,
      reason: "Provider retries",
      userId: owner.id,
    });
    expect(await getStoryBudget(t.db, { teamId: team.id, key: "PAY-412" })).toMatchObject({
      decision: "continue",
      extended: 50,
      leftToP80: 45,
    });
    expect(await listSprintExtensions(t.db, { teamId: team.id, sprintId: sprint.id })).toEqual([
      expect.objectContaining({ key: "PAY-412", credits: 50, reason: "Provider retries" }),
    ]);
    await expect(
      extendStoryBudget(t.db, { teamId: team.id, storyId: story.id, credits: 5, reason: "  ", userId: owner.id }),
    ).rejects.toThrow(/why/);
  });

  it("gives a sprint's stories the same answers, read at once, as one story at a time", async () => {
    const { team, owner, story, tokenId } = await setup();
    const other = await createStory(t.db, {
      teamId: team.id,
      key: "PAY-413",
      title: "Extended",
      link: null,
      labels: [],
      description: "",
    });
    await recordEstimate(t.db, {
      teamId: team.id,
      storyId: other.id,
      levels: { intensity: "standard", autonomy: "pair", risk: "low" },
      source: "solo",
      createdBy: owner.id,
    });
    const today = new Date().toISOString().slice(0, 10);
    const { id: sprintId } = await createSprint(t.db, {
      teamId: team.id,
      createdBy: owner.id,
      name: "S",
      goal: "",
      start: today,
      end: today,
      capacityKind: "credits",
      capacityCredits: 10_000,
      poolPlan: null,
      poolSeats: null,
      poolPerSeat: null,
      reservePercent: 0,
      commitBasis: "expected",
      exhaustionPolicy: "approval",
    });
    for (const s of [story, other])
      expect(
        await commitStory(t.db, { teamId: team.id, sprintId, storyId: s.id, actorId: owner.id, actorIsManager: true }),
      ).toMatchObject({ kind: "committed" });
    await ingestOtlp(t.db, {
      teamId: team.id,
      tokenId,
      defaultUser: null,
      signal: "logs",
      request: apiRequest("big", "1", "0.8", "PAY-412"),
    });
    await extendStoryBudget(t.db, {
      teamId: team.id,
      storyId: other.id,
      credits: 3,
      reason: "Spike",
      userId: owner.id,
    });
    const sprint = (await getSprint(t.db, { teamId: team.id, sprintId }))!;
    const stories = await listSprintStories(t.db, { teamId: team.id, sprintId });
    const together = await getSprintStoryBudgets(t.db, { teamId: team.id, sprint, stories });
    const oneByOne = await Promise.all(stories.map((s) => getStoryBudget(t.db, { teamId: team.id, storyId: s.id })));
    expect(together).toEqual(oneByOne);
    expect(together.map((b) => [b.story.key, b.decision, b.extended])).toEqual(
      expect.arrayContaining([
        ["PAY-412", "stop", 0],
        ["PAY-413", "continue", 3],
      ]),
    );
  });

  it("scopes tokens, names a person, and stops a person's token when they leave or it is revoked", async () => {
    const { team, owner } = await setup();
    const dana = await makeUser(t.db, "Dana");
    await expect(
      createApiToken(t.db, { teamId: team.id, name: "x", createdBy: owner.id, scope: "ingest", userId: dana.id }),
    ).rejects.toThrow(/not a member/);
    await addMember(t.db, { teamId: team.id, userId: dana.id, role: "member" });
    const made = await createApiToken(t.db, {
      teamId: team.id,
      name: "Dana's laptop",
      createdBy: owner.id,
      scope: "ingest",
      userId: dana.id,
    });
    expect(await authenticateApiToken(t.db, made.token)).toMatchObject({
      scope: "ingest",
      userId: dana.id,
      userEmail: dana.email,
    });
    expect((await listApiTokens(t.db, team.id)).find((x) => x.id === made.id)).toMatchObject({
      scope: "ingest",
      personName: dana.name,
    });
    const { tokenId } = { tokenId: made.id };
    const result = await ingestOtlp(t.db, {
      teamId: team.id,
      tokenId,
      defaultUser: dana.email,
      signal: "logs",
      request: apiRequest("d", "1", "0.1"),
    });
    expect(result.import!.imported).toBe(1);
    await t.db.deleteFrom("memberships").where("teamId", "=", team.id).where("userId", "=", dana.id).execute();
    expect(await authenticateApiToken(t.db, made.token)).toBeNull();
    const teamToken = await createApiToken(t.db, { teamId: team.id, name: "CI 2", createdBy: owner.id });
    expect(await revokeApiToken(t.db, { teamId: team.id, tokenId: teamToken.id, revokedBy: owner.id })).toBe(true);
    expect(await authenticateApiToken(t.db, teamToken.token)).toBeNull();
  });
});
