import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planTrackerImport, type BacklogStory } from "~/domain/trackers/import-plan";
import { detectTrackerFormat, parseTrackerFile } from "~/domain/trackers/tracker-file";

const fixture = (name: string) =>
  readFileSync(new URL(`../../../tests/fixtures/trackers/${name}`, import.meta.url), "utf8");

describe("tracker exports", () => {
  it.each([
    ["jira-all-fields.csv", "jira-csv"],
    ["jira-current-fields.csv", "jira-csv"],
    ["linear.csv", "linear-csv"],
    ["gh-issues.json", "github-json"],
    ["azure-boards.csv", "azure-csv"],
  ])("recognises %s by its header", (name, format) => {
    expect(detectTrackerFormat(fixture(name))).toBe(format);
  });

  it("reads Jira's all-fields export: repeated Labels, multi-line description, resolved = closed, links from the site", () => {
    const result = parseTrackerFile(fixture("jira-all-fields.csv"), { jiraSite: "https://acme.atlassian.net" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.items).toEqual([
      {
        line: 2,
        key: "PAY-412",
        title: "Retry failed card payments",
        link: "https://acme.atlassian.net/browse/PAY-412",
        labels: ["payments", "backend"],
        description: 'Retry with backoff.\n\nSee "runbook".',
        closed: false,
      },
      expect.objectContaining({ key: "PAY-413", labels: ["frontend"], closed: false }),
      expect.objectContaining({ key: "PAY-398", closed: true }),
    ]);
  });

  it("reads Jira's current-fields export without a site: no links, keys still match", () => {
    const result = parseTrackerFile(fixture("jira-current-fields.csv"));
    expect(result.ok && result.items.map((i) => [i.key, i.link, i.labels])).toEqual([
      ["PAY-412", null, ["payments"]],
      ["PAY-420", null, []],
    ]);
  });

  it("reads Linear: comma labels in one cell, Completed or Canceled = closed", () => {
    const result = parseTrackerFile(fixture("linear.csv"));
    expect(result.ok && result.items.map((i) => [i.key, i.labels, i.closed, i.description])).toEqual([
      ["ENG-12", ["feature", "backend"], false, "Body, with a comma\nand a second line"],
      ["ENG-13", [], true, ""],
      ["ENG-9", ["bug"], true, ""],
    ]);
  });

  it("reads gh issue list JSON: label objects, state, a key from the repository", () => {
    const result = parseTrackerFile(fixture("gh-issues.json"));
    expect(result.ok && result.items).toEqual([
      expect.objectContaining({
        key: "PAYAPI-41",
        title: "Cap agent retries",
        link: "https://github.com/acme/pay-api/issues/41",
        labels: ["bug", "agents"],
        closed: false,
      }),
      expect.objectContaining({ key: "PAYAPI-17", closed: true, description: "" }),
    ]);
  });

  it("reads an Azure Boards query: ID becomes a key, Tags split on semicolons, Closed = closed", () => {
    const result = parseTrackerFile(fixture("azure-boards.csv"));
    expect(result.ok && result.items.map((i) => [i.key, i.labels, i.closed])).toEqual([
      ["AB-272", ["backend", "api"], false],
      ["AB-273", [], true],
    ]);
  });

  it("refuses what it does not know, and items it could never match again", () => {
    expect(parseTrackerFile("title,owner\nx,y\n")).toMatchObject({ ok: false, format: null });
    expect(parseTrackerFile("[1, 2]")).toMatchObject({ ok: false, errors: [{ line: 1 }, { line: 2 }] });
    expect(parseTrackerFile("{not json")).toMatchObject({ ok: false });
    // A key the team's pattern refuses and no link: nothing to match it by next time.
    const noMatch = parseTrackerFile("Summary,Issue key\nA title,not a key\n");
    expect(noMatch).toMatchObject({ ok: false, errors: [{ line: 2 }] });
    const twice = parseTrackerFile("Summary,Issue key\nOne,PAY-1\nTwo,PAY-1\n");
    expect(twice).toMatchObject({ ok: false, errors: [{ line: 3, message: "PAY-1 is already on line 2" }] });
  });

  it("drops control characters from titles and labels (a NUL cannot be stored)", () => {
    const result = parseTrackerFile("Summary,Issue key,Labels\nFix\u0000 it\u0007,PAY-1,a\u0000b\n");
    expect(result.ok && result.items[0]).toMatchObject({ title: "Fix it", labels: ["ab"] });
  });
});

describe("planTrackerImport", () => {
  const story = (over: Partial<BacklogStory>): BacklogStory => ({
    id: 1,
    key: null,
    link: null,
    title: "",
    labels: [],
    description: "",
    trackerClosed: false,
    ...over,
  });

  it("creates new items, updates changed ones by key or link, leaves the same ones alone", () => {
    const parsed = parseTrackerFile(fixture("gh-issues.json"));
    if (!parsed.ok) throw new Error("fixture");
    const [open, closed] = parsed.items as [(typeof parsed.items)[0], (typeof parsed.items)[0]];
    const stories = [
      // Matched by link although its key was typed differently: keeps the tracker's key from now on.
      story({
        id: 7,
        key: "OLD-41",
        link: open.link,
        title: open.title,
        labels: open.labels,
        description: open.description,
      }),
    ];
    const plan = planTrackerImport(stories, [open, closed]);
    expect(plan.counts).toEqual({ create: 1, update: 1, unchanged: 0, closed: 1 });
    expect(plan.changes[0]).toMatchObject({ kind: "update", storyId: 7, fields: ["key"] });

    const again = planTrackerImport(
      [story({ id: 7, ...open, trackerClosed: false }), story({ id: 8, ...closed, trackerClosed: true })],
      [open, closed],
    );
    expect(again.counts).toMatchObject({ create: 0, update: 0, unchanged: 2 });
  });
});
