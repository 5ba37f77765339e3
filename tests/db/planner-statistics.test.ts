import { sql } from "kysely";
import { expect, it } from "vitest";
import { refreshPlannerStatistics } from "~/models/planner-statistics.server";
import { createStories } from "~/models/story.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";

describeDb("planner statistics", (t) => {
  const statisticsOf = async (table: string) =>
    (
      await sql<{ columns: number }>`
        select count(*)::int as columns from pg_stats where schemaname = current_schema() and tablename = ${table}`.execute(
        t.db,
      )
    ).rows[0]!.columns;

  it("are gathered for every table of the embedded database, which has no autovacuum to do it", async () => {
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
    await refreshPlannerStatistics(t.db);
    if (t.kind === "pglite") {
      expect(await statisticsOf("stories")).toBeGreaterThan(5);
      expect(await statisticsOf("memberships")).toBeGreaterThan(0);
    } else {
      // PostgreSQL's autovacuum keeps its own schedule: nothing is run here.
      expect(await statisticsOf("stories")).toBe(0);
    }
  });
});
