import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { parseTrackerFile, type TrackerItem } from "~/domain/trackers/tracker-file";
import { createStory, getStory, listStories } from "~/models/story.server";
import { importTrackerItems, previewTrackerImport } from "~/models/tracker-import.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";

const itemsOf = (name: string, options = {}): TrackerItem[] => {
  const parsed = parseTrackerFile(
    readFileSync(new URL(`../fixtures/trackers/${name}`, import.meta.url), "utf8"),
    options,
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.items;
};

describeDb("tracker imports", (t) => {
  it("adds a Jira export at the end of the backlog, and importing it again changes nothing", async () => {
    const { team } = await makeTeam(t.db);
    await createStory(t.db, {
      teamId: team.id,
      key: null,
      title: "Already here",
      link: null,
      labels: [],
      description: "",
    });
    const items = itemsOf("jira-all-fields.csv", { jiraSite: "https://acme.atlassian.net" });

    expect((await previewTrackerImport(t.db, { teamId: team.id, items })).counts).toEqual({
      create: 3,
      update: 0,
      unchanged: 0,
      closed: 1,
    });
    const first = await importTrackerItems(t.db, { teamId: team.id, items });
    expect(first.counts.create).toBe(3);
    const stories = await listStories(t.db, { teamId: team.id, filters: {}, sort: "rank" });
    expect(stories.map((s) => [s.key, s.title, s.trackerClosed])).toEqual([
      [null, "Already here", false],
      ["PAY-412", "Retry failed card payments", false],
      ["PAY-413", "Add Apple Pay", false],
      ["PAY-398", "Crash when cart is empty", true],
    ]);
    expect(stories[1]).toMatchObject({
      link: "https://acme.atlassian.net/browse/PAY-412",
      labels: ["payments", "backend"],
    });

    const again = await importTrackerItems(t.db, { teamId: team.id, items });
    expect(again.counts).toMatchObject({ create: 0, update: 0, unchanged: 3 });
    expect(await listStories(t.db, { teamId: team.id, filters: {}, sort: "rank" })).toHaveLength(4);
  });

  it("updates tracker fields on re-import, matches by link, and marks (never deletes) closed items", async () => {
    const { team } = await makeTeam(t.db);
    // Typed by hand earlier, with the link and a key of the team's own.
    const typed = await createStory(t.db, {
      teamId: team.id,
      key: "OLD-41",
      title: "cap retries",
      link: "https://github.com/acme/pay-api/issues/41",
      labels: [],
      description: "",
    });
    const [open, closed] = itemsOf("gh-issues.json") as [TrackerItem, TrackerItem];
    await importTrackerItems(t.db, { teamId: team.id, items: [open, { ...closed, closed: false }] });
    expect(await getStory(t.db, { teamId: team.id, storyId: typed.id })).toMatchObject({
      key: "PAYAPI-41",
      title: "Cap agent retries",
      labels: ["bug", "agents"],
    });

    // The tracker closes #17 and renames #41.
    const plan = await importTrackerItems(t.db, {
      teamId: team.id,
      items: [{ ...open, title: "Cap agent retries at 3" }, closed],
    });
    expect(plan.counts).toMatchObject({ create: 0, update: 2 });
    const rows = await listStories(t.db, { teamId: team.id, filters: {}, sort: "rank" });
    expect(rows.map((s) => [s.key, s.title, s.trackerClosed])).toEqual([
      ["PAYAPI-41", "Cap agent retries at 3", false],
      ["PAYAPI-17", "Remove the v1 endpoints", true],
    ]);
  });

  it("keeps teams apart: the same keys in another team are new stories there", async () => {
    const a = await makeTeam(t.db);
    const b = await makeTeam(t.db);
    const items = itemsOf("linear.csv");
    await importTrackerItems(t.db, { teamId: a.team.id, items });
    expect((await previewTrackerImport(t.db, { teamId: b.team.id, items })).counts.create).toBe(3);
  });
});
