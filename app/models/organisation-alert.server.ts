// Organisation burn alerts (issue 17): when a month's spend crosses 75/90/100 % of the
// organisation's pool, or of one team's allocation, the crossing is recorded once
// (organisation_alerts, claimed by whoever inserts first) and POSTed — an allocation's to that team's
// webhook, the pool's to the organisation's — as a Slack-compatible `{ text }`. Teams' dashboards show
// the crossings of their month.
//
// Called on the spend-change path only (after a team's import or a typed-in entry, and after the
// organisation's own report is imported); a GET never inserts alerts or waits on a webhook. When one
// change jumps past several thresholds, one message names the highest and the lower ones are marked
// as covered by it, as for sprint alerts.
import { sql } from "kysely";
import { pendingAlerts, type Threshold } from "~/domain/organisation/alerts";
import { billingMonthOf } from "~/domain/organisation/billing-month";
import { formatCredits } from "~/domain/credits";
import { getExceptionMonth } from "~/models/credit-exception.server";
import type { DB } from "~/utils/db.server";
import { logError } from "~/utils/log.server";
import { isWebhookUrl, postJson } from "~/utils/webhook.server";

export interface OrganisationAlertCheck {
  organisationId: number;
  month: string;
  /** Keys (pool:90, allocation:<team>:75) this call claimed. */
  claimed: string[];
  posted: { key: string; ok: boolean }[];
}

/** Spend of the month the organisation could not place on a team (unplaced and org-level bill rows). */
async function unplacedMonthSpend(db: DB, input: { organisationId: number; month: string }) {
  const row = await db
    .selectFrom("organisationSpendRows")
    .select(sql<number>`coalesce(sum(credits), 0)`.as("credits"))
    .where("organisationId", "=", input.organisationId)
    .where("month", "=", input.month)
    .where("placement", "<>", "placed")
    .executeTakeFirst();
  return Number(row?.credits ?? 0);
}

/**
 * Checks the month of `now` for the organisation `teamId` belongs to (or `organisationId`). Safe to
 * call after every spend change: each threshold is claimed by a unique insert, so concurrent checks
 * alert once.
 */
export async function checkOrganisationAlerts(
  db: DB,
  input: ({ teamId: number } | { organisationId: number }) & { now?: Date; origin?: string; timeoutMs?: number },
): Promise<OrganisationAlertCheck | null> {
  const org =
    "teamId" in input
      ? await db
          .selectFrom("organisationTeams as ot")
          .innerJoin("organisations as o", "o.id", "ot.organisationId")
          .select(["o.id", "o.slug", "o.name", "o.webhookUrl"])
          .where("ot.teamId", "=", input.teamId)
          .where("ot.status", "=", "accepted")
          .executeTakeFirst()
      : await db
          .selectFrom("organisations")
          .select(["id", "slug", "name", "webhookUrl"])
          .where("id", "=", input.organisationId)
          .executeTakeFirst();
  if (!org) return null;
  const organisationId = Number(org.id);
  const month = billingMonthOf(input.now ?? new Date());
  const standing = await getExceptionMonth(db, { organisationId, month, open: true });
  if (!standing.pool) return null;
  const poolSpent =
    standing.teams.reduce((s, t) => s + t.spent, 0) + (await unplacedMonthSpend(db, { organisationId, month }));
  const already = await db
    .selectFrom("organisationAlerts")
    .select(["teamId", "threshold"])
    .where("organisationId", "=", organisationId)
    .where("month", "=", month)
    .execute();
  const alreadyAlerted = new Set(
    already.map((a) => (a.teamId === null ? `pool:${a.threshold}` : `allocation:${a.teamId}:${a.threshold}`)),
  );
  const { send, record } = pendingAlerts({
    poolSpent,
    pool: standing.pool.included,
    allocations: standing.teams
      .filter((t) => t.allocation !== null)
      .map((t) => ({ teamId: String(t.id), spent: t.spent, allocation: t.allocation! })),
    alreadyAlerted,
  });

  const claimed: string[] = [];
  for (const key of record) {
    const [kind, a, b] = key.split(":");
    const teamId = kind === "pool" ? null : Number(a);
    const threshold = Number(kind === "pool" ? a : b);
    const spent = teamId === null ? poolSpent : standing.teams.find((t) => t.id === teamId)!.spent;
    const limit = teamId === null ? standing.pool.included : standing.teams.find((t) => t.id === teamId)!.allocation!;
    // The unique index (organisation, month, team or 0, threshold) decides who claims it.
    const row = await db
      .insertInto("organisationAlerts")
      .values({ organisationId, month, teamId, threshold, spentCredits: spent, availableCredits: limit })
      .onConflict((oc) => oc.doNothing())
      .returning("id")
      .executeTakeFirst();
    if (row) claimed.push(key);
  }

  const posted: OrganisationAlertCheck["posted"] = [];
  for (const alert of send) {
    const teamId = alert.subject.kind === "pool" ? null : Number(alert.subject.teamId);
    const key = teamId === null ? `pool:${alert.threshold}` : `allocation:${teamId}:${alert.threshold}`;
    if (!claimed.includes(key)) continue;
    const lower = claimed.filter((k) => k !== key && sameSubject(k, key));
    if (lower.length) {
      await alertRows(db, { organisationId, month, teamId })
        .set({ webhookError: `covered by the ${alert.threshold} % alert` })
        .where("threshold", "in", lower.map(thresholdOf))
        .execute();
    }
    const team = teamId === null ? null : standing.teams.find((t) => t.id === teamId)!;
    const target =
      teamId === null
        ? org.webhookUrl
        : ((await db.selectFrom("teams").select("webhookUrl").where("id", "=", teamId).executeTakeFirst())
            ?.webhookUrl ?? null);
    if (!target || !isWebhookUrl(target)) continue;
    const origin = input.origin ?? "";
    const text =
      `${alert.threshold >= 100 ? "🛑" : "⚠️"} ${org.name} · ` +
      (team
        ? `${team.name} reached ${alert.threshold} % of its ${month} allocation`
        : `the ${month} pool reached ${alert.threshold} %`) +
      `: ${formatCredits(alert.spent)} of ${formatCredits(alert.limit)} credits spent.` +
      (origin ? ` <${origin}/o/${org.slug}|Open the organisation>` : "");
    await alertRows(db, { organisationId, month, teamId })
      .set({ webhookAttempts: sql`webhook_attempts + 1` })
      .where("threshold", "=", alert.threshold)
      .execute();
    const sent = await postJson(
      target,
      { text, organisation: org.name, month, threshold: alert.threshold, team: team?.name ?? null },
      { timeoutMs: input.timeoutMs },
    );
    await alertRows(db, { organisationId, month, teamId })
      .set(sent.ok ? { webhookSentAt: new Date(), webhookError: null } : { webhookError: sent.error })
      .where("threshold", "=", alert.threshold)
      .execute();
    posted.push({ key, ok: sent.ok });
  }
  return { organisationId, month, claimed, posted };
}

function alertRows(db: DB, input: { organisationId: number; month: string; teamId: number | null }) {
  const q = db
    .updateTable("organisationAlerts")
    .where("organisationId", "=", input.organisationId)
    .where("month", "=", input.month);
  return input.teamId === null ? q.where("teamId", "is", null) : q.where("teamId", "=", input.teamId);
}

const thresholdOf = (key: string) => Number(key.slice(key.lastIndexOf(":") + 1));
const sameSubject = (a: string, b: string) => a.slice(0, a.lastIndexOf(":")) === b.slice(0, b.lastIndexOf(":"));

/** Background variant for the spend-change path: the answer never waits on a webhook. */
export function checkOrganisationAlertsSoon(
  db: DB,
  input: { teamId: number } | { organisationId: number },
): Promise<void> {
  return checkOrganisationAlerts(db, input).then(
    () => undefined,
    (error: unknown) => logError("[organisation] alert check failed:", error),
  );
}

/** The month's crossings a team's dashboard shows: the pool's and the team's own allocation's. */
export async function listTeamOrganisationAlerts(db: DB, input: { teamId: number; now?: Date }) {
  const month = billingMonthOf(input.now ?? new Date());
  const rows = await db
    .selectFrom("organisationAlerts as a")
    .innerJoin("organisationTeams as ot", (j) =>
      j
        .onRef("ot.organisationId", "=", "a.organisationId")
        .on("ot.teamId", "=", input.teamId)
        .on("ot.status", "=", "accepted"),
    )
    .innerJoin("organisations as o", "o.id", "a.organisationId")
    .select([
      "a.teamId",
      "a.threshold",
      "a.spentCredits",
      "a.availableCredits",
      "a.crossedAt",
      "o.name as organisationName",
    ])
    .where("a.month", "=", month)
    .where((eb) => eb.or([eb("a.teamId", "is", null), eb("a.teamId", "=", input.teamId)]))
    .orderBy("a.threshold", "desc")
    .execute();
  // The highest crossing per subject is what a person needs to see.
  const pool = rows.find((r) => r.teamId === null);
  const mine = rows.find((r) => r.teamId !== null);
  return {
    month,
    pool: pool ? { threshold: pool.threshold as Threshold, organisation: pool.organisationName } : null,
    allocation: mine ? { threshold: mine.threshold as Threshold, organisation: mine.organisationName } : null,
  };
}
