// The whole importer (staging, in-file renumbering, merge, undo) on public files from
// tests/fixtures/external/ (provenance in its README): what a team sees after importing them must be
// the origin's figures, and importing them again must change nothing.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { summaryJson, type ImportResult } from "~/domain/spend/import-result";
import { assignEntries, importSpendFile, undoImport } from "~/models/spend.server";
import { createStory } from "~/models/story.server";
import type { DB } from "~/utils/db.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";

const external = new URL("../fixtures/external/", import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, external), "utf8");
const line = (r: ImportResult) => JSON.parse(summaryJson(r));

async function teamTotals(db: DB, teamId: number) {
  const rows = await db
    .selectFrom("spendEntries")
    .select(["credits", "costUsd", "outputTokens", "product"])
    .where("teamId", "=", teamId)
    .execute();
  return {
    entries: rows.length,
    credits: rows.reduce((s, e) => s + (e.credits ?? 0), 0),
    usd: rows.reduce((s, e) => s + (e.costUsd ?? 0), 0),
    output: rows.reduce((s, e) => s + e.outputTokens, 0),
    spark: rows.filter((e) => e.product === "spark").length,
  };
}

describeDb("spend imports of public files", (t) => {
  it("the 1,693-row transition-period Copilot export: every row in, the tool's AI credits; a re-import or reordered copy changes nothing", async () => {
    const { team } = await makeTeam(t.db);
    const text = fixture("copilot-pru-example-1693.csv");
    const importAs = (body: string, fileName: string) =>
      importSpendFile(t.db, body, { teamId: team.id, fileName, via: "cli" });

    const first = await importAs(text, "pru-example.csv");
    // The tool (asizikov-demos/copilot-premium-requests-report-viewer) counts all 1,693 rows and
    // 175,767.637 AI credits; 98 of the rows share their day, user, model and SKU with another row.
    expect(line(first)).toMatchObject({
      format: "copilot-premium",
      rows: 1693,
      imported: 1693,
      duplicates: 0,
      rejected: 0,
      credits: 175767.637,
    });
    expect(await teamTotals(t.db, team.id)).toMatchObject({ entries: 1693, spark: 3 });
    expect((await teamTotals(t.db, team.id)).credits).toBeCloseTo(175767.637, 4);

    expect(line(await importAs(text, "again.csv"))).toMatchObject({ imported: 0, updated: 0, duplicates: 1693 });
    const [header, ...rows] = text.trimEnd().split("\n");
    const reordered = [header, ...rows.reverse()].join("\n");
    expect(line(await importAs(reordered, "reordered.csv"))).toMatchObject({
      imported: 0,
      updated: 0,
      duplicates: 1693,
    });
    expect((await teamTotals(t.db, team.id)).entries).toBe(1693);
  });

  it("a row the report viewer cannot date either: the file is refused, or with skip-invalid the row is counted and named", async () => {
    // The viewer's test "warns and skips rows when the first streamed date format is unrecognized":
    // 'May 29 2026' is no date. The viewer drops both rows (it fixes the date format from the first
    // row, so the ISO date of the second fails too) and warns. A deliberate difference: we read the
    // second row's ISO date; the undatable row is never dropped silently — it rejects the report, or
    // (skip-invalid) it is counted in `rejected` and listed in `skipped` with its reason.
    const { team } = await makeTeam(t.db);
    const text = fixture("copilot-viewer-unrecognised-date.csv");
    const atomic = await importSpendFile(t.db, text, { teamId: team.id, fileName: "viewer.csv", via: "cli" });
    expect(line(atomic)).toMatchObject({
      rows: 2,
      imported: 0,
      rejected: 2,
      errors: [{ line: 2, reason: 'date is not a date or timestamp: "May 29 2026"' }],
    });
    const lenient = await importSpendFile(t.db, text, {
      teamId: team.id,
      fileName: "viewer.csv",
      via: "cli",
      skipInvalid: true,
    });
    expect(line(lenient)).toMatchObject({
      rows: 2,
      imported: 1,
      rejected: 1,
      credits: 12,
      skipped: {
        count: 1,
        lines: [{ line: 2, kind: "unreadable", reason: 'date is not a date or timestamp: "May 29 2026"' }],
      },
    });
  });

  it("ccusage issue #901's streamed call: a grown transcript updates the entry, undo returns the earlier figures, the story stays", async () => {
    const { team } = await makeTeam(t.db);
    const lines = fixture("claude-streaming-duplicates.jsonl").trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    // The transcript as it stood after the second write (9, 9 output tokens), then whole (159).
    const early = await importSpendFile(t.db, lines.slice(0, 2).join("\n"), {
      teamId: team.id,
      fileName: "early.jsonl",
      via: "cli",
    });
    expect(line(early)).toMatchObject({ rows: 2, imported: 1, duplicates: 1 });
    expect((await teamTotals(t.db, team.id)).output).toBe(9);

    const story = await createStory(t.db, {
      teamId: team.id,
      key: null,
      title: "Streaming",
      link: null,
      labels: [],
      description: "",
    });
    const [entry] = await t.db.selectFrom("spendEntries").select("id").where("teamId", "=", team.id).execute();
    await assignEntries(t.db, {
      teamId: team.id,
      entryIds: [entry!.id],
      storyId: story.id,
      mapSessions: false,
      userId: null,
    });

    const whole = await importSpendFile(t.db, lines.join("\n"), {
      teamId: team.id,
      fileName: "whole.jsonl",
      via: "cli",
    });
    // The issue: "the correct value is 159".
    expect(line(whole)).toMatchObject({ rows: 3, imported: 0, updated: 1, duplicates: 2 });
    expect(await teamTotals(t.db, team.id)).toMatchObject({ entries: 1, output: 159 });

    expect(await undoImport(t.db, { teamId: team.id, importId: whole.importId!, userId: null })).toEqual({
      removed: 0,
      restored: 1,
    });
    const after = await t.db
      .selectFrom("spendEntries")
      .select(["id", "outputTokens", "storyId"])
      .where("teamId", "=", team.id)
      .execute();
    expect(after).toEqual([{ id: entry!.id, outputTokens: 9, storyId: story.id }]);
  });
});
