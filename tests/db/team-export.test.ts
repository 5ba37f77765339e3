import { beforeAll, expect, it } from "vitest";
import type { Role } from "~/domain/roles";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";
import { readTeamExport, type TeamExport } from "~/domain/team-export";
import { createGuest } from "~/models/poker.server";
import { addRate } from "~/models/rate.server";
import { getRetro } from "~/models/retro.server";
import { saveSchemeVersion } from "~/models/scheme.server";
import {
  addManualEntry,
  assignEntries,
  importSpendJson,
  mapIdentity,
  setSessionStory,
  undoImport,
} from "~/models/spend.server";
import { checkBurnAlerts } from "~/models/sprint-alert.server";
import { decideCommitRequest, listCommitRequests, listSprints } from "~/models/sprint.server";
import { getStoryByKey, recordEstimate, setStoryArchived } from "~/models/story.server";
import { countTeamContent, exportTeam, importTeam, TeamImportError } from "~/models/team-export.server";
import { addMember, createTeam } from "~/models/team.server";
import type { DB } from "~/utils/db.server";
import { seedBacklog } from "../../scripts/seed/backlog";
import type { DemoContext } from "../../scripts/seed/demo";
import { seedPoker } from "../../scripts/seed/poker";
import { seedSpend } from "../../scripts/seed/spend";
import { seedSprints } from "../../scripts/seed/sprints";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

// A team with everything a team can hold — the demo seed (backlog, closed sprints with snapshots, a
// running sprint with allocations and an approval request, poker sessions with rounds and votes,
// spend from three importers, identities, outcome notes) plus what the demo lacks — exported,
// imported into a new team, and exported again: the two documents must be equal but for ids, slug
// and the export's own time.

type Member = DemoContext["members"][number];

async function seedRichTeam(db: DB) {
  const { team, owner } = await makeTeam(db, "Exported Team");
  const members: Member[] = [{ id: owner.id, email: owner.email, name: owner.name, role: "owner" }];
  for (const [name, role] of [
    ["Manager", "manager"],
    ["Member A", "member"],
    ["Member B", "member"],
    ["Observer", "observer"],
  ] as [string, Role][]) {
    const user = await makeUser(db, name);
    await addMember(db, { teamId: team.id, userId: user.id, role });
    members.push({ id: user.id, email: user.email, name: user.name, role });
  }
  const ctx: DemoContext = { db, teamId: team.id, members };
  await seedBacklog(ctx);
  await seedSprints(ctx);
  await seedPoker(ctx);
  await seedSpend(ctx);
  const teamId = team.id;
  const [, manager, memberA] = members as [Member, Member, Member];

  // A second scheme version, and an estimate made with it.
  await saveSchemeVersion(db, {
    teamId,
    // With median factors per risk level (issue 19): they must survive the round trip too.
    scheme: { ...DEFAULT_SCHEME, p80Multiplier: [1.6, 2.5, 5], riskMedian: [0.9, 1, 1.2] },
    createdBy: manager.id,
    note: "Low risk ran over",
  });
  const late = (await getStoryByKey(db, { teamId, key: "PAY-440" }))!;
  await recordEstimate(db, {
    teamId,
    storyId: late.id,
    levels: { intensity: "light", autonomy: "assist", risk: "low" },
    source: "solo",
    createdBy: memberA.id,
  });
  await setStoryArchived(db, {
    teamId,
    storyId: (await getStoryByKey(db, { teamId, key: "PAY-439" }))!.id,
    archived: true,
  });
  await addRate(db, {
    teamId,
    modelId: "claude-sonnet-4-6",
    aliases: ["sonnet"],
    inputUsdPerMtok: 2.5,
    cacheReadUsdPerMtok: 0.25,
    cacheWriteUsdPerMtok: null,
    outputUsdPerMtok: 12.5,
    effectiveFrom: "2026-10-01",
  });

  // Spend the demo does not make: a hand-typed entry with a note, an inbox assignment with its
  // session mapped, an import that was undone, an identity for someone who left no spend.
  const story = (await getStoryByKey(db, { teamId, key: "PAY-420" }))!;
  await addManualEntry(db, {
    teamId,
    storyId: story.id,
    userId: memberA.id,
    day: "2026-11-24",
    credits: 12.5,
    note: "Pairing session, typed in",
  });
  const unattributed = await db
    .selectFrom("spendEntries")
    .select(["id", "sessionId"])
    .where("teamId", "=", teamId)
    .where("storyKey", "is", null)
    .where("storyId", "is", null)
    .where("sessionId", "is not", null)
    .orderBy("id")
    .limit(2)
    .execute();
  expect(unattributed.length, "the demo leaves unattributed session spend").toBeGreaterThan(0);
  await assignEntries(db, {
    teamId,
    entryIds: unattributed.map((e) => e.id),
    storyId: story.id,
    mapSessions: true,
    userId: manager.id,
  });
  await setSessionStory(db, { teamId, sessionId: "session-not-seen-yet", storyId: story.id, userId: manager.id });
  const undone = await importSpendJson(db, [{ id: "x-1", occurred_at: "2026-11-25", credits: 3, story: "PAY-420" }], {
    teamId,
    fileName: "mistake.json",
    via: "api",
    userId: null,
  });
  await undoImport(db, { teamId, importId: undone.importId!, userId: owner.id });
  await importSpendJson(
    db,
    [{ id: "ci-1", occurred_at: "2026-11-26T09:30:00.250Z", credits: 4.25, story: "PAY-420", user: "Build-Bot" }],
    {
      teamId,
      fileName: "CI",
      via: "api",
    },
  );
  await mapIdentity(db, { teamId, identity: "build-bot", userId: memberA.id, createdBy: owner.id });
  // The demo maps its own people's tool names; these members are others.
  for (const [identity, m] of [
    ["dana-demo", members[0]!],
    ["sam-okafor", memberA],
    ["ari-m", manager],
  ] as const) {
    await mapIdentity(db, { teamId, identity, userId: m.id, createdBy: owner.id });
  }

  // The running sprint: its pending request decided, burn alerts raised.
  const running = (await listSprints(db, { teamId })).find((s) => s.closedAt === null)!;
  const pending = (await listCommitRequests(db, { teamId, sprintId: running.id })).find((r) => r.status === "pending");
  if (pending)
    await decideCommitRequest(db, {
      teamId,
      sprintId: running.id,
      requestId: pending.id,
      deciderId: manager.id,
      approve: false,
      note: "Next sprint",
    });
  await checkBurnAlerts(db, { teamId });

  // A guest in the open poker session.
  const open = await db
    .selectFrom("pokerSessions")
    .select(["id", "guestKey"])
    .where("teamId", "=", teamId)
    .where("status", "=", "open")
    .executeTakeFirstOrThrow();
  await createGuest(db, { guestKey: open.guestKey!, name: "Guest Gita" });

  // This round's fields and tables, each away from its default: the guard's choice, a story the
  // tracker closed, a 1-hour cache-write price, an entry with 1-hour cache writes in fast mode with a
  // rank beyond 2^64 and a product, a budget extension, an OpenTelemetry session, and a tracker
  // connection whose token must not be exported.
  await db.updateTable("teams").set({ guardFailClosed: true }).where("id", "=", teamId).execute();
  await db.updateTable("stories").set({ trackerClosed: true }).where("id", "=", late.id).execute();
  await db
    .updateTable("modelRates")
    .set({ cacheWrite1hUsdPerMtok: 4.75 })
    .where("teamId", "=", teamId)
    .where("effectiveFrom", "=", "2026-10-01")
    .execute();
  const cached = await db
    .selectFrom("spendEntries")
    .select(["id", "cacheWriteTokens"])
    .where("teamId", "=", teamId)
    .orderBy("id")
    .limit(1)
    .executeTakeFirstOrThrow();
  await db
    .updateTable("spendEntries")
    .set({
      cacheWrite1hTokens: Math.max(1, cached.cacheWriteTokens),
      cacheWriteTokens: Math.max(1, cached.cacheWriteTokens),
      fast: true,
      product: "spark",
      usageRank: "18446744073709551703",
    })
    .where("id", "=", cached.id)
    .execute();
  await db
    .insertInto("budgetExtensions")
    .values({
      teamId,
      storyId: story.id,
      sprintId: running.id,
      credits: 37.5,
      reason: "Flaky CI retries",
      createdBy: manager.id,
      createdAt: "2026-11-27T08:00:00.000Z",
    })
    .execute();
  await db
    .insertInto("budgetExtensions")
    .values({ teamId, storyId: late.id, sprintId: null, credits: 5, reason: "Spike", createdBy: null })
    .execute();
  await db
    .insertInto("otlpSessions")
    .values({
      teamId,
      sessionId: "otel-session-1",
      signal: "metrics",
      createdAt: "2026-11-26T10:00:00.000Z",
      updatedAt: "2026-11-26T11:00:00.000Z",
    })
    .execute();
  await db
    .insertInto("trackerConnections")
    .values({
      teamId,
      kind: "github",
      baseUrl: "https://api.github.com",
      project: "acme/pay",
      tokenSealed: "SEALED-TRACKER-SECRET",
      createdBy: owner.id,
    })
    .execute();

  return { team, owner, members };
}

/** The document minus what must differ: the export's time, the team's slug and creation time. */
function comparable(doc: TeamExport) {
  const { exportedAt: _at, team, ...rest } = doc;
  const { slug: _slug, createdAt: _created, ...teamRest } = team;
  return { ...rest, team: teamRest };
}

async function rowCounts(db: DB, teamId: number) {
  const count = async (
    table: "sizingSchemes" | "modelRates" | "estimates" | "storyOutcomes" | "pokerParticipants" | "sprintStories",
  ) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("teamId", "=", teamId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const team = await db
    .selectFrom("teams")
    .select(["timeZone", "keyPattern", "creditValueUsd"])
    .where("id", "=", teamId)
    .executeTakeFirstOrThrow();
  return {
    ...(await countTeamContent(db, teamId)),
    schemes: await count("sizingSchemes"),
    rates: await count("modelRates"),
    estimates: await count("estimates"),
    outcomes: await count("storyOutcomes"),
    participants: await count("pokerParticipants"),
    commitments: await count("sprintStories"),
    team,
  };
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describeDb("team export and import", (t) => {
  let source: Awaited<ReturnType<typeof seedRichTeam>>;
  let doc: TeamExport;

  beforeAll(async () => {
    source = await seedRichTeam(t.db);
    doc = await exportTeam(t.db, source.team.id);
  }, 120_000);

  /** A new team owned by the source's owner, with the same members in the same roles (or only the owner). */
  async function freshTeam(options: { members?: boolean; owner?: number } = {}) {
    const n = Math.random().toString(36).slice(2, 8);
    const team = await createTeam(t.db, {
      name: "Exported Team",
      slug: `moved-${n}`,
      ownerId: options.owner ?? source.owner.id,
    });
    if (options.members !== false && options.owner === undefined) {
      for (const m of source.members.slice(1)) await addMember(t.db, { teamId: team.id, userId: m.id, role: m.role });
    }
    return team;
  }

  it("exports every kind of record the team holds, and nothing secret", () => {
    const votes = doc.pokerSessions.flatMap((s) => s.items.flatMap((i) => i.rounds.flatMap((r) => r.votes)));
    const closed = doc.sprints.filter((s) => s.snapshot !== null);
    expect(doc.stories.length).toBeGreaterThanOrEqual(60);
    expect(doc.stories.some((s) => s.archivedAt !== null)).toBe(true);
    expect(doc.sizingSchemes.map((s) => s.version)).toEqual([1, 2]);
    expect(doc.sizingSchemes.map((s) => s.scheme.riskMedian)).toEqual([undefined, [0.9, 1, 1.2]]);
    expect(doc.estimates.some((e) => e.schemeVersion === 2)).toBe(true);
    expect(doc.estimates.some((e) => e.source === "session" && e.pokerSessionRef !== null && e.rounds.length > 0)).toBe(
      true,
    );
    expect(doc.storyOutcomes.length).toBeGreaterThan(5);
    expect(doc.pokerSessions.length).toBe(2);
    expect(votes.length).toBeGreaterThan(10);
    expect(
      doc.pokerSessions.some(
        (s) => s.guestLink && s.participants.some((p) => p.person === null && p.displayName === "Guest Gita"),
      ),
    ).toBe(true);
    expect(closed.length).toBe(4);
    expect(closed.some((s) => s.snapshot!.destination.kind === "sprint")).toBe(true);
    expect(doc.sprints.some((s) => s.allocations.length > 0)).toBe(true);
    expect(doc.sprints.some((s) => s.commitRequests.some((r) => r.status === "declined"))).toBe(true);
    expect(doc.sprints.flatMap((s) => s.events).length).toBeGreaterThan(20);
    expect(doc.spendEntries.length).toBeGreaterThan(50);
    expect(doc.spendEntries.some((e) => e.source === "manual" && e.note)).toBe(true);
    expect(doc.spendEntries.some((e) => e.storyRef !== null && e.storyKey === null)).toBe(true);
    expect(doc.spendImports.some((i) => i.undoneAt !== null && i.undoneBy === source.owner.email)).toBe(true);
    expect(doc.spendIdentities.length).toBeGreaterThanOrEqual(4);
    expect(doc.spendSessionStories.length).toBeGreaterThanOrEqual(2);
    expect(doc.rates.some((r) => r.effectiveFrom === "2026-10-01")).toBe(true);
    expect(doc.people.map((p) => p.email).sort()).toEqual(source.members.map((m) => m.email).sort());

    expect(doc.team.guardFailClosed).toBe(true);
    expect(doc.stories.filter((s) => s.trackerClosed).map((s) => s.key)).toEqual(["PAY-440"]);
    expect(doc.rates.find((r) => r.effectiveFrom === "2026-10-01")?.cacheWrite1hUsdPerMtok).toBe(4.75);
    expect(
      doc.spendEntries
        .filter((e) => e.fast && e.product === "spark" && e.cacheWrite1hTokens > 0)
        .map((e) => e.usageRank),
    ).toEqual(["18446744073709551703"]);
    expect(doc.budgetExtensions.map((x) => [x.credits, x.reason, x.sprintRef !== null, x.createdBy])).toEqual([
      [37.5, "Flaky CI retries", true, source.members[1]!.email],
      [5, "Spike", false, null],
    ]);
    expect(doc.otlpSessions).toEqual([
      {
        sessionId: "otel-session-1",
        signal: "metrics",
        createdAt: "2026-11-26T10:00:00.000Z",
        updatedAt: "2026-11-26T11:00:00.000Z",
      },
    ]);

    const text = JSON.stringify(doc);
    expect(text).not.toMatch(
      /scrypt\$|passwordHash|tokenHash|guestKey|webhook_?url|tokenSealed|SEALED-TRACKER-SECRET/i,
    );
  });

  it("exports a round still voting with who voted but no values, and imports such a document", async () => {
    // The demo's open session has a round under way with cards on the table.
    const hidden = await t.db
      .selectFrom("pokerVotes as v")
      .innerJoin("pokerRounds as r", "r.id", "v.roundId")
      .select(["v.value", "v.participantId"])
      .where("v.teamId", "=", source.team.id)
      .where("r.status", "=", "voting")
      .where("v.value", "is not", null)
      .execute();
    expect(hidden.length, "the seed leaves unrevealed votes").toBeGreaterThan(0);
    const rounds = doc.pokerSessions.flatMap((s) => s.items.flatMap((i) => i.rounds));
    const voting = rounds.filter((r) => r.status === "voting");
    expect(voting.length).toBeGreaterThan(0);
    for (const r of voting) expect(r.votes).toEqual([]);
    const voters = new Set(hidden.map((v) => v.participantId));
    expect(voting.flatMap((r) => r.voters ?? []).length).toBe(voters.size);
    // Revealed rounds keep their votes.
    expect(rounds.filter((r) => r.status === "revealed").every((r) => r.votes.length > 0)).toBe(true);

    const parsed = readTeamExport(JSON.stringify(doc));
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  });

  it("imports into a new team and exports the same document again", async () => {
    const parsed = readTeamExport(JSON.stringify(doc));
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    const target = await freshTeam();
    const summary = await importTeam(t.db, {
      teamId: target.id,
      doc: (parsed as { doc: TeamExport }).doc,
      actingUserId: source.owner.id,
    });
    expect(summary).toMatchObject({
      stories: doc.stories.length,
      spendEntries: doc.spendEntries.length,
      unknownPeople: [],
      leftOut: [],
    });

    const again = await exportTeam(t.db, target.id);
    // A round still voting comes back open and empty (its hidden votes were never exported): the
    // voters it names are not seats that voted in the new team.
    const withoutVoters = (d: TeamExport) => {
      const copy = clone(d);
      for (const s of copy.pokerSessions) for (const i of s.items) for (const r of i.rounds) delete r.voters;
      return copy;
    };
    expect(comparable(withoutVoters(again))).toEqual(comparable(withoutVoters(doc)));

    // The ids inside the snapshots were remapped: the retrospectives read the same.
    const sourceSprints = await listSprints(t.db, { teamId: source.team.id });
    const targetSprints = await listSprints(t.db, { teamId: target.id });
    expect(targetSprints.length).toBe(sourceSprints.length);
    for (const [i, s] of sourceSprints.entries()) {
      const a = await getRetro(t.db, { teamId: source.team.id, sprintId: s.id });
      const b = await getRetro(t.db, { teamId: target.id, sprintId: targetSprints[i]!.id });
      const strip = (r: NonNullable<typeof a>) => ({
        source: r.source,
        rows: r.rows.map(({ storyId: _id, ...row }) => row),
        notes: Object.values(r.notes),
      });
      expect(strip(b!)).toEqual(strip(a!));
    }
    // Guests get a new link; the old one stays with the old session.
    const open = await t.db
      .selectFrom("pokerSessions")
      .select(["id", "guestKey"])
      .where("teamId", "=", target.id)
      .where("status", "=", "open")
      .executeTakeFirstOrThrow();
    const sourceOpen = await t.db
      .selectFrom("pokerSessions")
      .select("guestKey")
      .where("teamId", "=", source.team.id)
      .where("status", "=", "open")
      .executeTakeFirstOrThrow();
    expect(open.guestKey).toBeTruthy();
    expect(open.guestKey).not.toBe(sourceOpen.guestKey);
    const imported = await t.db
      .selectFrom("pokerSessions")
      .select("status")
      .where("teamId", "=", target.id)
      .where("id", "=", open.id)
      .executeTakeFirst();
    expect(imported?.status).toBe("open");
  });

  it("refuses a team that already has data, and writes nothing", async () => {
    const before = await rowCounts(t.db, source.team.id);
    const error = await importTeam(t.db, { teamId: source.team.id, doc, actingUserId: source.owner.id }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TeamImportError);
    expect((error as TeamImportError).status).toBe(409);
    expect(await rowCounts(t.db, source.team.id)).toEqual(before);

    // One story is enough to make a team not new.
    const target = await freshTeam();
    await t.db.insertInto("stories").values({ teamId: target.id, title: "Already here", rank: "m" }).execute();
    const beforeTarget = await rowCounts(t.db, target.id);
    const refused = await importTeam(t.db, { teamId: target.id, doc, actingUserId: source.owner.id }).catch(
      (e: unknown) => e,
    );
    expect((refused as TeamImportError).status).toBe(409);
    expect((refused as TeamImportError).details).toEqual(["1 story"]);
    expect(await rowCounts(t.db, target.id)).toEqual(beforeTarget);
  });

  it("asks before leaving people out; then their records name nobody", async () => {
    const stranger = await makeUser(t.db, "Stranger");
    const target = await freshTeam({ owner: stranger.id });
    const before = await rowCounts(t.db, target.id);
    const asked = await importTeam(t.db, { teamId: target.id, doc, actingUserId: stranger.id }).catch(
      (e: unknown) => e,
    );
    expect((asked as TeamImportError).status).toBe(409);
    expect([...(asked as TeamImportError).details].sort()).toEqual(source.members.map((m) => m.email).sort());
    expect(await rowCounts(t.db, target.id)).toEqual(before);

    // A member who is not a manager may not import at all.
    const member = await makeUser(t.db, "Plain member");
    await addMember(t.db, { teamId: target.id, userId: member.id, role: "member" });
    const forbidden = await importTeam(t.db, {
      teamId: target.id,
      doc,
      actingUserId: member.id,
      allowUnknownPeople: true,
    }).catch((e: unknown) => e);
    expect((forbidden as TeamImportError).status).toBe(403);

    const summary = await importTeam(t.db, {
      teamId: target.id,
      doc,
      actingUserId: stranger.id,
      allowUnknownPeople: true,
    });
    expect(summary.unknownPeople.sort()).toEqual(source.members.map((m) => m.email).sort());
    expect(summary.leftOut.some((l) => l.includes("allocation"))).toBe(true);
    expect(summary.leftOut.some((l) => l.includes("identity"))).toBe(true);
    expect(summary.leftOut.some((l) => l.includes("guest seats"))).toBe(true);

    const imported = await exportTeam(t.db, target.id);
    expect(imported.people.map((p) => p.email).sort()).toEqual([member.email, stranger.email].sort());
    expect(imported.estimates.every((e) => e.createdBy === null)).toBe(true);
    expect(imported.spendIdentities).toEqual([]);
    expect(imported.sprints.every((s) => s.allocations.length === 0)).toBe(true);
    // Poker seats and snapshot allocations keep their names; only the link to an account is gone.
    const seats = (d: TeamExport) => d.pokerSessions.flatMap((s) => s.participants.map((p) => p.displayName));
    expect(seats(imported)).toEqual(seats(doc));
    expect(imported.pokerSessions.flatMap((s) => s.participants).every((p) => p.person === null)).toBe(true);
    const names = (d: TeamExport) => d.sprints.flatMap((s) => s.snapshot?.allocations.map((a) => a.name) ?? []);
    expect(names(imported)).toEqual(names(doc));
    // Everything else came over.
    expect(imported.stories.map((s) => [s.key, s.title, s.rank, s.status])).toEqual(
      doc.stories.map((s) => [s.key, s.title, s.rank, s.status]),
    );
    expect(imported.spendEntries.length).toBe(doc.spendEntries.length);
  });

  it("refuses malformed and forged documents, with nothing written", async () => {
    const refusedFor = (forged: unknown) => {
      const result = readTeamExport(JSON.stringify(forged));
      expect(result.ok, "a forged document passed").toBe(false);
      return result.ok ? "" : result.errors.join("\n");
    };
    expect(readTeamExport("{not json").ok).toBe(false);
    expect(refusedFor({ ...clone(doc), version: 2 })).toMatch(/version 2.*reads version 1/);
    expect(refusedFor({ ...clone(doc), format: "something-else" })).toMatch(/not a Token Poker team export/);

    const dangling = clone(doc);
    dangling.estimates[0]!.storyRef = 999_999;
    expect(refusedFor(dangling)).toMatch(/estimates\[0\]\.storyRef: points at story 999999/);

    const wrongType = clone(doc) as unknown as { stories: { title: unknown }[]; spendEntries: { credits: unknown }[] };
    wrongType.stories[0]!.title = 42;
    wrongType.spendEntries[0]!.credits = "12";
    const message = refusedFor(wrongType);
    expect(message).toMatch(/stories\[0\]\.title/);
    expect(message).toMatch(/spendEntries\[0\]\.credits/);

    const badCard = clone(doc);
    const vote = badCard.pokerSessions[0]!.items[0]!.rounds[0]!.votes.find((v) => v.dimension === "intensity")!;
    vote.value = "ultra";
    expect(refusedFor(badCard)).toMatch(/"ultra" is not a intensity card/);

    const script = clone(doc);
    script.stories[0]!.link = "javascript:alert(1)";
    expect(refusedFor(script)).toMatch(/stories\[0\]\.link: is not an http\(s\) link/);

    const twice = clone(doc);
    const open = twice.sprints.find((s) => s.closedAt === null)!;
    const other = twice.sprints.find((s) => s !== open)!;
    other.stories.push({ ...open.stories[0]!, outcome: null });
    expect(refusedFor(twice)).toMatch(/open in two sprints/);

    // Past the schema, refused by the database (no year 0 in PostgreSQL): the transaction had
    // already written the team's settings and stories when it failed, and keeps none of it.
    const target = await freshTeam();
    const before = await rowCounts(t.db, target.id);
    const late = clone(doc);
    late.team.timeZone = "Pacific/Auckland";
    late.spendEntries[late.spendEntries.length - 1]!.occurredAt = "0000-01-01T00:00:00Z";
    const checked = readTeamExport(JSON.stringify(late));
    expect(checked.ok).toBe(true);
    const error = await importTeam(t.db, {
      teamId: target.id,
      doc: (checked as { doc: TeamExport }).doc,
      actingUserId: source.owner.id,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TeamImportError);
    expect((error as TeamImportError).status).toBe(422);
    expect(await rowCounts(t.db, target.id)).toEqual(before);
  });
});
