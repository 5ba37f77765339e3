// The organisation's own spend report (the bill, issue 17): an org admin imports the organisation's
// Copilot report (or any format the team importer reads — the same parsers) and each row is placed:
//   - on the team whose identities hold the row's user (spend_identities of the organisation's
//     accepted teams) when exactly one team does, or on the team an org admin placed that identity on
//     (organisation_identity_placements, which wins: it is the admin's decision);
//   - "unplaced" when the user is in several teams or in none, until an admin places the identity;
//   - "organisation" when the row has no user at all (e.g. code review): it stays at org level.
// A placed row also goes into its team's spend through the team importer (importSpendEntries: same
// dedupe keys, so a team that imports the same report itself does not count it twice; same burn and
// organisation alerts). Reconciliation compares the bill with the team-attributed spend.
//
// Every query is scoped by the organisation id the gate gave; teams only among its accepted teams.
import { sql } from "kysely";
import { billingMonthOfDay, monthInstantRange } from "~/domain/organisation/billing-month";
import type { FormatName, SpendEntry } from "~/domain/spend/entry";
import { parseSpend, type SpendInput } from "~/domain/spend/parse";
import { teamMonthSpend } from "~/models/credit-exception.server";
import { checkOrganisationAlerts } from "~/models/organisation-alert.server";
import { listAttachedTeams } from "~/models/organisation.server";
import { importSpendEntries, normalizeIdentity, SpendLimitError } from "~/models/spend.server";
import type { DB } from "~/utils/db.server";

/** Rows one import may hold: an organisation's monthly report is far below this. */
export const ORG_IMPORT_MAX_ROWS = 200_000;

export type Placement =
  { placement: "placed"; teamId: number } | { placement: "unplaced" } | { placement: "organisation" };

/**
 * Where rows of each identity go: identity → the team (an admin's placement first, else the one team
 * whose identities hold it) or "unplaced". Pure over its inputs; exported for the tests.
 */
export function placementOf(
  identity: string | null,
  teamsByIdentity: ReadonlyMap<string, readonly number[]>,
  placed: ReadonlyMap<string, number>,
): Placement {
  if (identity === null) return { placement: "organisation" };
  const chosen = placed.get(identity);
  if (chosen !== undefined) return { placement: "placed", teamId: chosen };
  const teams = teamsByIdentity.get(identity) ?? [];
  return teams.length === 1 ? { placement: "placed", teamId: teams[0]! } : { placement: "unplaced" };
}

async function placementInputs(db: DB, organisationId: number) {
  const teams = await listAttachedTeams(db, organisationId);
  const teamIds = teams.map((t) => t.teamId);
  const [identities, placements] = await Promise.all([
    teamIds.length
      ? db.selectFrom("spendIdentities").select(["identity", "teamId"]).where("teamId", "in", teamIds).execute()
      : Promise.resolve([]),
    db
      .selectFrom("organisationIdentityPlacements")
      .select(["identity", "teamId"])
      .where("organisationId", "=", organisationId)
      .execute(),
  ]);
  const teamsByIdentity = new Map<string, number[]>();
  for (const i of identities)
    teamsByIdentity.set(i.identity, [...(teamsByIdentity.get(i.identity) ?? []), Number(i.teamId)]);
  const accepted = new Set(teamIds);
  // A placement on a team that has since left the organisation no longer places anything.
  const placed = new Map(
    placements.filter((p) => accepted.has(Number(p.teamId))).map((p) => [p.identity, Number(p.teamId)]),
  );
  return { teams, teamsByIdentity, placed };
}

export interface OrganisationImportResult {
  importId: number;
  status: "imported" | "rejected";
  format: string | null;
  rows: number;
  placed: number;
  unplaced: number;
  orgLevel: number;
  /** Rows already in the organisation's report (same dedupe key): not added again. */
  duplicates: number;
  credits: number;
  errors: { line: number; reason: string }[];
}

/** Imports one file of the organisation's report. A file with a bad row is rejected whole. */
export async function importOrganisationReport(
  db: DB,
  input: SpendInput,
  options: {
    organisationId: number;
    fileName: string;
    via: "upload" | "cli" | "seed";
    userId: number | null;
    format?: FormatName;
  },
): Promise<OrganisationImportResult> {
  const log = await db
    .insertInto("organisationSpendImports")
    .values({
      organisationId: options.organisationId,
      userId: options.userId,
      via: options.via,
      fileName: options.fileName.slice(0, 300),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const importId = Number(log.id);
  const entries: SpendEntry[] = [];
  const errors: { line: number; reason: string }[] = [];
  let format: string | null = null;
  try {
    for await (const event of parseSpend(input, {
      format: options.format,
      // The bill prices itself (Copilot reports carry credits); models no team priced stay unpriced.
      rateCard: { creditValueUsd: 0.01, models: [] },
      maxIssues: 20,
    })) {
      if (event.kind === "format") format = event.format;
      else if (event.kind === "entry") {
        entries.push(event.entry);
        if (entries.length > ORG_IMPORT_MAX_ROWS)
          throw new SpendLimitError("rows", `more than ${ORG_IMPORT_MAX_ROWS} rows`);
      } else if (event.kind === "issue") errors.push(event.issue);
    }
  } catch (error) {
    await db
      .updateTable("organisationSpendImports")
      .set({
        status: "failed",
        finishedAt: new Date(),
        errors: JSON.stringify([{ line: 1, reason: String(error instanceof Error ? error.message : error) }]),
      })
      .where("id", "=", importId)
      .execute();
    throw error;
  }
  if (errors.length > 0 || entries.length === 0) {
    const reasons = errors.length ? errors : [{ line: 1, reason: "The file holds no spend rows." }];
    await db
      .updateTable("organisationSpendImports")
      .set({
        status: "rejected",
        format,
        rejected: reasons.length,
        errors: JSON.stringify(reasons.slice(0, 20)),
        finishedAt: new Date(),
      })
      .where("id", "=", importId)
      .execute();
    return {
      importId,
      status: "rejected",
      format,
      rows: 0,
      placed: 0,
      unplaced: 0,
      orgLevel: 0,
      duplicates: 0,
      credits: 0,
      errors: reasons,
    };
  }

  const { teamsByIdentity, placed } = await placementInputs(db, options.organisationId);
  const byTeam = new Map<number, SpendEntry[]>();
  const counts = { placed: 0, unplaced: 0, orgLevel: 0, duplicates: 0, credits: 0 };
  for (let i = 0; i < entries.length; i += 1000) {
    const batch = entries.slice(i, i + 1000).map((entry) => {
      const identity = entry.externalUser ? normalizeIdentity(entry.externalUser) || null : null;
      return { entry, identity, where: placementOf(identity, teamsByIdentity, placed) };
    });
    const inserted = await db
      .insertInto("organisationSpendRows")
      .values(
        batch.map(({ entry, identity, where }) => ({
          organisationId: options.organisationId,
          importId,
          occurredAt: new Date(entry.occurredAt),
          day: entry.day,
          // The bill's month is the UTC month of the row's instant.
          month: billingMonthOfDay(entry.occurredAt.slice(0, 10)),
          source: entry.source,
          model: entry.model,
          identity,
          credits: entry.credits,
          poolCredits: entry.poolCredits,
          paidCredits: entry.paidCredits,
          costUsd: entry.costUsd,
          dedupeKey: entry.dedupeKey,
          placement: where.placement,
          teamId: where.placement === "placed" ? where.teamId : null,
        })),
      )
      .onConflict((oc) => oc.columns(["organisationId", "dedupeKey"]).doNothing())
      .returning("dedupeKey")
      .execute();
    const fresh = new Set(inserted.map((r) => r.dedupeKey));
    for (const { entry, where } of batch) {
      if (!fresh.has(entry.dedupeKey)) {
        counts.duplicates++;
        continue;
      }
      fresh.delete(entry.dedupeKey);
      counts.credits += entry.credits ?? 0;
      if (where.placement === "placed") {
        counts.placed++;
        byTeam.set(where.teamId, [...(byTeam.get(where.teamId) ?? []), asBillEntry(entry)]);
      } else if (where.placement === "unplaced") counts.unplaced++;
      else counts.orgLevel++;
    }
  }
  for (const [teamId, teamEntries] of byTeam) {
    await importSpendEntries(db, teamEntries, {
      teamId,
      fileName: `${options.organisationId}:${options.fileName}`.slice(0, 300),
      via: options.via,
      userId: options.userId,
      format: format ?? "organisation",
    });
  }
  await db
    .updateTable("organisationSpendImports")
    .set({
      status: "imported",
      format,
      rows: entries.length - counts.duplicates,
      placed: counts.placed,
      unplaced: counts.unplaced,
      orgLevel: counts.orgLevel,
      credits: counts.credits,
      finishedAt: new Date(),
    })
    .where("id", "=", importId)
    .execute();
  // Unplaced and org-level rows draw on the pool too.
  await checkOrganisationAlerts(db, { organisationId: options.organisationId }).catch(() => undefined);
  return { importId, status: "imported", format, rows: entries.length - counts.duplicates, ...counts, errors: [] };
}

/**
 * What a team receives of a bill row: the spend, never where in the team's work it went. A story
 * key, session or repository in the organisation's file would attribute the row to one of the
 * team's stories (its actuals, its retrospective, the team's calibration) — the team's own data,
 * which an org admin must not write by crafting a file. Rows placed later (placeIdentity) carry
 * none of them either, so both paths give the team the same entry.
 */
function asBillEntry(entry: SpendEntry): SpendEntry {
  return { ...entry, storyKey: null, sessionId: null, repository: null };
}

/** For the command line, which has no signed-in user: the organisation by its address. */
export async function getOrganisationBySlug(db: DB, slug: string) {
  const row = await db
    .selectFrom("organisations")
    .select(["id", "slug", "name"])
    .where("slug", "=", slug)
    .executeTakeFirst();
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export class PlacementError extends Error {}

/**
 * An org admin places an identity on one of the organisation's teams: its waiting rows move to that
 * team (into its spend, through the team importer), and later imports place it there too.
 */
export async function placeIdentity(
  db: DB,
  input: { organisationId: number; identity: string; teamId: number; userId: number },
) {
  const identity = normalizeIdentity(input.identity);
  const teams = await listAttachedTeams(db, input.organisationId);
  if (!teams.some((t) => t.teamId === input.teamId)) throw new PlacementError("Pick one of the organisation's teams.");
  const rows = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("organisationIdentityPlacements")
      .values({ organisationId: input.organisationId, identity, teamId: input.teamId, placedBy: input.userId })
      .onConflict((oc) =>
        oc.columns(["organisationId", "identity"]).doUpdateSet({ teamId: input.teamId, placedBy: input.userId }),
      )
      .execute();
    return trx
      .updateTable("organisationSpendRows")
      .set({ placement: "placed", teamId: input.teamId })
      .where("organisationId", "=", input.organisationId)
      .where("identity", "=", identity)
      .where("placement", "=", "unplaced")
      .returning([
        "occurredAt",
        "day",
        "source",
        "model",
        "identity",
        "credits",
        "poolCredits",
        "paidCredits",
        "costUsd",
        "dedupeKey",
      ])
      .execute();
  });
  if (rows.length) {
    // The bill keeps what finance needs (credits, model, day); tokens and repositories are not
    // carried at organisation level, so the team's entry has none.
    const entries: SpendEntry[] = rows.map((r, i) => ({
      line: i + 1,
      source: r.source as SpendEntry["source"],
      dedupeKey: r.dedupeKey,
      occurredAt: new Date(r.occurredAt).toISOString(),
      day: r.day,
      model: r.model,
      modelId: null,
      inputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 0,
      costUsd: r.costUsd === null ? null : Number(r.costUsd),
      credits: r.credits === null ? null : Number(r.credits),
      pricedBy: r.credits === null ? null : "source",
      poolCredits: r.poolCredits === null ? null : Number(r.poolCredits),
      paidCredits: r.paidCredits === null ? null : Number(r.paidCredits),
      externalUser: r.identity,
      sessionId: null,
      repository: null,
      storyKey: null,
      aggregated: true,
    }));
    await importSpendEntries(db, entries, {
      teamId: input.teamId,
      fileName: `placed ${identity}`,
      via: "upload",
      userId: input.userId,
      format: "organisation",
    });
  }
  return { identity, moved: rows.length };
}

/**
 * The bill against the teams: what the organisation's report holds for the month (placed on teams,
 * waiting for a placement, org-level), what the teams' own spend says, and the identities waiting —
 * with the teams that hold each (several) or none.
 */
export async function getReconciliation(db: DB, input: { organisationId: number; month: string }) {
  // Two rounds, each side by side: the organisation's own rows, then what needs its teams' ids.
  const [teams, byPlacement, unmapped, imports] = await Promise.all([
    listAttachedTeams(db, input.organisationId),
    db
      .selectFrom("organisationSpendRows")
      .select(["placement", sql<number>`coalesce(sum(credits), 0)`.as("credits"), sql<number>`count(*)`.as("rows")])
      .where("organisationId", "=", input.organisationId)
      .where("month", "=", input.month)
      .groupBy("placement")
      .execute(),
    db
      .selectFrom("organisationSpendRows")
      // Row counts only: credits per identity would be spend per person, which no org page shows
      // (and the loader's data must not carry either: a viewer can read it without the page).
      .select(["identity", sql<number>`count(*)`.as("rows")])
      .where("organisationId", "=", input.organisationId)
      .where("month", "=", input.month)
      .where("placement", "=", "unplaced")
      .groupBy("identity")
      .orderBy(sql`count(*)`, "desc")
      .orderBy("identity")
      .limit(500)
      .execute(),
    db
      .selectFrom("organisationSpendImports")
      .select(["id", "fileName", "format", "status", "rows", "placed", "unplaced", "orgLevel", "credits", "startedAt"])
      .where("organisationId", "=", input.organisationId)
      .orderBy("startedAt", "desc")
      .limit(10)
      .execute(),
  ]);
  const teamIds = teams.map((t) => t.teamId);
  const waiting = unmapped.map((u) => u.identity!);
  const [holders, teamSpend] = await Promise.all([
    // Which of the teams hold the waiting identities (several, or none): only those names are read.
    teamIds.length && waiting.length
      ? db
          .selectFrom("spendIdentities")
          .select(["identity", "teamId"])
          .where("teamId", "in", teamIds)
          .where("identity", "in", waiting)
          .execute()
      : Promise.resolve([]),
    teamMonthSpend(db, { teamIds, month: input.month }),
  ]);
  const teamsByIdentity = new Map<string, number[]>();
  for (const h of holders)
    teamsByIdentity.set(h.identity, [...(teamsByIdentity.get(h.identity) ?? []), Number(h.teamId)]);
  const sumOf = (p: string) => Number(byPlacement.find((r) => r.placement === p)?.credits ?? 0);
  const rowsOf = (p: string) => Number(byPlacement.find((r) => r.placement === p)?.rows ?? 0);
  const teamName = new Map(teams.map((t) => [t.teamId, t.name]));
  const teamAttributed = [...teamSpend.values()].reduce((a, b) => a + b, 0);
  const bill = sumOf("placed") + sumOf("unplaced") + sumOf("organisation");
  return {
    month: input.month,
    range: monthInstantRange(input.month),
    bill,
    placed: { credits: sumOf("placed"), rows: rowsOf("placed") },
    unplaced: { credits: sumOf("unplaced"), rows: rowsOf("unplaced") },
    organisationLevel: { credits: sumOf("organisation"), rows: rowsOf("organisation") },
    teams: teams.map((t) => ({ teamId: t.teamId, name: t.name, credits: teamSpend.get(t.teamId) ?? 0 })),
    teamAttributed,
    /** Team spend beyond the bill's placed rows: the teams' own imports of other tools, typed-in entries. */
    teamOnly: teamAttributed - sumOf("placed"),
    unmapped: unmapped.map((u) => ({
      identity: u.identity!,
      rows: Number(u.rows),
      heldBy: (teamsByIdentity.get(u.identity!) ?? []).map((id) => teamName.get(id) ?? "?"),
    })),
    imports: imports.map((i) => ({
      ...i,
      id: Number(i.id),
      credits: Number(i.credits),
      startedAt: new Date(i.startedAt).toISOString(),
    })),
  };
}
