import { expect, it } from "vitest";
import { findRate } from "~/domain/spend/rate-card";
import { addRate, getCreditValue, getRateCard, listRates, setCreditValue } from "~/models/rate.server";
import { listSchemeVersions, saveSchemeVersion } from "~/models/scheme.server";
import {
  createStories,
  createStory,
  DuplicateKeyError,
  findExistingKeys,
  getBacklogCounts,
  getStory,
  listStories,
  listStoryChoices,
  listStoryEstimates,
  recordEstimate,
  setStoryArchived,
  updateStory,
} from "~/models/story.server";
import { DEFAULT_SCHEME } from "~/domain/sizing-scheme";
import { seedBacklog } from "../../scripts/seed/backlog";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";

const story = (title: string, extra: Partial<{ key: string; labels: string[]; link: string }> = {}) => ({
  key: extra.key ?? null,
  title,
  link: extra.link ?? null,
  labels: extra.labels ?? [],
  description: "",
});

describeDb("stories, estimates and rates", (t) => {
  it("filters by status, label, size, dimension level, estimate presence and text", async () => {
    const { team, owner } = await makeTeam(t.db);
    const [a, b, c] = await createStories(t.db, {
      teamId: team.id,
      stories: [
        story("Retry webhooks", { key: "PAY-401", labels: ["api"] }),
        story("Checkout button 100%_done", { key: "PAY-402", labels: ["ui", "checkout"] }),
        story("Rotate keys", { labels: ["infra"] }),
      ],
    });
    await recordEstimate(t.db, {
      teamId: team.id,
      storyId: a!.id,
      levels: { intensity: "standard", autonomy: "delegate", risk: "medium" },
      source: "solo",
      createdBy: owner.id,
    });
    await recordEstimate(t.db, {
      teamId: team.id,
      storyId: b!.id,
      levels: { intensity: "light", autonomy: "assist", risk: "low" },
      source: "solo",
      createdBy: owner.id,
    });
    const titles = async (
      filters: Parameters<typeof listStories>[1]["filters"],
      sort?: Parameters<typeof listStories>[1]["sort"],
      desc?: boolean,
    ) => (await listStories(t.db, { teamId: team.id, filters, sort, desc })).map((r) => r.title);

    expect(await titles({ status: "estimated" })).toEqual(["Retry webhooks", "Checkout button 100%_done"]);
    expect(await titles({ status: "backlog" })).toEqual(["Rotate keys"]);
    expect(await titles({ label: "checkout" })).toEqual(["Checkout button 100%_done"]);
    expect(await titles({ size: "M" })).toEqual(["Retry webhooks"]);
    expect(await titles({ intensity: "light" })).toEqual(["Checkout button 100%_done"]);
    expect(await titles({ autonomy: "delegate", risk: "medium" })).toEqual(["Retry webhooks"]);
    expect(await titles({ unestimated: true })).toEqual(["Rotate keys"]);
    expect(await titles({ q: "pay-40" })).toEqual(["Retry webhooks", "Checkout button 100%_done"]);
    // LIKE wildcards in the search are literal.
    expect(await titles({ q: "%_" })).toEqual(["Checkout button 100%_done"]);
    expect(await titles({ q: "o_a" })).toEqual([]);
    expect(await titles({}, "expected", true)).toEqual(["Retry webhooks", "Checkout button 100%_done", "Rotate keys"]);
    expect(await titles({}, "key")).toEqual(["Retry webhooks", "Checkout button 100%_done", "Rotate keys"]);
    expect(c).toBeDefined();
    expect(await getBacklogCounts(t.db, team.id)).toEqual({ stories: 3, estimated: 2, unestimated: 1, inBacklog: 1 });
  });

  it("edits a story, keeps keys unique per team, and lets two teams use the same key", async () => {
    const { team } = await makeTeam(t.db);
    const { team: other } = await makeTeam(t.db, "Other");
    const first = await createStory(t.db, { teamId: team.id, ...story("First", { key: "PAY-1" }) });
    const second = await createStory(t.db, { teamId: team.id, ...story("Second", { key: "PAY-2" }) });
    await createStory(t.db, { teamId: other.id, ...story("Same key elsewhere", { key: "PAY-1" }) });

    expect(
      await updateStory(t.db, {
        teamId: team.id,
        storyId: first.id,
        key: "PAY-10",
        title: "First, renamed",
        link: "https://tracker.example/PAY-10",
        labels: ["api", "docs"],
        description: "Why it matters",
        status: "committed",
      }),
    ).toBe(true);
    expect(await getStory(t.db, { teamId: team.id, storyId: first.id })).toMatchObject({
      key: "PAY-10",
      title: "First, renamed",
      link: "https://tracker.example/PAY-10",
      labels: ["api", "docs"],
      description: "Why it matters",
      status: "committed",
    });

    await expect(
      updateStory(t.db, { teamId: team.id, storyId: second.id, ...story("Second", { key: "PAY-10" }) }),
    ).rejects.toEqual(new DuplicateKeyError("PAY-10"));
    // Another team's story cannot be edited through this team.
    expect(await updateStory(t.db, { teamId: other.id, storyId: first.id, ...story("Hijack") })).toBe(false);
    expect(await findExistingKeys(t.db, { teamId: team.id, keys: ["PAY-1", "PAY-2", "PAY-10", "PAY-99"] })).toEqual(
      expect.arrayContaining(["PAY-2", "PAY-10"]),
    );
    expect(await findExistingKeys(t.db, { teamId: team.id, keys: ["PAY-1"] })).toEqual([]);
  });

  it("archives and restores stories, hiding them from the backlog but keeping their keys taken", async () => {
    const { team } = await makeTeam(t.db);
    const s = await createStory(t.db, { teamId: team.id, ...story("Old idea", { key: "PAY-7" }) });
    await createStory(t.db, { teamId: team.id, ...story("Current") });
    await setStoryArchived(t.db, { teamId: team.id, storyId: s.id, archived: true });
    expect((await listStories(t.db, { teamId: team.id })).map((r) => r.title)).toEqual(["Current"]);
    expect((await listStories(t.db, { teamId: team.id, filters: { archived: true } })).map((r) => r.title)).toEqual([
      "Old idea",
    ]);
    expect((await getBacklogCounts(t.db, team.id)).stories).toBe(1);
    await expect(createStory(t.db, { teamId: team.id, ...story("Reuse", { key: "PAY-7" }) })).rejects.toBeInstanceOf(
      DuplicateKeyError,
    );
    await setStoryArchived(t.db, { teamId: team.id, storyId: s.id, archived: false });
    expect((await listStories(t.db, { teamId: team.id })).map((r) => r.title)).toEqual(["Old idea", "Current"]);
  });

  it("keeps an estimate history with the scheme version and author of each", async () => {
    const { team, owner } = await makeTeam(t.db);
    const s = await createStory(t.db, { teamId: team.id, ...story("Estimate twice") });
    const levels = { intensity: "frontier", autonomy: "pair", risk: "high" };
    await recordEstimate(t.db, { teamId: team.id, storyId: s.id, levels, source: "solo", createdBy: owner.id });
    const tuned = structuredClone(DEFAULT_SCHEME);
    tuned.base[2]![1] = 200;
    await saveSchemeVersion(t.db, { teamId: team.id, scheme: tuned, createdBy: owner.id, note: "Pair costs more" });
    await recordEstimate(t.db, { teamId: team.id, storyId: s.id, levels, source: "solo", createdBy: owner.id });

    const history = await listStoryEstimates(t.db, { teamId: team.id, storyId: s.id });
    expect(
      history.map((h) => [h.schemeVersion, h.expectedCredits, h.p80Credits, h.size, h.source, h.createdByName]),
    ).toEqual([
      [2, 200, 1000, "M", "solo", owner.name],
      [1, 120, 600, "M", "solo", owner.name],
    ]);
    const versions = await listSchemeVersions(t.db, team.id);
    expect(versions.map((v) => [v.version, v.note, Number(v.estimateCount)])).toEqual([
      [2, "Pair costs more", 1],
      [1, "Defaults", 1],
    ]);
    expect(await getStory(t.db, { teamId: team.id, storyId: s.id })).toMatchObject({
      schemeVersion: 2,
      estimateSource: "solo",
    });
  });

  it("adds a later price for a model alongside the old one, and a new model", async () => {
    const { team } = await makeTeam(t.db);
    await addRate(t.db, {
      teamId: team.id,
      modelId: "claude-sonnet-4-6",
      aliases: ["Claude Sonnet 4.6"],
      inputUsdPerMtok: 2.5,
      cacheReadUsdPerMtok: 0.25,
      cacheWriteUsdPerMtok: 3,
      outputUsdPerMtok: 12,
      effectiveFrom: "2027-01-01",
    });
    await addRate(t.db, {
      teamId: team.id,
      modelId: "acme-coder-1",
      aliases: ["Acme Coder"],
      inputUsdPerMtok: 1,
      cacheReadUsdPerMtok: null,
      cacheWriteUsdPerMtok: null,
      outputUsdPerMtok: 4,
      effectiveFrom: null,
    });
    const sonnet = (await listRates(t.db, team.id)).filter((r) => r.modelId === "claude-sonnet-4-6");
    expect(sonnet.map((r) => [r.effectiveFrom, r.inputUsdPerMtok, r.provider])).toEqual([
      ["2027-01-01", 2.5, "anthropic"],
      [null, 3, "anthropic"],
    ]);
    const card = await getRateCard(t.db, team.id);
    expect(findRate(card, "Claude Sonnet 4.6", "2026-12-31")?.inputUsdPerMTok).toBe(3);
    expect(findRate(card, "Claude Sonnet 4.6", "2027-01-02")?.inputUsdPerMTok).toBe(2.5);
    expect(findRate(card, "Acme Coder", "2026-01-01")).toMatchObject({ id: "acme-coder-1", outputUsdPerMTok: 4 });

    // The same model and date again corrects that price instead of adding a row.
    await addRate(t.db, {
      teamId: team.id,
      modelId: "acme-coder-1",
      aliases: ["Acme Coder"],
      inputUsdPerMtok: 1.2,
      cacheReadUsdPerMtok: null,
      cacheWriteUsdPerMtok: null,
      outputUsdPerMtok: 4,
      effectiveFrom: null,
    });
    expect(
      (await listRates(t.db, team.id)).filter((r) => r.modelId === "acme-coder-1").map((r) => r.inputUsdPerMtok),
    ).toEqual([1.2]);
  });

  it("changes the credit value of one team only", async () => {
    const { team } = await makeTeam(t.db);
    const { team: other } = await makeTeam(t.db, "Other");
    await setCreditValue(t.db, { teamId: team.id, creditValueUsd: 0.04 });
    expect(await getCreditValue(t.db, team.id)).toBe(0.04);
    expect(await getCreditValue(t.db, other.id)).toBe(0.01);
  });

  it("seeds the demo backlog once: a second run leaves it as it is", async () => {
    const { team, owner } = await makeTeam(t.db);
    const ctx = {
      db: t.db,
      teamId: team.id,
      members: [{ id: owner.id, email: "o@example.com", name: owner.name, role: "owner" as const }],
    };
    await seedBacklog(ctx);
    const first = await getBacklogCounts(t.db, team.id);
    expect(first.stories).toBeGreaterThanOrEqual(35);
    expect(first.estimated).toBeGreaterThan(5);
    expect(first.unestimated).toBeGreaterThan(5);
    await seedBacklog(ctx);
    expect(await getBacklogCounts(t.db, team.id)).toEqual(first);
    const rows = await listStories(t.db, { teamId: team.id });
    expect(rows.every((r) => /^PAY-4\d\d$/.test(r.key ?? ""))).toBe(true);
    expect(new Set(rows.filter((r) => r.size).map((r) => r.size)).size).toBeGreaterThan(2);
  });

  it("offers the backlog's stories to pickers with the columns they show, open ones only for poker", async () => {
    const { team, owner } = await makeTeam(t.db);
    await seedBacklog({
      db: t.db,
      teamId: team.id,
      members: [{ id: owner.id, email: "o@example.com", name: owner.name, role: "owner" as const }],
    });
    const [first, second, third] = await listStories(t.db, { teamId: team.id });
    await setStoryArchived(t.db, { teamId: team.id, storyId: first!.id, archived: true });
    await updateStory(t.db, { teamId: team.id, storyId: second!.id, ...story(second!.title), status: "done" });
    const backlog = await listStories(t.db, { teamId: team.id });
    const pick = ({ id, key, title, status, size }: (typeof backlog)[number]) => ({ id, key, title, status, size });
    expect(await listStoryChoices(t.db, { teamId: team.id })).toEqual(backlog.map(pick));
    const open = await listStoryChoices(t.db, { teamId: team.id, open: true });
    expect(open).toEqual(backlog.filter((s) => s.status !== "done").map(pick));
    expect(open.map((s) => s.id)).not.toContain(second!.id);
    expect(open[0]!.id).toBe(third!.id);
    expect((await listStoryChoices(t.db, { teamId: team.id, limit: 2 })).map((s) => s.id)).toEqual(
      backlog.slice(0, 2).map((s) => s.id),
    );
    expect(open.some((s) => s.size)).toBe(true);
  });
});
