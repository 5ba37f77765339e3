// The spend inbox reads its entries through `unattributedEntries` and the partial index of
// migration 0028 (issue 15: 6.5 s a view at 500,000 entries, from a join of every entry to its
// story). This file holds two things on both engines:
//   1. the lists, totals, filter values and waiting keys are what the row-by-row form
//      (`attributedEntries` + `unattributed` / `waitingKey`, the inbox's statements before the index)
//      gives, for every kind of entry and a range of filters, sorts and pages;
//   2. the page's statements can use the indexes (sequential scans priced out: a table this small
//      would be scanned either way).
import { CompiledQuery, sql, type KyselyPlugin, type RootOperationNode } from "kysely";
import { beforeAll, expect, it } from "vitest";
import { attributedEntries, unattributed, waitingKey } from "~/models/attributed-spend.server";
import {
  assignEntries,
  getInboxFilterOptions,
  getSpendOverview,
  importSpendJson,
  INBOX_SORTS,
  listUnattributed,
  mapIdentity,
  setSessionStory,
  type InboxFilters,
  type InboxSort,
} from "~/models/spend.server";
import { createStories } from "~/models/story.server";
import { addMember } from "~/models/team.server";
import type { DB } from "~/utils/db.server";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

const USERS = ["Ana", " ana ", "ben", "Cai", null];
const REPOS = ["acme/web", "acme/api", null];
const MODELS = ["gpt-5.4", "Claude Sonnet 4.6", "auto"];

/** A team whose entries are attributed every way, beside another team sharing session ids and keys. */
async function setup(db: DB) {
  const { team, owner } = await makeTeam(db);
  const { team: other, owner: otherOwner } = await makeTeam(db);
  const dana = await makeUser(db, "Dana");
  await addMember(db, { teamId: team.id, userId: dana.id, role: "member" });
  const stories = await createStories(db, {
    teamId: team.id,
    stories: ["PAY-1", "PAY-2"].map((key) => ({ key, title: key, link: null, labels: [], description: "" })),
  });
  const [otherStory] = await createStories(db, {
    teamId: other.id,
    stories: [{ key: "OTH-1", title: "Other", link: null, labels: [], description: "" }],
  });
  const entries = (prefix: string) =>
    Array.from({ length: 60 }, (_, i) => ({
      id: `${prefix}-${i}`,
      // Several entries share a moment, so the order's tie-break (id) matters.
      occurred_at: `2026-11-${String(1 + (i % 9)).padStart(2, "0")}T${String(8 + (i % 4)).padStart(2, "0")}:00:00Z`,
      model: MODELS[i % 3],
      input_tokens: 100 + i,
      output_tokens: 10,
      ...(i % 11 === 0 ? {} : { credits: 1 + (i % 7) }),
      ...(USERS[i % 5] === null ? {} : { user: USERS[i % 5] }),
      ...(REPOS[i % 3 === 0 ? 2 : i % 2] ? { repository: REPOS[i % 3 === 0 ? 2 : i % 2] } : {}),
      // Every sixth entry carries a key that names a story, every tenth one that names none (waiting).
      ...(i % 6 === 0 ? { tags: [`story:PAY-${1 + (i % 2)}`] } : i % 10 === 0 ? { tags: [`story:NEW-${i % 3}`] } : {}),
      ...(i % 4 === 0 ? { session_id: `s-${i % 8}` } : {}),
    }));
  await importSpendJson(db, entries("t"), { teamId: team.id, fileName: "hook", via: "api" });
  await importSpendJson(db, entries("o"), { teamId: other.id, fileName: "hook", via: "api" });
  // s-0 is mapped in this team; s-4 only in the other team (it must not hide this team's entries).
  await setSessionStory(db, { teamId: team.id, sessionId: "s-0", storyId: stories[0]!.id, userId: owner.id });
  await setSessionStory(db, { teamId: other.id, sessionId: "s-4", storyId: otherStory!.id, userId: otherOwner.id });
  await mapIdentity(db, { teamId: team.id, identity: "ana", userId: dana.id, createdBy: owner.id });
  // Two entries assigned by hand (i = 7 and 13, told apart by their input tokens).
  const picked = await db
    .selectFrom("spendEntries")
    .select("id")
    .where("teamId", "=", team.id)
    .where("inputTokens", "in", [107, 113])
    .execute();
  const ids = picked.map((r) => r.id);
  expect(ids).toHaveLength(2);
  await assignEntries(db, {
    teamId: team.id,
    entryIds: ids,
    storyId: stories[1]!.id,
    mapSessions: false,
    userId: null,
  });
  return { team, dana };
}

// The inbox's statements as they were before the index: every entry joined to what attributes it.
function referenceQuery(db: DB, teamId: number, f: InboxFilters) {
  let query = attributedEntries(db, teamId)
    .leftJoin("spendIdentities as si", (join) =>
      join.onRef("si.teamId", "=", "e.teamId").on("si.identity", "=", sql<string>`lower(btrim(e.external_user))`),
    )
    .leftJoin("users as mu", "mu.id", "si.userId")
    .where(unattributed);
  if (f.member === "none") query = query.where("e.externalUser", "is", null);
  else if (f.member?.startsWith("u:")) query = query.where("si.userId", "=", Number(f.member.slice(2)) || 0);
  else if (f.member?.startsWith("x:"))
    query = query.where(sql<string>`lower(btrim(e.external_user))`, "=", f.member.slice(2));
  if (f.repository) query = query.where("e.repository", "=", f.repository);
  if (f.model) query = query.where("e.model", "=", f.model);
  if (f.from) query = query.where("e.day", ">=", f.from);
  if (f.to) query = query.where("e.day", "<=", f.to);
  return query;
}

async function referenceList(
  db: DB,
  teamId: number,
  f: InboxFilters,
  sort: InboxSort | undefined,
  desc: boolean,
  limit: number,
  offset: number,
) {
  const column = INBOX_SORTS[sort ?? "day"];
  const descending = sort ? desc : true;
  const rows = await referenceQuery(db, teamId, f)
    .select(["e.id", "e.credits", "mu.name as memberName"])
    .orderBy(column, (ob) => (descending ? ob.desc().nullsLast() : ob.asc().nullsLast()))
    .orderBy("e.id", "desc")
    .limit(limit)
    .offset(offset)
    .execute();
  const total = await referenceQuery(db, teamId, f)
    .select([sql<number>`count(*)`.as("entries"), sql<number>`coalesce(sum(e.credits), 0)`.as("credits")])
    .executeTakeFirstOrThrow();
  return {
    rows: rows.map((r) => ({ id: Number(r.id), memberName: r.memberName })),
    total: { entries: Number(total.entries), credits: Number(total.credits) },
  };
}

describeDb("spend inbox through its index", (t) => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    ctx = await setup(t.db);
  });

  it("lists, counts and pages the same entries as the row-by-row form, for every filter and sort", async () => {
    const { team, dana } = ctx;
    const filters: InboxFilters[] = [
      {},
      { member: `u:${dana.id}` },
      { member: "x:ben" },
      { member: "x:cai" },
      { member: "none" },
      { member: "u:0" },
      { repository: "acme/web" },
      { model: "auto", from: "2026-11-03", to: "2026-11-07" },
      { member: `u:${dana.id}`, repository: "acme/api", model: "gpt-5.4" },
    ];
    const sorts: [InboxSort | undefined, boolean][] = [
      [undefined, false],
      ["day", false],
      ["day", true],
      ["credits", true],
      ["credits", false],
      ["model", false],
      ["repository", true],
    ];
    let compared = 0;
    for (const f of filters) {
      for (const [sort, desc] of sorts) {
        for (const [limit, offset] of [
          [500, 0],
          [7, 0],
          [7, 14],
        ] as const) {
          const got = await listUnattributed(t.db, { teamId: team.id, filters: f, sort, desc, limit, offset });
          const want = await referenceList(t.db, team.id, f, sort, desc, limit, offset);
          expect({
            f,
            sort,
            desc,
            offset,
            rows: got.rows.map((r) => ({ id: Number(r.id), memberName: r.memberName })),
          }).toEqual({ f, sort, desc, offset, rows: want.rows });
          expect(got.total).toEqual(want.total);
          compared += got.rows.length;
        }
      }
    }
    // The fixture is not trivially empty: the unfiltered inbox has entries of every kind left.
    const all = await listUnattributed(t.db, { teamId: team.id });
    expect(all.total.entries).toBeGreaterThan(20);
    expect(compared).toBeGreaterThan(500);
  });

  it("offers the same filter values and waiting keys, and the overview's figures agree", async () => {
    const { team, dana } = ctx;
    const options = await getInboxFilterOptions(t.db, team.id);
    const rows = await referenceQuery(t.db, team.id, {})
      .select([
        "e.repository",
        "e.model",
        sql<string | null>`lower(btrim(e.external_user))`.as("identity"),
        "si.userId",
        "mu.name",
      ])
      .execute();
    const distinct = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];
    expect([...options.repositories].sort()).toEqual(distinct(rows.map((r) => r.repository)).sort());
    expect([...options.models].sort()).toEqual(distinct(rows.map((r) => r.model)).sort());
    expect(options.members).toEqual([{ value: `u:${dana.id}`, label: dana.name }]);
    expect(options.identities).toEqual(
      distinct(rows.filter((r) => r.userId === null).map((r) => r.identity))
        .sort()
        .map((i) => ({ value: `x:${i}`, label: i })),
    );
    expect(options.anonymous).toBe(rows.some((r) => r.identity === null));
    expect(options.identities.map((i) => i.label)).toEqual(["ben", "cai"]);

    // The lists come back in the database's order, as before.
    const ordered = async (column: "e.repository" | "e.model") =>
      (
        await referenceQuery(t.db, team.id, {})
          .select(`${column} as value`)
          .distinct()
          .where(column, "is not", null)
          .orderBy(column)
          .execute()
      ).map((r) => r.value);
    expect(options.repositories).toEqual(await ordered("e.repository"));
    expect(options.models).toEqual(await ordered("e.model"));

    const overview = await getSpendOverview(t.db, team.id);
    const inbox = await listUnattributed(t.db, { teamId: team.id });
    expect(overview.unattributed).toEqual(inbox.total);
    const waiting = await attributedEntries(t.db, team.id)
      .where(waitingKey)
      .select([
        "e.storyKey as key",
        sql<number>`count(*)`.as("entries"),
        sql<number>`coalesce(sum(e.credits), 0)`.as("credits"),
      ])
      .groupBy("e.storyKey")
      .orderBy("e.storyKey")
      .execute();
    expect(overview.waiting).toEqual(
      waiting.map((w) => ({ key: w.key, entries: Number(w.entries), credits: Number(w.credits) })),
    );
    expect(overview.waiting.map((w) => w.key)).toEqual(["NEW-1", "NEW-2"]);
    const all = await t.db
      .selectFrom("spendEntries")
      .select([sql<number>`count(*)`.as("n"), sql<number>`count(*) filter (where credits is null)`.as("unpriced")])
      .where("teamId", "=", team.id)
      .executeTakeFirstOrThrow();
    expect(overview.entries).toBe(Number(all.n));
    expect(overview.unpriced.entries).toBe(Number(all.unpriced));
  });

  it("reads the inbox's entries from the partial index and the waiting keys from the key index", async () => {
    const { team, dana } = ctx;
    // A history like a real team's: most entries carry a story key (and so are not in the index),
    // planner statistics up to date.
    await sql`insert into spend_entries (team_id, occurred_at, day, source, model, credits, story_key, external_user, dedupe_key)
      select ${team.id}, timestamptz '2026-10-01 12:00Z' + g * interval '1 minute', date '2026-10-01' + g / 1440,
             'api', 'gpt-5.4', 1, 'PAY-1', 'ana', 'bulk-' || g
      from generate_series(1, 5000) g`.execute(t.db);
    await sql`analyze spend_entries`.execute(t.db);
    const nodes: RootOperationNode[] = [];
    const capture: KyselyPlugin = {
      transformQuery: (args) => (nodes.push(args.node), args.node),
      transformResult: async (args) => args.result,
    };
    const db = t.db.withPlugin(capture);
    await getSpendOverview(db, team.id);
    await getInboxFilterOptions(db, team.id);
    await listUnattributed(db, { teamId: team.id, limit: 50 });
    await listUnattributed(db, { teamId: team.id, filters: { member: `u:${dana.id}` }, limit: 50 });
    await listUnattributed(db, { teamId: team.id, sort: "credits", desc: true, limit: 50, offset: 50 });
    const executor = t.db.getExecutor();
    const statements = nodes.map((node) => executor.compileQuery(node, { queryId: "explain" } as never));
    const inboxReads = statements.filter((q) => q.sql.includes("not exists (select 1 from spend_session_stories ss"));
    const waitingReads = statements.filter((q) => q.sql.includes("with recursive k(key)"));
    // The overview's count, the filter values, and per list its page and its total.
    expect(inboxReads.length).toBeGreaterThanOrEqual(8);
    expect(waitingReads).toHaveLength(1);

    const plan = async (trx: DB, q: { sql: string; parameters: readonly unknown[] }) =>
      (await trx.executeQuery(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]))).rows
        .map((r) => Object.values(r as object)[0])
        .join("\n");
    await t.db.transaction().execute(async (trx) => {
      await trx.executeQuery(CompiledQuery.raw("set local enable_seqscan = off"));
      for (const read of inboxReads) {
        const text = await plan(trx, read);
        expect(text, read.sql).toContain("spend_entries_unattributed_idx");
        expect(text, read.sql).not.toMatch(/Seq Scan on spend_entries/);
      }
      for (const read of waitingReads) {
        const text = await plan(trx, read);
        expect(text, read.sql).toContain("spend_entries_team_story_key_idx");
        expect(text, read.sql).not.toMatch(/Seq Scan on spend_entries/);
      }
    });
  });
});
