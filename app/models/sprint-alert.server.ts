// Burn alerts: when a running sprint's actual spend crosses 75/90/100 % of its available credits,
// the crossing is recorded once and, if the team set a webhook URL, a small Slack-compatible JSON
// alert is POSTed to it. `checkBurnAlerts` is idempotent and safe to call after every spend change
// (the spend import calls it; a spend entry typed in, and a sprint created or whose settings change
// — capacity, dates, reserve — call `checkBurnAlertsSoon`). Pages never call it: a GET reads, it
// does not insert rows or wait on a webhook (issue 15). A failed POST is retried on the next check.
import { todayIn, type Threshold } from "~/domain/capacity";
import { burnAlert } from "~/domain/sprint";
import { capacityOf, listRunningSprints, sprintBurn, type SprintRow } from "~/models/sprint.server";
import type { DB } from "~/utils/db.server";
import { readEnv } from "~/utils/env.server";
import { isWebhookUrl, postJson } from "~/utils/webhook.server";

/** A failed POST is retried on later checks, at most this many attempts in all. */
export const MAX_WEBHOOK_ATTEMPTS = 3;

export async function getTeamWebhook(db: DB, teamId: number): Promise<string | null> {
  const row = await db.selectFrom("teams").select("webhookUrl").where("id", "=", teamId).executeTakeFirst();
  return row?.webhookUrl ?? null;
}

export async function setTeamWebhook(db: DB, input: { teamId: number; webhookUrl: string | null }) {
  await db
    .updateTable("teams")
    .set({ webhookUrl: input.webhookUrl || null })
    .where("id", "=", input.teamId)
    .execute();
}

export function listSprintAlerts(db: DB, input: { teamId: number; sprintId: number }) {
  return db
    .selectFrom("sprintAlerts")
    .select([
      "threshold",
      "spentCredits",
      "availableCredits",
      "crossedAt",
      "webhookAttempts",
      "webhookSentAt",
      "webhookError",
    ])
    .where("teamId", "=", input.teamId)
    .where("sprintId", "=", input.sprintId)
    .orderBy("threshold")
    .execute();
}

export interface BurnAlertCheck {
  sprintId: number;
  /** Thresholds this call recorded as newly crossed. */
  crossed: Threshold[];
  /** The threshold whose alert this call POSTed (or tried to), if any. */
  posted: { threshold: Threshold; ok: boolean; error?: string } | null;
}

/**
 * Checks every running sprint of the team. Each threshold is claimed with an insert that only one
 * caller can win, so concurrent checks never alert twice. When spend jumps past several thresholds
 * at once, one message names the highest (three messages in a row would only be noise); the lower
 * ones are recorded as covered by it.
 */
export async function checkBurnAlerts(
  db: DB,
  input: { teamId: number; now?: Date; origin?: string; timeoutMs?: number },
): Promise<BurnAlertCheck[]> {
  const now = input.now ?? new Date();
  const team = await db
    .selectFrom("teams")
    .select(["id", "name", "slug", "timeZone", "webhookUrl"])
    .where("id", "=", input.teamId)
    .executeTakeFirst();
  if (!team) return [];
  const today = todayIn(team.timeZone, now);
  const running = await listRunningSprints(db, { teamId: team.id, today });

  const webhook = team.webhookUrl && isWebhookUrl(team.webhookUrl) ? team.webhookUrl : null;
  const origin = input.origin ?? (webhook ? appOrigin() : "");
  const results: BurnAlertCheck[] = [];
  for (const sprint of running) {
    const burn = await sprintBurn(db, { teamId: team.id, timeZone: team.timeZone, sprint, now });
    const claimed: Threshold[] = [];
    for (const threshold of burn.newlyCrossed) {
      const row = await db
        .insertInto("sprintAlerts")
        .values({
          sprintId: sprint.id,
          threshold,
          teamId: team.id,
          spentCredits: burn.spentToDate,
          availableCredits: burn.available,
        })
        .onConflict((oc) => oc.columns(["sprintId", "threshold"]).doNothing())
        .returning("threshold")
        .executeTakeFirst();
      if (row) claimed.push(threshold);
    }
    const result: BurnAlertCheck = { sprintId: sprint.id, crossed: claimed, posted: null };
    if (webhook) {
      const top = claimed.length ? (Math.max(...claimed) as Threshold) : null;
      if (top !== null) {
        const lower = claimed.filter((t) => t !== top);
        if (lower.length) {
          await db
            .updateTable("sprintAlerts")
            .set({ webhookError: `covered by the ${top} % alert` })
            .where("sprintId", "=", sprint.id)
            .where("threshold", "in", lower)
            .execute();
        }
        result.posted = await deliver(db, {
          sprint,
          threshold: top,
          attemptsSoFar: 0,
          team,
          webhook,
          origin,
          burn,
          timeoutMs: input.timeoutMs,
        });
      } else {
        result.posted = await retryFailed(db, { sprint, team, webhook, origin, burn, timeoutMs: input.timeoutMs });
      }
    }
    results.push(result);
  }
  return results;
}

/**
 * After a change that can move a running sprint past a threshold (spend added, capacity or dates
 * changed): checks in the background, so the answer never waits on a slow webhook.
 */
export function checkBurnAlertsSoon(db: DB, input: { teamId: number; origin?: string }): Promise<void> {
  return checkBurnAlerts(db, input).then(
    () => undefined,
    (error: unknown) =>
      console.error("[sprints] burn alert check failed:", error instanceof Error ? error.message : error),
  );
}

type Burn = Awaited<ReturnType<typeof sprintBurn>>;
type TeamRow = { id: number; name: string; slug: string };

async function retryFailed(
  db: DB,
  input: { sprint: SprintRow; team: TeamRow; webhook: string; origin: string; burn: Burn; timeoutMs?: number },
): Promise<BurnAlertCheck["posted"]> {
  const failed = await db
    .selectFrom("sprintAlerts")
    .select(["threshold", "webhookAttempts"])
    .where("sprintId", "=", input.sprint.id)
    .where("teamId", "=", input.team.id)
    .where("webhookSentAt", "is", null)
    .where("webhookAttempts", ">", 0)
    .where("webhookAttempts", "<", MAX_WEBHOOK_ATTEMPTS)
    .orderBy("threshold", "desc")
    .executeTakeFirst();
  if (!failed) return null;
  return deliver(db, { ...input, threshold: failed.threshold as Threshold, attemptsSoFar: failed.webhookAttempts });
}

/**
 * Claims the next attempt (an update conditioned on the attempt count, so two checks cannot both
 * send), POSTs, and records the outcome.
 */
async function deliver(
  db: DB,
  input: {
    sprint: SprintRow;
    threshold: Threshold;
    attemptsSoFar: number;
    team: TeamRow;
    webhook: string;
    origin: string;
    burn: Burn;
    timeoutMs?: number;
  },
): Promise<BurnAlertCheck["posted"]> {
  const claim = await db
    .updateTable("sprintAlerts")
    .set({ webhookAttempts: input.attemptsSoFar + 1 })
    .where("sprintId", "=", input.sprint.id)
    .where("threshold", "=", input.threshold)
    .where("webhookAttempts", "=", input.attemptsSoFar)
    .where("webhookSentAt", "is", null)
    .executeTakeFirst();
  if (Number(claim.numUpdatedRows) !== 1) return null;
  const alert = burnAlert({
    team: input.team.name,
    sprint: {
      id: input.sprint.id,
      name: input.sprint.name,
      start: input.sprint.startDate,
      end: input.sprint.endDate,
      url: `${input.origin}/t/${input.team.slug}/sprints/${input.sprint.id}`,
    },
    threshold: input.threshold,
    spent: input.burn.spentToDate,
    available: capacityOf(input.sprint).available,
    projected: input.burn.projectedTotal,
  });
  const sent = await postJson(input.webhook, alert, { timeoutMs: input.timeoutMs });
  await db
    .updateTable("sprintAlerts")
    .set(sent.ok ? { webhookSentAt: new Date(), webhookError: null } : { webhookError: sent.error })
    .where("sprintId", "=", input.sprint.id)
    .where("threshold", "=", input.threshold)
    .execute();
  return sent.ok
    ? { threshold: input.threshold, ok: true }
    : { threshold: input.threshold, ok: false, error: sent.error };
}

/** Where links in alerts point when the caller (e.g. a CLI import) has no request to take it from. */
function appOrigin(): string {
  try {
    const env = readEnv();
    return (env.APP_ORIGIN ?? `http://localhost:${env.PORT}`).replace(/\/$/, "");
  } catch {
    return "http://localhost:3000";
  }
}
