// An organisation with teams attached, a month's pool and allocations, for the tests of issue 17's
// flows (exceptions, reports, the organisation's own report). Uses the organisation model where it
// has a function, and plain inserts for what is set up on pages the tests do not drive.
import { acceptTeamRequest, createOrganisation, requestTeamAttachment } from "~/models/organisation.server";
import type { DB } from "~/utils/db.server";
import { makeTeam, makeUser } from "./factories";
import { refreshRollups } from "~/models/attributed-spend.server";

let seq = 0;

export async function makeOrganisation(db: DB, input: { teams?: number; name?: string } = {}) {
  const n = seq++;
  const admin = await makeUser(db, "Org admin");
  const slug = `org-${n}-${Date.now().toString(36)}`;
  const org = await createOrganisation(db, { name: input.name ?? `Org ${n}`, slug, creatorId: admin.id });
  const teams = [];
  for (let i = 0; i < (input.teams ?? 2); i++) {
    const made = await makeTeam(db, `Team ${n}.${i}`);
    await requestTeamAttachment(db, { organisationId: org.id, teamSlug: made.team.slug, requestedBy: admin.id });
    await acceptTeamRequest(db, { teamId: made.team.id, organisationId: org.id, userId: made.owner.id });
    teams.push(made);
  }
  return { org: { id: Number(org.id), slug }, admin, teams };
}

export async function setMonthPool(
  db: DB,
  input: {
    organisationId: number;
    month: string;
    fixedCredits: number;
    overage?: number;
    allocations: [number, number][];
  },
) {
  await db
    .insertInto("organisationMonths")
    .values({
      organisationId: input.organisationId,
      month: input.month,
      poolSource: "fixed",
      fixedCredits: input.fixedCredits,
      overageBudgetCredits: input.overage ?? 0,
      exhaustionPolicy: input.overage ? "metered" : "block",
      updatedBy: null,
    })
    .onConflict((oc) => oc.columns(["organisationId", "month"]).doNothing())
    .execute();
  for (const [teamId, credits] of input.allocations) {
    await db
      .insertInto("teamAllocations")
      .values({ organisationId: input.organisationId, month: input.month, teamId, credits, updatedBy: null })
      .onConflict((oc) => oc.columns(["organisationId", "month", "teamId"]).doUpdateSet({ credits }))
      .execute();
  }
}

/** One spend entry of `credits` at `at` on the team (a manual-like row with a unique dedupe key). */
/** One entry at `at` (UTC); `day` is the team's local day, the UTC date unless given. */
export async function addSpend(
  db: DB,
  input: { teamId: number; at: string; credits: number; model?: string; day?: string },
) {
  await db.transaction().execute(async (trx) => {
    await insertSpend(trx, input);
    await refreshRollups(trx, input.teamId, [input.day ?? input.at.slice(0, 10)]); // as the app does with every write
  });
}

async function insertSpend(
  db: DB,
  input: { teamId: number; at: string; credits: number; model?: string; day?: string },
) {
  await db
    .insertInto("spendEntries")
    .values({
      teamId: input.teamId,
      source: "manual",
      occurredAt: new Date(input.at),
      day: input.day ?? input.at.slice(0, 10),
      model: input.model ?? null,
      modelId: input.model ?? null,
      inputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 0,
      costUsd: null,
      credits: input.credits,
      pricedBy: "source",
      poolCredits: null,
      paidCredits: null,
      externalUser: null,
      sessionId: null,
      repository: null,
      storyKey: null,
      aggregated: false,
      dedupeKey: `test:${input.teamId}:${input.at}:${Math.random()}`,
      storyId: null,
      importId: null,
      note: null,
      createdBy: null,
    })
    .execute();
}
