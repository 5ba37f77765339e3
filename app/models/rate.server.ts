import { sql } from "kysely";
import seedCard from "~/data/rate-card.json";
import { rateCardFromJson, type RateCard } from "~/domain/spend/rate-card";
import type { DB } from "~/utils/db.server";

let published: RateCard | null = null;
function publishedCard(): RateCard {
  return (published ??= rateCardFromJson(seedCard));
}

/** Copies the published list prices into a team's rate card, in force from the beginning. */
export async function seedRates(db: DB, teamId: number) {
  const card = publishedCard();
  const rows = card.models.map((m) => ({
    teamId,
    modelId: m.id,
    provider: m.provider,
    tier: m.tier,
    aliases: m.aliases,
    inputUsdPerMtok: m.inputUsdPerMTok,
    cacheReadUsdPerMtok: m.cacheReadUsdPerMTok,
    cacheWriteUsdPerMtok: m.cacheWriteUsdPerMTok,
    cacheWrite1hUsdPerMtok: m.cacheWrite1hUsdPerMTok ?? null,
    outputUsdPerMtok: m.outputUsdPerMTok,
    effectiveFrom: null,
  }));
  if (rows.length)
    await db
      .insertInto("modelRates")
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .execute();
}

export function listRates(db: DB, teamId: number) {
  return db
    .selectFrom("modelRates")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("modelId")
    .orderBy("effectiveFrom", (ob) => ob.desc().nullsLast())
    .execute();
}

export async function addRate(
  db: DB,
  input: {
    teamId: number;
    modelId: string;
    aliases: string[];
    inputUsdPerMtok: number;
    cacheReadUsdPerMtok: number | null;
    cacheWriteUsdPerMtok: number | null;
    outputUsdPerMtok: number;
    effectiveFrom: string | null;
  },
) {
  // A new price for a known model keeps the provider and tier the card already gives it.
  const known = await db
    .selectFrom("modelRates")
    .select(["provider", "tier"])
    .where("teamId", "=", input.teamId)
    .where("modelId", "=", input.modelId)
    .orderBy("effectiveFrom", (ob) => ob.desc().nullsLast())
    .limit(1)
    .executeTakeFirst();
  return db
    .insertInto("modelRates")
    .values({ ...input, provider: known?.provider ?? null, tier: known?.tier ?? null })
    .onConflict((oc) =>
      oc.expression(sqlRateConflictTarget).doUpdateSet((eb) => ({
        aliases: eb.ref("excluded.aliases"),
        inputUsdPerMtok: eb.ref("excluded.inputUsdPerMtok"),
        cacheReadUsdPerMtok: eb.ref("excluded.cacheReadUsdPerMtok"),
        cacheWriteUsdPerMtok: eb.ref("excluded.cacheWriteUsdPerMtok"),
        outputUsdPerMtok: eb.ref("excluded.outputUsdPerMtok"),
      })),
    )
    .execute();
}

// Kysely wraps the target in parentheses itself; this is the unique index's column list.
const sqlRateConflictTarget = sql`team_id, model_id, coalesce(effective_from, '-infinity'::date)`;

/** The team's rate card as the pricing functions in app/domain/spend/rate-card.ts take it. */
export async function getRateCard(db: DB, teamId: number): Promise<RateCard> {
  const [team, rates] = await Promise.all([
    db.selectFrom("teams").select("creditValueUsd").where("id", "=", teamId).executeTakeFirstOrThrow(),
    listRates(db, teamId),
  ]);
  return {
    creditValueUsd: team.creditValueUsd,
    models: rates.map((r) => ({
      id: r.modelId,
      provider: r.provider,
      tier: r.tier,
      aliases: r.aliases,
      inputUsdPerMTok: r.inputUsdPerMtok,
      cacheReadUsdPerMTok: r.cacheReadUsdPerMtok,
      cacheWriteUsdPerMTok: r.cacheWriteUsdPerMtok,
      cacheWrite1hUsdPerMTok: r.cacheWrite1hUsdPerMtok,
      outputUsdPerMTok: r.outputUsdPerMtok,
      effectiveFrom: r.effectiveFrom,
    })),
    // Fast-mode multipliers are the published card's (app/data/rate-card.json), the same for every team.
    fastMultipliers: publishedCard().fastMultipliers,
  };
}

/** USD value of one AI credit for the team (GitHub AI Credits: $0.01). */
export async function getCreditValue(db: DB, teamId: number): Promise<number> {
  const team = await db.selectFrom("teams").select("creditValueUsd").where("id", "=", teamId).executeTakeFirstOrThrow();
  return team.creditValueUsd;
}

export async function setCreditValue(db: DB, input: { teamId: number; creditValueUsd: number }) {
  await db.updateTable("teams").set({ creditValueUsd: input.creditValueUsd }).where("id", "=", input.teamId).execute();
}
