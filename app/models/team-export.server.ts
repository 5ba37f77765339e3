// A team's data out as one document (app/domain/team-export.ts) and into a new, empty team. Both
// directions walk the same tables in the same order; refs are handed out in document order, so an
// imported team exports to the document it came from (ids, slug and exportedAt aside).
//
// People: rows name users by e-mail. On import an e-mail resolves to a member of the importing team
// (invite people first, then import); anyone else becomes an unknown person — the fields that
// named them are left empty, as when a user is deleted — rather than the importing user, whose name
// on someone else's estimates and spend would be false. Where a row cannot exist without its
// person (a sprint allocation, an identity mapping) it is left out and the import says so; a poker
// seat keeps its display name and votes as a guest seat. The import refuses until the importer
// agrees to that (`allowUnknownPeople`), listing who is missing, so it is never a surprise. Only
// members are matched — not every account of the install — so an import cannot be used to find out
// who has an account here, and never adds anyone to the team.
import { sql, type InsertQueryBuilder, type InsertResult, type Insertable, type Transaction } from "kysely";
import type { Database } from "../../db/schema";
import type { SprintSnapshot } from "~/domain/sprint";
import {
  TEAM_EXPORT_FORMAT,
  TEAM_EXPORT_VERSION,
  type TeamExport,
  type TeamExportSnapshot,
} from "~/domain/team-export";
import { roleAtLeast } from "~/domain/roles";
import { NO_DETAILS, readDetails } from "~/domain/spend/import-result";
import { refreshRollups } from "~/models/attributed-spend.server";
import { hashToken, newToken } from "~/utils/crypto.server";
import { breathe } from "~/utils/breathe.server";
import type { DB } from "~/utils/db.server";

type Trx = Transaction<Database>;

const iso = (value: Date | string) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

/** Rows per INSERT (and ids per IN list): well under PostgreSQL's 65,535 parameters for the widest table (spend entries, 28 columns). */
const CHUNK = 1000;

function chunks<T>(rows: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the team holds
// ---------------------------------------------------------------------------------------------

export interface TeamContentCounts {
  stories: number;
  sprints: number;
  pokerSessions: number;
  spendEntries: number;
  spendImports: number;
  spendIdentities: number;
  spendSessionStories: number;
}

/** Rows that make a team "not new": an import goes only where none of these exist. */
export async function countTeamContent(db: DB, teamId: number): Promise<TeamContentCounts> {
  const n = (
    table:
      | "stories"
      | "sprints"
      | "pokerSessions"
      | "spendEntries"
      | "spendImports"
      | "spendIdentities"
      | "spendSessionStories",
  ) =>
    db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("teamId", "=", teamId)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  // One after another: PGlite serves one statement at a time anyway, and a transaction's
  // connection must not be used concurrently.
  return {
    stories: await n("stories"),
    sprints: await n("sprints"),
    pokerSessions: await n("pokerSessions"),
    spendEntries: await n("spendEntries"),
    spendImports: await n("spendImports"),
    spendIdentities: await n("spendIdentities"),
    spendSessionStories: await n("spendSessionStories"),
  };
}

export const CONTENT_LABELS: Record<keyof TeamContentCounts, [string, string]> = {
  stories: ["story", "stories"],
  sprints: ["sprint", "sprints"],
  pokerSessions: ["poker session", "poker sessions"],
  spendEntries: ["spend entry", "spend entries"],
  spendImports: ["spend import", "spend imports"],
  spendIdentities: ["identity mapping", "identity mappings"],
  spendSessionStories: ["session mapping", "session mappings"],
};

export function isEmptyTeam(counts: TeamContentCounts): boolean {
  return Object.values(counts).every((n) => n === 0);
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/** The team's data as an export document. Read in one repeatable-read transaction: one consistent picture. */
export async function exportTeam(db: DB, teamId: number, now: Date = new Date()): Promise<TeamExport> {
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute((trx) => readTeam(trx, teamId, now));
}

async function readTeam(trx: Trx, teamId: number, now: Date): Promise<TeamExport> {
  const team = await trx.selectFrom("teams").selectAll().where("id", "=", teamId).executeTakeFirstOrThrow();
  const schemes = await trx
    .selectFrom("sizingSchemes")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("id")
    .execute();
  const rates = await trx.selectFrom("modelRates").selectAll().where("teamId", "=", teamId).orderBy("id").execute();
  const stories = await trx.selectFrom("stories").selectAll().where("teamId", "=", teamId).orderBy("id").execute();
  const estimates = await trx.selectFrom("estimates").selectAll().where("teamId", "=", teamId).orderBy("id").execute();
  const outcomes = await trx
    .selectFrom("storyOutcomes")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("storyId")
    .execute();
  const sessions = await trx
    .selectFrom("pokerSessions")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("id")
    .execute();
  const items = await trx.selectFrom("pokerItems").selectAll().where("teamId", "=", teamId).orderBy("id").execute();
  const rounds = await trx.selectFrom("pokerRounds").selectAll().where("teamId", "=", teamId).orderBy("id").execute();
  const participants = await trx
    .selectFrom("pokerParticipants")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("id")
    .execute();
  const votes = await trx
    .selectFrom("pokerVotes")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("roundId")
    .orderBy("participantId")
    .orderBy("dimension")
    .execute();
  const sprints = await trx.selectFrom("sprints").selectAll().where("teamId", "=", teamId).orderBy("id").execute();
  const commitments = await trx
    .selectFrom("sprintStories")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("sprintId")
    .orderBy("storyId")
    .execute();
  const allocations = await trx.selectFrom("sprintAllocations").selectAll().where("teamId", "=", teamId).execute();
  const requests = await trx
    .selectFrom("commitRequests")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("id")
    .execute();
  const events = await trx.selectFrom("sprintEvents").selectAll().where("teamId", "=", teamId).orderBy("id").execute();
  const alerts = await trx
    .selectFrom("sprintAlerts")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("sprintId")
    .orderBy("threshold")
    .execute();
  const imports = await trx.selectFrom("spendImports").selectAll().where("teamId", "=", teamId).orderBy("id").execute();
  const entries = await trx
    .selectFrom("spendEntries")
    .selectAll()
    // Numeric beyond 2^64: read as text, since the driver's number would round it.
    .select(sql<string | null>`usage_rank::text`.as("usageRankText"))
    .where("teamId", "=", teamId)
    .orderBy("id")
    .execute();
  const identities = await trx
    .selectFrom("spendIdentities")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("identity")
    .execute();
  const sessionStories = await trx
    .selectFrom("spendSessionStories")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("sessionId")
    .execute();
  const extensions = await trx
    .selectFrom("budgetExtensions")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("id")
    .execute();
  const otlpSessions = await trx
    .selectFrom("otlpSessions")
    .selectAll()
    .where("teamId", "=", teamId)
    .orderBy("sessionId")
    .execute();
  // Not exported: calibration suggestions (recomputed from estimates and spend), tracker connections
  // and API tokens (credentials), spend entry versions (an undo log of this install's imports).
  const members = await trx.selectFrom("memberships").select(["userId", "role"]).where("teamId", "=", teamId).execute();

  // Everyone the rows name, plus the members; e-mail and name only.
  const userIds = new Set<number>(members.map((m) => m.userId));
  const note = (id: number | null | undefined) => {
    if (typeof id === "number") userIds.add(id);
  };
  for (const s of schemes) note(s.createdBy);
  for (const e of estimates) note(e.createdBy);
  for (const o of outcomes) note(o.recordedBy);
  for (const s of sessions) {
    note(s.facilitatorId);
    note(s.createdBy);
  }
  for (const p of participants) note(p.userId);
  for (const s of sprints) {
    note(s.closedBy);
    note(s.createdBy);
    for (const a of (s.snapshot as SprintSnapshot | null)?.allocations ?? []) note(a.userId);
  }
  for (const c of commitments) note(c.committedBy);
  for (const a of allocations) note(a.userId);
  for (const r of requests) {
    note(r.requestedBy);
    note(r.decidedBy);
  }
  for (const e of events) note(e.actorId);
  for (const i of imports) {
    note(i.userId);
    note(i.undoneBy);
  }
  for (const e of entries) note(e.createdBy);
  for (const i of identities) {
    note(i.userId);
    note(i.createdBy);
  }
  for (const s of sessionStories) note(s.createdBy);
  for (const x of extensions) note(x.createdBy);
  const users = new Map<number, { email: string; name: string }>();
  for (const chunk of chunks([...userIds])) {
    for (const u of await trx.selectFrom("users").select(["id", "email", "name"]).where("id", "in", chunk).execute())
      users.set(u.id, u);
  }
  const roleOf = new Map(members.map((m) => [m.userId, m.role]));
  const emailOf = (id: number | null) => (id === null ? null : (users.get(id)?.email ?? null));

  // Refs in document order.
  const refs = <T extends { id: number }>(rows: readonly T[]) => new Map(rows.map((r, i) => [r.id, i + 1]));
  const storyRef = refs(stories);
  const estimateRef = refs(estimates);
  const sprintRef = refs(sprints);
  const importRef = refs(imports);
  const sessionRef = refs(sessions);
  const versionOf = new Map(schemes.map((s) => [s.id, s.version]));
  const mustRef = (map: Map<number, number>, id: number, what: string) => {
    const r = map.get(id);
    if (r === undefined) throw new Error(`team ${teamId}: ${what} ${id} is not the team's`);
    return r;
  };
  const optRef = (map: Map<number, number>, id: number | null) => (id === null ? null : (map.get(id) ?? null));
  const groupBy = <T, K>(rows: readonly T[], key: (r: T) => K) => {
    const map = new Map<K, T[]>();
    for (const r of rows) map.set(key(r), [...(map.get(key(r)) ?? []), r]);
    return map;
  };

  const itemsBySession = groupBy(items, (i) => i.sessionId);
  const roundsByItem = groupBy(rounds, (r) => r.itemId);
  const participantsBySession = groupBy(participants, (p) => p.sessionId);
  const votesByRound = groupBy(votes, (v) => v.roundId);
  let nextItemRef = 1;
  let nextParticipantRef = 1;
  const itemRef = new Map<number, number>();
  const participantRef = new Map<number, number>();
  for (const s of sessions) {
    for (const p of participantsBySession.get(s.id) ?? []) participantRef.set(p.id, nextParticipantRef++);
    for (const i of itemsBySession.get(s.id) ?? []) itemRef.set(i.id, nextItemRef++);
  }

  const commitmentsBySprint = groupBy(commitments, (c) => c.sprintId);
  const allocationsBySprint = groupBy(allocations, (a) => a.sprintId);
  const requestsBySprint = groupBy(requests, (r) => r.sprintId);
  const eventsBySprint = groupBy(events, (e) => e.sprintId);
  const alertsBySprint = groupBy(alerts, (a) => a.sprintId);

  const snapshotOut = (raw: SprintSnapshot): TeamExportSnapshot => ({
    version: raw.version,
    closedAt: raw.closedAt,
    sprint: {
      name: raw.sprint.name,
      goal: raw.sprint.goal,
      start: raw.sprint.start,
      end: raw.sprint.end,
      workingDays: raw.sprint.workingDays,
      timeZone: raw.sprint.timeZone,
    },
    capacity: {
      kind: raw.capacity.kind,
      credits: raw.capacity.credits,
      pool: raw.capacity.pool
        ? {
            plan: raw.capacity.pool.plan,
            seats: raw.capacity.pool.seats,
            perSeat: raw.capacity.pool.perSeat,
            explanation: raw.capacity.pool.explanation,
          }
        : null,
      reservePercent: raw.capacity.reservePercent,
      available: raw.capacity.available,
      basis: raw.capacity.basis,
      policy: raw.capacity.policy,
    },
    committed: { ...raw.committed },
    actualAtClose: raw.actualAtClose,
    allocations: raw.allocations.map((a) => ({ person: emailOf(a.userId), name: a.name, credits: a.credits })),
    destination:
      raw.destination.kind === "sprint" && sprintRef.has(raw.destination.sprintId)
        ? { kind: "sprint", sprintRef: sprintRef.get(raw.destination.sprintId)! }
        : { kind: "backlog" },
    stories: raw.stories.map((s) => ({
      storyRef: storyRef.get(s.storyId) ?? null,
      key: s.key,
      title: s.title,
      status: s.status,
      outcome: s.outcome,
      levels: s.levels ? { intensity: s.levels.intensity, autonomy: s.levels.autonomy, risk: s.levels.risk } : null,
      size: s.size,
      expected: s.expected,
      p80: s.p80,
      bandLow: s.bandLow,
      bandHigh: s.bandHigh,
      schemeVersion: s.schemeVersion,
    })),
  });

  return {
    format: TEAM_EXPORT_FORMAT,
    version: TEAM_EXPORT_VERSION,
    exportedAt: now.toISOString(),
    team: {
      name: team.name,
      slug: team.slug,
      timeZone: team.timeZone,
      keyPattern: team.keyPattern,
      creditValueUsd: team.creditValueUsd,
      guardFailClosed: team.guardFailClosed,
      createdAt: iso(team.createdAt),
    },
    people: [...users.entries()]
      .map(([id, u]) => ({ email: u.email, name: u.name, role: roleOf.get(id) ?? null }))
      .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)),
    sizingSchemes: schemes.map((s) => ({
      version: s.version,
      scheme: s.scheme as TeamExport["sizingSchemes"][number]["scheme"],
      contentHash: s.contentHash,
      note: s.note,
      createdBy: emailOf(s.createdBy),
      createdAt: iso(s.createdAt),
    })),
    rates: rates.map((r) => ({
      modelId: r.modelId,
      provider: r.provider,
      tier: r.tier,
      aliases: r.aliases,
      inputUsdPerMtok: r.inputUsdPerMtok,
      cacheReadUsdPerMtok: r.cacheReadUsdPerMtok,
      cacheWriteUsdPerMtok: r.cacheWriteUsdPerMtok,
      cacheWrite1hUsdPerMtok: r.cacheWrite1hUsdPerMtok,
      outputUsdPerMtok: r.outputUsdPerMtok,
      effectiveFrom: r.effectiveFrom,
      createdAt: iso(r.createdAt),
    })),
    stories: stories.map((s) => ({
      ref: storyRef.get(s.id)!,
      key: s.key,
      title: s.title,
      link: s.link,
      labels: s.labels,
      description: s.description,
      status: s.status,
      rank: s.rank,
      estimateRef: optRef(estimateRef, s.estimateId),
      trackerClosed: s.trackerClosed,
      archivedAt: isoOrNull(s.archivedAt),
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
    })),
    estimates: estimates.map((e) => ({
      ref: estimateRef.get(e.id)!,
      storyRef: mustRef(storyRef, e.storyId, "the story of an estimate,"),
      schemeVersion: mustRef(versionOf, e.schemeId, "the scheme of an estimate,"),
      intensity: e.intensity,
      autonomy: e.autonomy,
      risk: e.risk,
      size: e.size,
      expectedCredits: e.expectedCredits,
      p80Credits: e.p80Credits,
      bandLow: e.bandLow,
      bandHigh: e.bandHigh,
      source: e.source,
      // No foreign key holds estimates.session_id: a session that is gone is simply not named.
      pokerSessionRef: optRef(sessionRef, e.sessionId),
      rounds: e.rounds as TeamExport["estimates"][number]["rounds"],
      createdBy: emailOf(e.createdBy),
      createdAt: iso(e.createdAt),
    })),
    storyOutcomes: outcomes.map((o) => ({
      storyRef: mustRef(storyRef, o.storyId, "the story of an outcome,"),
      bought: o.bought,
      reviewBurden: o.reviewBurden,
      causeTags: o.causeTags,
      note: o.note,
      recordedBy: emailOf(o.recordedBy),
      createdAt: iso(o.createdAt),
      updatedAt: iso(o.updatedAt),
    })),
    pokerSessions: sessions.map((s) => ({
      ref: sessionRef.get(s.id)!,
      name: s.name,
      status: s.status,
      autoReveal: s.autoReveal,
      timerSeconds: s.timerSeconds,
      allowAhead: s.allowAhead,
      guestLink: s.guestKey !== null,
      schemeVersion: mustRef(versionOf, s.schemeId, "the scheme of a poker session,"),
      facilitator: emailOf(s.facilitatorId),
      currentItemRef: optRef(itemRef, s.currentItemId),
      seq: s.seq,
      createdBy: emailOf(s.createdBy),
      createdAt: iso(s.createdAt),
      endedAt: isoOrNull(s.endedAt),
      participants: (participantsBySession.get(s.id) ?? []).map((p) => ({
        ref: participantRef.get(p.id)!,
        person: emailOf(p.userId),
        displayName: p.displayName,
        role: p.role,
        lastSeenAt: iso(p.lastSeenAt),
        leftAt: isoOrNull(p.leftAt),
        createdAt: iso(p.createdAt),
      })),
      items: (itemsBySession.get(s.id) ?? []).map((i) => ({
        ref: itemRef.get(i.id)!,
        storyRef: mustRef(storyRef, i.storyId, "the story of a poker item,"),
        rank: i.rank,
        status: i.status,
        roundNumber: i.roundNumber,
        split: i.split,
        estimateRef: optRef(estimateRef, i.estimateId),
        createdAt: iso(i.createdAt),
        rounds: (roundsByItem.get(i.id) ?? []).map((r) => ({
          number: r.number,
          status: r.status,
          timerEndsAt: isoOrNull(r.timerEndsAt),
          startedAt: iso(r.startedAt),
          revealedAt: isoOrNull(r.revealedAt),
          // Vote secrecy holds for every output: a round still voting keeps who voted, not what.
          ...(r.status === "revealed"
            ? {
                votes: (votesByRound.get(r.id) ?? []).map((v) => ({
                  participantRef: mustRef(participantRef, v.participantId, "the voter of a vote,"),
                  dimension: v.dimension,
                  value: v.value,
                  clientTs: v.clientTs,
                  updatedAt: iso(v.updatedAt),
                })),
              }
            : {
                votes: [],
                voters: [
                  ...new Set(
                    (votesByRound.get(r.id) ?? [])
                      .filter((v) => v.value !== null)
                      .map((v) => mustRef(participantRef, v.participantId, "the voter of a vote,")),
                  ),
                ].sort(),
              }),
        })),
      })),
    })),
    sprints: sprints.map((s) => ({
      ref: sprintRef.get(s.id)!,
      name: s.name,
      goal: s.goal,
      startDate: s.startDate,
      endDate: s.endDate,
      capacityKind: s.capacityKind,
      capacityCredits: s.capacityCredits,
      poolPlan: s.poolPlan,
      poolSeats: s.poolSeats,
      poolPerSeat: s.poolPerSeat,
      reservePercent: s.reservePercent,
      commitBasis: s.commitBasis,
      exhaustionPolicy: s.exhaustionPolicy,
      closedAt: isoOrNull(s.closedAt),
      closedBy: emailOf(s.closedBy),
      snapshot: s.snapshot ? snapshotOut(s.snapshot as SprintSnapshot) : null,
      createdBy: emailOf(s.createdBy),
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
      stories: (commitmentsBySprint.get(s.id) ?? []).map((c) => ({
        storyRef: mustRef(storyRef, c.storyId, "a committed story,"),
        committedBy: emailOf(c.committedBy),
        committedAt: iso(c.committedAt),
        outcome: c.outcome,
      })),
      // By e-mail: user ids (and so their order) differ between installs.
      allocations: (allocationsBySprint.get(s.id) ?? [])
        .map((a) => ({ person: emailOf(a.userId)!, credits: a.credits }))
        .filter((a) => a.person !== null)
        .sort((a, b) => (a.person < b.person ? -1 : a.person > b.person ? 1 : 0)),
      commitRequests: (requestsBySprint.get(s.id) ?? []).map((r) => ({
        storyRef: mustRef(storyRef, r.storyId, "the story of a commit request,"),
        status: r.status,
        reason: r.reason,
        loadCredits: r.loadCredits,
        committedBefore: r.committedBefore,
        availableCredits: r.availableCredits,
        overBy: r.overBy,
        requestedBy: emailOf(r.requestedBy),
        requestedAt: iso(r.requestedAt),
        decidedBy: emailOf(r.decidedBy),
        decidedAt: isoOrNull(r.decidedAt),
        decisionNote: r.decisionNote,
      })),
      events: (eventsBySprint.get(s.id) ?? []).map((e) => ({
        storyRef: optRef(storyRef, e.storyId),
        actor: emailOf(e.actorId),
        kind: e.kind,
        message: e.message,
        createdAt: iso(e.createdAt),
      })),
      alerts: (alertsBySprint.get(s.id) ?? []).map((a) => ({
        threshold: a.threshold as 75 | 90 | 100,
        spentCredits: a.spentCredits,
        availableCredits: a.availableCredits,
        crossedAt: iso(a.crossedAt),
        webhookAttempts: a.webhookAttempts,
        webhookSentAt: isoOrNull(a.webhookSentAt),
        webhookError: a.webhookError,
      })),
    })),
    spendImports: imports.map((x) => ({
      ref: importRef.get(x.id)!,
      importedBy: emailOf(x.userId),
      via: x.via,
      fileName: x.fileName,
      format: x.format,
      status: x.status,
      skipInvalid: x.skipInvalid,
      rows: x.rows,
      imported: x.imported,
      updated: x.updated,
      duplicates: x.duplicates,
      overlapping: x.overlapping,
      rejected: x.rejected,
      unattributed: x.unattributed,
      unpriced: x.unpriced,
      credits: x.credits,
      byStoryKey: x.byStoryKey,
      unpricedModels: x.unpricedModels,
      errors: x.errors,
      warnings: x.warnings,
      details: readDetails(x.details),
      startedAt: iso(x.startedAt),
      finishedAt: isoOrNull(x.finishedAt),
      undoneAt: isoOrNull(x.undoneAt),
      undoneBy: emailOf(x.undoneBy),
    })),
    spendEntries: entries.map((e) => ({
      // No foreign key holds import_id either (see 0004_create_spend).
      importRef: optRef(importRef, e.importId),
      source: e.source,
      occurredAt: iso(e.occurredAt),
      day: e.day,
      model: e.model,
      modelId: e.modelId,
      inputTokens: e.inputTokens,
      cacheReadTokens: e.cacheReadTokens,
      cacheWriteTokens: e.cacheWriteTokens,
      cacheWrite1hTokens: e.cacheWrite1hTokens,
      outputTokens: e.outputTokens,
      fast: e.fast,
      product: e.product,
      usageRank: e.usageRankText,
      costUsd: e.costUsd,
      credits: e.credits,
      pricedBy: e.pricedBy,
      poolCredits: e.poolCredits,
      paidCredits: e.paidCredits,
      externalUser: e.externalUser,
      sessionId: e.sessionId,
      repository: e.repository,
      storyKey: e.storyKey,
      storyRef: optRef(storyRef, e.storyId),
      aggregated: e.aggregated,
      dedupeKey: e.dedupeKey,
      note: e.note,
      createdBy: emailOf(e.createdBy),
      createdAt: iso(e.createdAt),
      updatedAt: iso(e.updatedAt),
    })),
    spendIdentities: identities.flatMap((x) => {
      const person = emailOf(x.userId);
      return person
        ? [{ identity: x.identity, person, createdBy: emailOf(x.createdBy), createdAt: iso(x.createdAt) }]
        : [];
    }),
    spendSessionStories: sessionStories.map((x) => ({
      sessionId: x.sessionId,
      storyRef: mustRef(storyRef, x.storyId, "the story of a session mapping,"),
      createdBy: emailOf(x.createdBy),
      createdAt: iso(x.createdAt),
    })),
    budgetExtensions: extensions.map((x) => ({
      storyRef: mustRef(storyRef, x.storyId, "the story of a budget extension,"),
      sprintRef: optRef(sprintRef, x.sprintId),
      credits: x.credits,
      reason: x.reason,
      createdBy: emailOf(x.createdBy),
      createdAt: iso(x.createdAt),
    })),
    otlpSessions: otlpSessions.map((x) => ({
      sessionId: x.sessionId,
      signal: x.signal,
      createdAt: iso(x.createdAt),
      updatedAt: iso(x.updatedAt),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

/** A refused import; nothing was written. `details` lists what to fix (people, constraint names). */
export class TeamImportError extends Error {
  constructor(
    message: string,
    readonly status: 403 | 409 | 422,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "TeamImportError";
  }
}

export interface TeamImportSummary {
  stories: number;
  estimates: number;
  sprints: number;
  pokerSessions: number;
  spendImports: number;
  spendEntries: number;
  /** E-mails in the export that are not members of this team: their records name nobody. */
  unknownPeople: string[];
  /** What could not come over for that reason. */
  leftOut: string[];
}

/**
 * New ids in the order of the VALUES list. Identity values are drawn from the sequence as the rows
 * are inserted, in list order, and a sequence only grows; RETURNING's own order is not promised,
 * so the ids are sorted rather than trusted.
 */
const inInsertOrder = (rows: { id: number }[]) => rows.map((r) => r.id).sort((a, b) => a - b);

/** Tables whose rows get a generated id: the ones other rows point at. */
type TableWithId = { [T in keyof Database]: "id" extends keyof Database[T] ? T : never }[keyof Database];

/**
 * Inserts `rows`, CHUNK at a time, each made into a row of `table` by `toRow`. The table name alone
 * decides the row type (NoInfer), so a wrong or missing column fails the typecheck at the caller.
 */
async function insertChunked<T extends keyof Database, R>(
  trx: Trx,
  table: T,
  rows: readonly R[],
  toRow: (row: R) => NoInfer<Insertable<Database[T]>>,
): Promise<void> {
  // Kysely cannot relate Insertable<Database[T]> to its own insert type while T is generic; the
  // callers' rows are checked against the table by toRow's return type instead.
  const into = trx.insertInto(table) as unknown as InsertQueryBuilder<Database, T, InsertResult>;
  for (const chunk of chunks(rows)) {
    await into.values(chunk.map(toRow) as never).execute();
    // A team's history is hundreds of thousands of rows: on the embedded database each INSERT runs
    // on the server's own thread, so other requests get their turn between chunks (issue 15).
    await breathe();
  }
}

/** As insertChunked, and returns each row's new id under `key(row, index in rows)`. */
async function insertChunkedIds<T extends TableWithId, R, K>(
  trx: Trx,
  table: T,
  rows: readonly R[],
  key: (row: R, index: number) => K,
  toRow: (row: R) => NoInfer<Insertable<Database[T]>>,
): Promise<Map<K, number>> {
  const into = trx.insertInto(table) as unknown as InsertQueryBuilder<Database, TableWithId, InsertResult>;
  const idOf = new Map<K, number>();
  let n = 0;
  for (const chunk of chunks(rows)) {
    const ids = inInsertOrder(
      await into
        .values(chunk.map(toRow) as never)
        .returning("id")
        .execute(),
    );
    for (const [i, row] of chunk.entries()) idOf.set(key(row, n + i), ids[i]!);
    n += chunk.length;
    await breathe();
  }
  return idOf;
}

const byRef = (row: { ref: number }) => row.ref;

/**
 * Imports an export document into a team that has no stories, sprints, poker sessions or spend yet,
 * in one transaction: all of it or, on any problem, nothing. The team keeps its name and slug; it
 * takes the export's time zone, key pattern, credit value, sizing scheme versions and rate card.
 */
export async function importTeam(
  db: DB,
  input: { teamId: number; doc: TeamExport; actingUserId: number; allowUnknownPeople?: boolean },
): Promise<TeamImportSummary> {
  try {
    return await db.transaction().execute((trx) => writeTeam(trx, input));
  } catch (error) {
    if (error instanceof TeamImportError) throw error;
    // Constraint (23…) and data (22…) errors: the document passed the schema but not the database
    // (a forged value the schema does not know to refuse). The transaction rolled back.
    const e = error as { code?: unknown; message?: string; constraint?: string };
    if (typeof e.code === "string" && /^2[23]/.test(e.code)) {
      throw new TeamImportError("The export does not fit together, so nothing was imported.", 422, [
        e.constraint ? `${e.message} (${e.constraint})` : String(e.message),
      ]);
    }
    throw error;
  }
}

async function writeTeam(
  trx: Trx,
  input: { teamId: number; doc: TeamExport; actingUserId: number; allowUnknownPeople?: boolean },
): Promise<TeamImportSummary> {
  const { teamId, doc } = input;
  // Two imports into the same team at once: the second waits here, then finds the team taken.
  await trx.selectFrom("teams").select("id").where("id", "=", teamId).forUpdate().executeTakeFirstOrThrow();
  const actor = await trx
    .selectFrom("memberships")
    .select("role")
    .where("teamId", "=", teamId)
    .where("userId", "=", input.actingUserId)
    .executeTakeFirst();
  if (!actor || !roleAtLeast(actor.role, "manager"))
    throw new TeamImportError("Importing a team needs the manager role.", 403);

  const counts = await countTeamContent(trx, teamId);
  if (!isEmptyTeam(counts)) {
    const has = (Object.entries(counts) as [keyof TeamContentCounts, number][])
      .filter(([, n]) => n > 0)
      .map(([what, n]) => `${n} ${CONTENT_LABELS[what][n === 1 ? 0 : 1]}`);
    throw new TeamImportError(
      "This team is not new: import into a team that has no stories, sprints, poker sessions or spend yet.",
      409,
      has,
    );
  }

  // People: members of this team, by e-mail.
  const members = await trx
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.userId")
    .select(["users.id", "users.email"])
    .where("memberships.teamId", "=", teamId)
    .execute();
  const memberId = new Map(members.map((m) => [m.email.toLowerCase(), m.id]));
  const unknownPeople = doc.people.map((p) => p.email).filter((e) => !memberId.has(e.toLowerCase()));
  if (unknownPeople.length && !input.allowUnknownPeople) {
    throw new TeamImportError(
      `${unknownPeople.length === 1 ? "One person in the export is not a member" : `${unknownPeople.length} people in the export are not members`} of this team. Invite them first (they sign up with the same e-mail), or import anyway: their records then name nobody.`,
      409,
      unknownPeople,
    );
  }
  const userOf = (email: string | null) => (email === null ? null : (memberId.get(email.toLowerCase()) ?? null));
  const leftOut: string[] = [];

  // The team's settings and reference data: the new team's defaults give way to the export's.
  await trx
    .updateTable("teams")
    .set({
      timeZone: doc.team.timeZone,
      keyPattern: doc.team.keyPattern,
      creditValueUsd: doc.team.creditValueUsd,
      guardFailClosed: doc.team.guardFailClosed,
    })
    .where("id", "=", teamId)
    .execute();
  await trx.deleteFrom("sizingSchemes").where("teamId", "=", teamId).execute();
  await trx.deleteFrom("modelRates").where("teamId", "=", teamId).execute();
  const schemeId = await insertChunkedIds(
    trx,
    "sizingSchemes",
    doc.sizingSchemes,
    (s) => s.version,
    (s) => ({
      teamId,
      version: s.version,
      scheme: JSON.stringify(s.scheme),
      contentHash: s.contentHash,
      note: s.note,
      createdBy: userOf(s.createdBy),
      createdAt: s.createdAt,
    }),
  );
  const schemeOf = (version: number) => schemeId.get(version)!;
  await insertChunked(trx, "modelRates", doc.rates, (r) => ({ teamId, ...r }));

  // Stories first without their current estimate (estimates point at stories and back).
  const storyId = await insertChunkedIds(trx, "stories", doc.stories, byRef, (s) => ({
    teamId,
    key: s.key,
    title: s.title,
    link: s.link,
    labels: s.labels,
    description: s.description,
    status: s.status,
    rank: s.rank,
    estimateId: null,
    trackerClosed: s.trackerClosed,
    archivedAt: s.archivedAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  }));
  const storyOf = (ref: number) => storyId.get(ref)!;
  const storyOrNull = (ref: number | null) => (ref === null ? null : storyOf(ref));

  // Poker sessions before estimates (an estimate names its session), without their current item.
  const sessionId = await insertChunkedIds(trx, "pokerSessions", doc.pokerSessions, byRef, (s) => ({
    teamId,
    name: s.name,
    status: s.status,
    autoReveal: s.autoReveal,
    timerSeconds: s.timerSeconds,
    allowAhead: s.allowAhead,
    guestKey: s.guestLink ? newToken(18) : null,
    schemeId: schemeOf(s.schemeVersion),
    facilitatorId: userOf(s.facilitator),
    currentItemId: null,
    seq: s.seq,
    createdBy: userOf(s.createdBy),
    createdAt: s.createdAt,
    endedAt: s.endedAt,
  }));

  const estimateId = await insertChunkedIds(trx, "estimates", doc.estimates, byRef, (e) => ({
    teamId,
    storyId: storyOf(e.storyRef),
    schemeId: schemeOf(e.schemeVersion),
    intensity: e.intensity,
    autonomy: e.autonomy,
    risk: e.risk,
    size: e.size,
    expectedCredits: e.expectedCredits,
    p80Credits: e.p80Credits,
    bandLow: e.bandLow,
    bandHigh: e.bandHigh,
    source: e.source,
    sessionId: e.pokerSessionRef === null ? null : sessionId.get(e.pokerSessionRef)!,
    rounds: JSON.stringify(e.rounds),
    createdBy: userOf(e.createdBy),
    createdAt: e.createdAt,
  }));
  const estimateOrNull = (ref: number | null) => (ref === null ? null : estimateId.get(ref)!);
  const current = doc.stories.flatMap((s) =>
    s.estimateRef === null ? [] : [[storyOf(s.ref), estimateId.get(s.estimateRef)!] as const],
  );
  for (const chunk of chunks(current)) {
    const pairs = sql.join(chunk.map(([story, estimate]) => sql`(${story}::bigint, ${estimate}::bigint)`));
    await sql`update stories set estimate_id = v.estimate_id from (values ${pairs}) as v(story_id, estimate_id) where stories.id = v.story_id`.execute(
      trx,
    );
  }

  await insertChunked(trx, "storyOutcomes", doc.storyOutcomes, (o) => ({
    storyId: storyOf(o.storyRef),
    teamId,
    bought: o.bought,
    reviewBurden: o.reviewBurden as Database["storyOutcomes"]["reviewBurden"],
    causeTags: o.causeTags,
    note: o.note,
    recordedBy: userOf(o.recordedBy),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  }));

  // Poker: participants, items, rounds, votes per session.
  let guestSeats = 0;
  for (const s of doc.pokerSessions) {
    const session = sessionId.get(s.ref)!;
    const participantId = await insertChunkedIds(trx, "pokerParticipants", s.participants, byRef, (p) => {
      const userId = userOf(p.person);
      if (p.person !== null && userId === null) guestSeats++;
      // A guest seat (or an unknown person's) has a token nobody holds: it keeps its
      // name and votes, and nobody can sit in it again.
      return {
        sessionId: session,
        teamId,
        userId,
        guestTokenHash: userId === null ? hashToken(newToken(32)) : null,
        displayName: p.displayName,
        role: p.role,
        lastSeenAt: p.lastSeenAt,
        leftAt: p.leftAt,
        createdAt: p.createdAt,
      };
    });
    const itemId = await insertChunkedIds(trx, "pokerItems", s.items, byRef, (i) => ({
      sessionId: session,
      teamId,
      storyId: storyOf(i.storyRef),
      rank: i.rank,
      status: i.status,
      roundNumber: i.roundNumber,
      split: i.split,
      estimateId: estimateOrNull(i.estimateRef),
      createdAt: i.createdAt,
    }));
    if (s.currentItemRef !== null) {
      await trx
        .updateTable("pokerSessions")
        .set({ currentItemId: itemId.get(s.currentItemRef)! })
        .where("id", "=", session)
        .execute();
    }
    // Rounds have no ref: each is known by its place in this list.
    const rounds = s.items.flatMap((item) => item.rounds.map((round) => ({ item, round })));
    const roundId = await insertChunkedIds(
      trx,
      "pokerRounds",
      rounds,
      (_, n) => n,
      ({ item, round }) => ({
        itemId: itemId.get(item.ref)!,
        sessionId: session,
        teamId,
        number: round.number,
        status: round.status,
        timerEndsAt: round.timerEndsAt,
        startedAt: round.startedAt,
        revealedAt: round.revealedAt,
      }),
    );
    const votes = rounds.flatMap(({ round }, n) => round.votes.map((vote) => ({ roundId: roundId.get(n)!, vote })));
    await insertChunked(trx, "pokerVotes", votes, ({ roundId, vote: v }) => ({
      roundId,
      participantId: participantId.get(v.participantRef)!,
      dimension: v.dimension,
      value: v.value,
      clientTs: v.clientTs,
      sessionId: session,
      teamId,
      updatedAt: v.updatedAt,
    }));
  }

  // Sprints, then what hangs off them (a snapshot may name a later sprint as its destination).
  const sprintId = await insertChunkedIds(trx, "sprints", doc.sprints, byRef, (s) => ({
    teamId,
    name: s.name,
    goal: s.goal,
    startDate: s.startDate,
    endDate: s.endDate,
    capacityKind: s.capacityKind,
    capacityCredits: s.capacityCredits,
    poolPlan: s.poolPlan,
    poolSeats: s.poolSeats,
    poolPerSeat: s.poolPerSeat,
    reservePercent: s.reservePercent,
    commitBasis: s.commitBasis,
    exhaustionPolicy: s.exhaustionPolicy,
    closedAt: s.closedAt,
    closedBy: userOf(s.closedBy),
    snapshot: null,
    createdBy: userOf(s.createdBy),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  }));
  for (const s of doc.sprints) {
    const sprint = sprintId.get(s.ref)!;
    if (s.snapshot) {
      await trx
        .updateTable("sprints")
        .set({ snapshot: JSON.stringify(snapshotIn(s.snapshot, sprint, { storyId, sprintId, userOf })) })
        .where("id", "=", sprint)
        .execute();
    }
    await insertChunked(trx, "sprintStories", s.stories, (c) => ({
      sprintId: sprint,
      storyId: storyOf(c.storyRef),
      teamId,
      committedBy: userOf(c.committedBy),
      committedAt: c.committedAt,
      outcome: c.outcome,
    }));
    const allocations = s.allocations.flatMap((a) => {
      const userId = userOf(a.person);
      if (userId === null) leftOut.push(`${s.name}: the allocation of ${a.credits} credits to ${a.person}`);
      return userId === null ? [] : [{ sprintId: sprint, userId, teamId, credits: a.credits }];
    });
    await insertChunked(trx, "sprintAllocations", allocations, (a) => a);
    await insertChunked(trx, "commitRequests", s.commitRequests, (r) => ({
      teamId,
      sprintId: sprint,
      storyId: storyOf(r.storyRef),
      status: r.status,
      reason: r.reason,
      loadCredits: r.loadCredits,
      committedBefore: r.committedBefore,
      availableCredits: r.availableCredits,
      overBy: r.overBy,
      requestedBy: userOf(r.requestedBy),
      requestedAt: r.requestedAt,
      decidedBy: userOf(r.decidedBy),
      decidedAt: r.decidedAt,
      decisionNote: r.decisionNote,
    }));
    await insertChunked(trx, "sprintEvents", s.events, (e) => ({
      teamId,
      sprintId: sprint,
      storyId: storyOrNull(e.storyRef),
      actorId: userOf(e.actor),
      kind: e.kind,
      message: e.message,
      createdAt: e.createdAt,
    }));
    await insertChunked(trx, "sprintAlerts", s.alerts, (a) => ({ sprintId: sprint, teamId, ...a }));
  }

  // Spend: the import log, the entries (the bulk of a large team), the mappings.
  const importId = await insertChunkedIds(
    trx,
    "spendImports",
    doc.spendImports,
    byRef,
    ({ ref: _ref, importedBy, undoneBy, byStoryKey, errors, warnings, details, ...x }) => ({
      ...x,
      teamId,
      userId: userOf(importedBy),
      tokenId: null,
      byStoryKey: JSON.stringify(byStoryKey),
      errors: JSON.stringify(errors),
      warnings: JSON.stringify(warnings),
      details: JSON.stringify(details ?? NO_DETAILS),
      undoneBy: userOf(undoneBy),
    }),
  );
  await insertChunked(trx, "spendEntries", doc.spendEntries, ({ importRef, storyRef, createdBy, ...e }) => ({
    ...e,
    teamId,
    importId: importRef === null ? null : importId.get(importRef)!,
    storyId: storyOrNull(storyRef),
    createdBy: userOf(createdBy),
  }));
  const identities = doc.spendIdentities.flatMap((x) => {
    const userId = userOf(x.person);
    if (userId === null) leftOut.push(`the identity “${x.identity}” (mapped to ${x.person})`);
    return userId === null
      ? []
      : [{ teamId, identity: x.identity, userId, createdBy: userOf(x.createdBy), createdAt: x.createdAt }];
  });
  await insertChunked(trx, "spendIdentities", identities, (x) => x);
  await insertChunked(trx, "spendSessionStories", doc.spendSessionStories, (x) => ({
    teamId,
    sessionId: x.sessionId,
    storyId: storyOf(x.storyRef),
    createdBy: userOf(x.createdBy),
    createdAt: x.createdAt,
  }));
  await insertChunked(trx, "budgetExtensions", doc.budgetExtensions, (x) => ({
    teamId,
    storyId: storyOf(x.storyRef),
    sprintId: x.sprintRef === null ? null : sprintId.get(x.sprintRef)!,
    credits: x.credits,
    reason: x.reason,
    createdBy: userOf(x.createdBy),
    createdAt: x.createdAt,
  }));
  await insertChunked(trx, "otlpSessions", doc.otlpSessions, (x) => ({ teamId, ...x }));
  // The rollups of every day, from the entries, mappings and stories just written.
  await refreshRollups(trx, teamId, "all");
  if (guestSeats)
    leftOut.push(
      `${guestSeats} poker ${guestSeats === 1 ? "seat keeps its" : "seats keep their"} name and votes as guest seats`,
    );

  return {
    stories: doc.stories.length,
    estimates: doc.estimates.length,
    sprints: doc.sprints.length,
    pokerSessions: doc.pokerSessions.length,
    spendImports: doc.spendImports.length,
    spendEntries: doc.spendEntries.length,
    unknownPeople,
    leftOut,
  };
}

/** A snapshot back in the app's shape, with this install's ids. Unknown ids become 0, which matches no row. */
function snapshotIn(
  snap: TeamExportSnapshot,
  ownId: number,
  maps: {
    storyId: Map<number, number>;
    sprintId: Map<number, number>;
    userOf: (email: string | null) => number | null;
  },
): SprintSnapshot {
  return {
    ...snap,
    sprint: { id: ownId, ...snap.sprint },
    allocations: snap.allocations.map((a) => ({
      userId: maps.userOf(a.person) ?? 0,
      name: a.name,
      credits: a.credits,
    })),
    destination:
      snap.destination.kind === "sprint"
        ? { kind: "sprint", sprintId: maps.sprintId.get(snap.destination.sprintRef)! }
        : { kind: "backlog" },
    stories: snap.stories.map(({ storyRef, ...s }) => ({
      storyId: storyRef === null ? 0 : maps.storyId.get(storyRef)!,
      ...s,
    })),
  };
}
