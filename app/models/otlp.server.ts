// OpenTelemetry exports into a team's spend: the request's records (already read by
// app/domain/otlp/spend.ts) go through the same import as a file, after the one rule that spans
// requests — a session's spend comes from its per-call events or from its metrics, never both.
// Per-call events win: the first events of a session remove the metric entries it had, and its
// later metrics are dropped. Which signal a session used is kept in otlp_sessions.
import { sql } from "kysely";
import type { OtlpSignal } from "../../db/schema";
import { safeKeyPattern } from "~/domain/key-pattern";
import { logsToSpend, metricsToSpend, tracesToSpend, type MetricsResult, type OtlpResult } from "~/domain/otlp/spend";
import type { SpendEntry } from "~/domain/spend/entry";
import type { ImportResult } from "~/domain/spend/import-result";
import { refreshRollups } from "~/models/attributed-spend.server";
import { getRateCard } from "~/models/rate.server";
import { importSpendEntries } from "~/models/spend.server";
import type { DB } from "~/utils/db.server";
import { announceSpend } from "~/utils/spend-live.server";

/** Metric-derived entries carry this dedupe-key prefix (see metricsToSpend's identities). */
const METRIC_KEY_PREFIX = 'otlp:["metric",';

export interface OtlpIngest {
  teamId: number;
  tokenId: number;
  /** The token's person, whose entries these are when the data names nobody. */
  defaultUser: string | null;
  signal: "logs" | "metrics" | "traces";
  request: unknown;
}

export interface OtlpIngestResult {
  /** Records accepted (stored, duplicates, or not spend at all). */
  accepted: number;
  rejected: { record: number; reason: string }[];
  /** Metric records dropped because their session sends per-call events. */
  superseded: number;
  import: ImportResult | null;
}

const NAMES = { logs: "OpenTelemetry logs", metrics: "OpenTelemetry metrics", traces: "OpenTelemetry traces" } as const;

export async function ingestOtlp(db: DB, input: OtlpIngest): Promise<OtlpIngestResult> {
  const [team, rateCard] = await Promise.all([
    db.selectFrom("teams").select(["keyPattern"]).where("id", "=", input.teamId).executeTakeFirstOrThrow(),
    getRateCard(db, input.teamId),
  ]);
  const options = { rateCard, keyPattern: safeKeyPattern(team.keyPattern), defaultUser: input.defaultUser };
  let result: OtlpResult | MetricsResult;
  let entries: SpendEntry[];
  let superseded = 0;
  if (input.signal === "metrics") {
    const metrics = metricsToSpend(input.request as never, options);
    result = metrics;
    const onEvents = await sessionsOn(db, input.teamId, metrics.metricSessions, "events");
    entries = metrics.entries.filter((e) => !(e.sessionId && onEvents.has(e.sessionId)));
    superseded = metrics.entries.length - entries.length;
    await markSessions(
      db,
      input.teamId,
      metrics.metricSessions.filter((s) => !onEvents.has(s)),
      "metrics",
    );
  } else {
    result =
      input.signal === "logs"
        ? logsToSpend(input.request as never, options)
        : tracesToSpend(input.request as never, options);
    entries = result.entries;
    if (await switchToEvents(db, input.teamId, result.eventSessions)) announceSpend(input.teamId);
  }
  const total = result.entries.length + result.rejected.length + result.ignored;
  let imported: ImportResult | null = null;
  if (entries.length > 0) {
    imported = await importSpendEntries(db, entries, {
      teamId: input.teamId,
      fileName: NAMES[input.signal],
      via: "otlp",
      tokenId: input.tokenId,
      format: `otlp-${input.signal}`,
      // A bad record never holds up the good ones: OTLP answers partial success.
      skipInvalid: true,
    });
  }
  return { accepted: total - result.rejected.length, rejected: result.rejected, superseded, import: imported };
}

async function sessionsOn(db: DB, teamId: number, sessions: string[], signal: OtlpSignal): Promise<Set<string>> {
  if (sessions.length === 0) return new Set();
  const rows = await db
    .selectFrom("otlpSessions")
    .select("sessionId")
    .where("teamId", "=", teamId)
    .where("signal", "=", signal)
    .where("sessionId", "in", sessions)
    .execute();
  return new Set(rows.map((r) => r.sessionId));
}

async function markSessions(db: DB, teamId: number, sessions: string[], signal: OtlpSignal): Promise<void> {
  if (sessions.length === 0) return;
  await db
    .insertInto("otlpSessions")
    .values(sessions.map((sessionId) => ({ teamId, sessionId, signal })))
    .onConflict((oc) => oc.columns(["teamId", "sessionId"]).doNothing())
    .execute();
}

/**
 * These sessions send per-call events: mark them so, and remove the metric entries any of them had
 * (the events carry the same spend, call by call). True when entries were removed.
 */
async function switchToEvents(db: DB, teamId: number, sessions: string[]): Promise<boolean> {
  if (sessions.length === 0) return false;
  return db.transaction().execute(async (trx) => {
    const switched = await trx
      .insertInto("otlpSessions")
      .values(sessions.map((sessionId) => ({ teamId, sessionId, signal: "events" as const })))
      .onConflict((oc) =>
        oc
          .columns(["teamId", "sessionId"])
          .doUpdateSet({ signal: "events", updatedAt: new Date() })
          .where("otlpSessions.signal", "=", "metrics"),
      )
      .returning("sessionId")
      .execute();
    if (switched.length === 0) return false;
    const removed = await trx
      .deleteFrom("spendEntries")
      .where("teamId", "=", teamId)
      .where("source", "=", "otlp")
      .where(
        "sessionId",
        "in",
        switched.map((s) => s.sessionId),
      )
      .where(sql<string>`left(dedupe_key, ${METRIC_KEY_PREFIX.length})`, "=", METRIC_KEY_PREFIX)
      .returning("day")
      .execute();
    await refreshRollups(
      trx,
      teamId,
      removed.map((r) => r.day),
    );
    return removed.length > 0;
  });
}
