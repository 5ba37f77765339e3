// "My spend" reads one person's entries through the index on lower(btrim(external_user))
// (migration 0024, issue 15): without it every view of the page read all of the team's entries.
// The index only helps while the page's query uses the very same expression, so this test takes
// the statements getMySpend sends and asks each engine's planner how it would run them, with
// sequential scans priced out (a table this small would be scanned either way).
import { CompiledQuery, type KyselyPlugin, type RootOperationNode } from "kysely";
import { expect, it } from "vitest";
import { getMySpend } from "~/models/retro.server";
import { addMember } from "~/models/team.server";
import { importSpendJson, mapIdentity } from "~/models/spend.server";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

describeDb("spend identity index", (t) => {
  it("serves my spend's entry reads from the identity index", async () => {
    const { team, owner } = await makeTeam(t.db);
    const member = await makeUser(t.db, "Ana");
    await addMember(t.db, { teamId: team.id, userId: member.id, role: "member" });
    await importSpendJson(
      t.db,
      ["Ana", " ana ", "ben"].map((user, i) => ({
        id: `idx-${i}`,
        occurred_at: `2026-11-2${i}T10:00:00Z`,
        model: "gpt-5.4",
        input_tokens: 100,
        output_tokens: 10,
        credits: 1 + i,
        user,
      })),
      { teamId: team.id, fileName: "api", via: "api" },
    );
    await mapIdentity(t.db, { teamId: team.id, identity: "ana", userId: member.id, createdBy: owner.id });

    // The statements the page sends, as sent.
    const nodes: RootOperationNode[] = [];
    const capture: KyselyPlugin = {
      transformQuery: (args) => (nodes.push(args.node), args.node),
      transformResult: async (args) => args.result,
    };
    const mine = await getMySpend(t.db.withPlugin(capture), { teamId: team.id, userId: member.id });
    expect(mine.total).toMatchObject({ credits: 3, entries: 2 });
    const executor = t.db.getExecutor();
    const entryReads = nodes
      .map((node) => executor.compileQuery(node, { queryId: "explain" }))
      .filter((q) => q.sql.includes('"spend_entries"') || q.sql.includes("spend_entries"));
    expect(entryReads.length).toBeGreaterThan(0);

    await t.db.transaction().execute(async (trx) => {
      await trx.executeQuery(CompiledQuery.raw("set local enable_seqscan = off"));
      for (const read of entryReads) {
        const plan = await trx.executeQuery<{ "QUERY PLAN": string }>(
          CompiledQuery.raw(`explain ${read.sql}`, [...read.parameters]),
        );
        const text = plan.rows.map((r) => Object.values(r)[0]).join("\n");
        expect(text, read.sql).toContain("spend_entries_team_identity_idx");
      }
    });
  });
});
