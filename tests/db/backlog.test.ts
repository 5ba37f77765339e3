import { expect, it } from "vitest";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";
import { getCurrentScheme, getSchemeVersion, saveSchemeVersion } from "~/models/scheme.server";
import { getRateCard } from "~/models/rate.server";
import {
  createStories,
  createStory,
  DuplicateKeyError,
  getStory,
  listLabels,
  listStories,
  moveStory,
  recordEstimate,
} from "~/models/story.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";

const story = (title: string, extra: Partial<{ key: string; labels: string[] }> = {}) => ({
  key: extra.key ?? null,
  title,
  link: null,
  labels: extra.labels ?? [],
  description: "",
});

describeDb("backlog and sizing scheme", (t) => {
  it("appends stories in order, keeps labels, and refuses a duplicate key without a half import", async () => {
    const { team } = await makeTeam(t.db);
    await createStories(t.db, {
      teamId: team.id,
      stories: [story("One", { key: "PAY-1", labels: ["api", "ui"] }), story("Two")],
    });
    await expect(
      createStories(t.db, { teamId: team.id, stories: [story("Three"), story("Dup", { key: "PAY-1" })] }),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    const rows = await listStories(t.db, { teamId: team.id });
    expect(rows.map((r) => r.title)).toEqual(["One", "Two"]);
    expect(rows[0]!.labels).toEqual(["api", "ui"]);
    expect(await listLabels(t.db, team.id)).toEqual(["api", "ui"]);
    expect((await listStories(t.db, { teamId: team.id, filters: { label: "ui" } })).map((r) => r.title)).toEqual([
      "One",
    ]);
    expect((await listStories(t.db, { teamId: team.id, filters: { q: "tw" } })).map((r) => r.title)).toEqual(["Two"]);
  });

  it("moves stories between neighbours and keeps every story under concurrent moves", async () => {
    const { team } = await makeTeam(t.db);
    const created = await createStories(t.db, { teamId: team.id, stories: "ABCDEFGH".split("").map((c) => story(c)) });
    const id = (title: string) => created.find((c) => c.title === title)!.id;
    await moveStory(t.db, { teamId: team.id, storyId: id("H"), beforeId: null, afterId: id("A") });
    await moveStory(t.db, { teamId: team.id, storyId: id("B"), beforeId: id("D"), afterId: id("E") });
    expect((await listStories(t.db, { teamId: team.id })).map((r) => r.title).join("")).toBe("HACDBEFG");

    // Two people drop different stories into the same gap at the same moment.
    await Promise.all([
      moveStory(t.db, { teamId: team.id, storyId: id("F"), beforeId: id("H"), afterId: id("A") }),
      moveStory(t.db, { teamId: team.id, storyId: id("G"), beforeId: id("H"), afterId: id("A") }),
    ]);
    const order = (await listStories(t.db, { teamId: team.id })).map((r) => r.title).join("");
    expect(order.length).toBe(8);
    expect(new Set(order).size).toBe(8);
    expect(order.startsWith("H")).toBe(true);
    expect(order.slice(1, 3).split("").sort().join("")).toBe("FG");
    expect(order.slice(3)).toBe("ACDBE");
  });

  it("keeps every story when several people add stories at the same moment", async () => {
    const { team } = await makeTeam(t.db);
    await createStories(t.db, { teamId: team.id, stories: [story("First")] });
    // Each writer reads the same last rank; the collisions are retried, none is an error.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => createStory(t.db, { teamId: team.id, ...story(`Added ${i}`) })),
    );
    const rows = await listStories(t.db, { teamId: team.id });
    expect(rows).toHaveLength(13);
    expect(rows[0]!.title).toBe("First");
    expect(new Set(rows.map((r) => r.title)).size).toBe(13);
  });

  it("freezes the scheme version in an estimate, so re-tuning leaves old estimates as they were", async () => {
    const { team, owner } = await makeTeam(t.db);
    const s = await createStory(t.db, { teamId: team.id, ...story("Estimate me", { key: "EST-1" }) });
    const v1 = await getCurrentScheme(t.db, team.id);
    expect(v1.version).toBe(1);
    const first = await recordEstimate(t.db, {
      teamId: team.id,
      storyId: s.id,
      levels: { intensity: "standard", autonomy: "delegate", risk: "medium" },
      source: "solo",
      createdBy: owner.id,
    });
    expect(first).toMatchObject({ size: "M", expectedCredits: 150, p80Credits: 375 });

    const tuned = structuredClone(DEFAULT_SCHEME);
    tuned.base[1]![2] = 300;
    const v2 = await saveSchemeVersion(t.db, { teamId: team.id, scheme: tuned, createdBy: owner.id });
    expect(v2.version).toBe(2);
    // Saving the same content again does not add a version.
    expect((await saveSchemeVersion(t.db, { teamId: team.id, scheme: tuned, createdBy: owner.id })).version).toBe(2);

    const old = await getStory(t.db, { teamId: team.id, storyId: s.id });
    expect(old).toMatchObject({
      size: "M",
      expectedCredits: 150,
      schemeVersion: 1,
      status: "estimated",
      estimateSource: "solo",
    });
    expect((await getSchemeVersion(t.db, { teamId: team.id, schemeId: v1.id }))!.scheme.base[1]![2]).toBe(150);

    await recordEstimate(t.db, {
      teamId: team.id,
      storyId: s.id,
      levels: { intensity: "standard", autonomy: "delegate", risk: "medium" },
      source: "solo",
      createdBy: owner.id,
    });
    expect(await getStory(t.db, { teamId: team.id, storyId: s.id })).toMatchObject({
      expectedCredits: 300,
      schemeVersion: 2,
    });
  });

  it("seeds each new team's rate card from the published list prices", async () => {
    const { team } = await makeTeam(t.db);
    const card = await getRateCard(t.db, team.id);
    expect(card.creditValueUsd).toBe(0.01);
    const sonnet = card.models.find((m) => m.id === "claude-sonnet-4-6");
    expect(sonnet).toMatchObject({ inputUsdPerMTok: 3, outputUsdPerMTok: 15, effectiveFrom: null });
    expect(sonnet!.aliases).toContain("Claude Sonnet 4.6");
  });
});
