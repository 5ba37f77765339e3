import { sql } from "kysely";
import { expect, it } from "vitest";
import { vacuumEmbedded } from "~/models/embedded-vacuum.server";
import { createStories } from "~/models/story.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";

describeDb("embedded vacuum", (t) => {
  const statisticsOf = async (table: string) =>
    (
      await sql<{ columns: number }>`
        select count(*)::int as columns from pg_stats where schemaname = current_schema() and tablename = ${table}`.execute(
        t.db,
      )
    ).rows[0]!.columns;

  const allVisiblePagesOf = async (table: string) =>
    (
      await sql<{ pages: number }>`
        select relallvisible::int as pages from pg_class where oid = ${table}::regclass`.execute(t.db)
    ).rows[0]!.pages;

  it("vacuums and analyzes every table of the embedded database, which has no autovacuum to do it", async () => {
    const { team } = await makeTeam(t.db);
    await createStories(t.db, {
      teamId: team.id,
      stories: Array.from({ length: 40 }, (_, i) => ({
        key: null,
        title: `Story ${i}`,
        link: null,
        labels: [],
        description: "",
      })),
    });
    // Nothing has analyzed the new rows yet, on either engine.
    expect(await statisticsOf("stories")).toBe(0);
    expect(await allVisiblePagesOf("stories")).toBe(0);
    await vacuumEmbedded(t.db);
    if (t.kind === "pglite") {
      // Analyzed (the planner's statistics) and vacuumed (the visibility map: dead rows reclaimed).
      expect(await statisticsOf("stories")).toBeGreaterThan(5);
      expect(await statisticsOf("memberships")).toBeGreaterThan(0);
      expect(await allVisiblePagesOf("stories")).toBeGreaterThan(0);
    } else {
      // PostgreSQL's autovacuum keeps its own schedule: nothing is run here.
      expect(await statisticsOf("stories")).toBe(0);
      expect(await allVisiblePagesOf("stories")).toBe(0);
    }
  });
});
