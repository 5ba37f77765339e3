// A team's tracker connections and the record of writing estimates back to them. The API token is
// sealed with the session secret on the way in and only ever opened here, for a request to the
// tracker: no loader returns it, no log prints it.
import type { PushedEstimate, TrackerKind } from "~/domain/trackers/tracker-api";
import { ESTIMATE_FIGURES } from "~/models/estimate-columns.server";
import { getSchemeVersion } from "~/models/scheme.server";
import { openSecret, sealSecret } from "~/utils/crypto.server";
import type { DB } from "~/utils/db.server";
import { TrackerApiError, trackerApi, type TrackerApi, type TrackerConnectionConfig } from "~/utils/tracker-api.server";

export type PushMode = "off" | "ask" | "always";

export interface TrackerConnection {
  id: number;
  kind: TrackerKind;
  baseUrl: string;
  project: string;
  account: string | null;
  pushMode: PushMode;
  membersCanPull: boolean;
  createdAt: Date;
}

const PUBLIC_COLUMNS = [
  "id",
  "kind",
  "baseUrl",
  "project",
  "account",
  "pushMode",
  "membersCanPull",
  "createdAt",
] as const;

export function listTrackerConnections(db: DB, teamId: number): Promise<TrackerConnection[]> {
  return db
    .selectFrom("trackerConnections")
    .select(PUBLIC_COLUMNS)
    .where("teamId", "=", teamId)
    .orderBy("id")
    .execute();
}

export async function addTrackerConnection(
  db: DB,
  input: Omit<TrackerConnection, "id" | "createdAt"> & {
    teamId: number;
    token: string;
    createdBy: number;
    secret: string;
  },
): Promise<number> {
  const { secret, token, ...values } = input;
  const row = await db
    .insertInto("trackerConnections")
    .values({ ...values, tokenSealed: sealSecret(token, secret) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTrackerConnection(
  db: DB,
  input: { teamId: number; connectionId: number; pushMode: PushMode; membersCanPull: boolean },
): Promise<boolean> {
  const result = await db
    .updateTable("trackerConnections")
    .set({ pushMode: input.pushMode, membersCanPull: input.membersCanPull })
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.connectionId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function removeTrackerConnection(
  db: DB,
  input: { teamId: number; connectionId: number },
): Promise<boolean> {
  const result = await db
    .deleteFrom("trackerConnections")
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.connectionId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** The connection's API client; null when it is not this team's, or its token no longer opens. */
export async function openTrackerApi(
  db: DB,
  input: { teamId: number; connectionId: number; secret: string },
): Promise<{ connection: TrackerConnection; api: TrackerApi } | null> {
  const row = await db
    .selectFrom("trackerConnections")
    .select([...PUBLIC_COLUMNS, "tokenSealed"])
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.connectionId)
    .executeTakeFirst();
  const token = row ? openSecret(row.tokenSealed, input.secret) : null;
  if (!row || token === null) return null;
  const { tokenSealed: _sealed, ...connection } = row;
  const config: TrackerConnectionConfig = {
    kind: row.kind,
    baseUrl: row.baseUrl,
    project: row.project,
    account: row.account,
    token,
  };
  return { connection, api: trackerApi(config) };
}

/** Which of the team's connections a story came from: its GitHub issue link, or its Jira key or link. */
export function connectionForStory(
  connections: TrackerConnection[],
  story: { key: string | null; link: string | null },
): TrackerConnection | null {
  return (
    connections.find((c) =>
      c.kind === "github"
        ? !!story.link &&
          new RegExp(`/${c.project.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/issues/\\d+$`).test(story.link)
        : (!!story.key && story.key.startsWith(`${c.project}-`)) ||
          (!!story.link && story.link.startsWith(`${c.baseUrl.replace(/\/+$/, "")}/browse/`)),
    ) ?? null
  );
}

export interface StoryTrackerPush {
  connectionId: number;
  kind: TrackerKind;
  project: string;
  status: "pending" | "done" | "failed";
  message: string;
  attemptedAt: Date;
}

export function listStoryTrackerPushes(
  db: DB,
  input: { teamId: number; storyId: number },
): Promise<StoryTrackerPush[]> {
  return db
    .selectFrom("trackerPushes as p")
    .innerJoin("trackerConnections as c", "c.id", "p.connectionId")
    .select(["p.connectionId", "c.kind", "c.project", "p.status", "p.message", "p.attemptedAt"])
    .where("p.teamId", "=", input.teamId)
    .where("p.storyId", "=", input.storyId)
    .execute();
}

async function recordPush(
  db: DB,
  input: {
    teamId: number;
    storyId: number;
    connectionId: number;
    estimateId: number | null;
    status: StoryTrackerPush["status"];
    message: string;
  },
) {
  await db
    .insertInto("trackerPushes")
    .values({ ...input, attemptedAt: new Date() })
    .onConflict((oc) =>
      oc.columns(["storyId", "connectionId"]).doUpdateSet({
        estimateId: input.estimateId,
        status: input.status,
        message: input.message,
        attemptedAt: new Date(),
      }),
    )
    .execute();
}

/** The story's current estimate, in the words of the scheme version it was made with. */
async function pushedEstimate(
  db: DB,
  teamId: number,
  storyId: number,
): Promise<{ id: number; estimate: PushedEstimate } | null> {
  const row = await db
    .selectFrom("stories")
    .innerJoin("estimates", "estimates.id", "stories.estimateId")
    .select(["estimates.id", "estimates.schemeId", ...ESTIMATE_FIGURES])
    .where("stories.teamId", "=", teamId)
    .where("stories.id", "=", storyId)
    .executeTakeFirst();
  if (!row) return null;
  const version = await getSchemeVersion(db, { teamId, schemeId: row.schemeId });
  const label = (dimension: "intensity" | "autonomy" | "risk", id: string) =>
    version?.scheme[dimension].find((l) => l.id === id)?.label ?? id;
  return {
    id: row.id,
    estimate: {
      size: row.size,
      intensity: label("intensity", row.intensity),
      autonomy: label("autonomy", row.autonomy),
      risk: label("risk", row.risk),
      expectedCredits: row.expectedCredits,
      p80Credits: row.p80Credits,
      schemeVersion: version?.version ?? 0,
    },
  };
}

/**
 * Writes the story's estimate back to the tracker item it came from: a size label (replacing an
 * older one) and one comment (edited on re-estimate, never a second). A failure (expired token,
 * rate limit, the item gone) is recorded on the story for a retry; it never throws.
 */
export async function pushStoryEstimate(
  db: DB,
  input: { teamId: number; storyId: number; secret: string; when: "finalized" | "asked" },
): Promise<StoryTrackerPush["status"] | "not-linked"> {
  const story = await db
    .selectFrom("stories")
    .select(["key", "link"])
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.storyId)
    .executeTakeFirst();
  if (!story) return "not-linked";
  const connection = connectionForStory(await listTrackerConnections(db, input.teamId), story);
  if (
    !connection ||
    connection.pushMode === "off" ||
    (input.when === "finalized" && connection.pushMode !== "always")
  ) {
    return "not-linked";
  }
  const estimate = await pushedEstimate(db, input.teamId, input.storyId);
  if (!estimate) return "not-linked";
  const base = { teamId: input.teamId, storyId: input.storyId, connectionId: connection.id, estimateId: estimate.id };
  const opened = await openTrackerApi(db, { teamId: input.teamId, connectionId: connection.id, secret: input.secret });
  if (!opened) {
    await recordPush(db, {
      ...base,
      status: "failed",
      message: "the connection's token can no longer be read; enter it again",
    });
    return "failed";
  }
  try {
    await opened.api.pushEstimate(story, estimate.estimate);
    await recordPush(db, { ...base, status: "done", message: "" });
    return "done";
  } catch (error) {
    const message = error instanceof TrackerApiError ? error.message : "the estimate could not be written back";
    if (!(error instanceof TrackerApiError)) console.error("[trackers] push failed:", (error as Error).message);
    await recordPush(db, { ...base, status: "failed", message });
    return "failed";
  }
}

/**
 * After a poker session finalizes a story: write its estimate back when the team's connection says
 * "always". Called without awaiting it, so the meeting never waits for a tracker; failures are
 * recorded on the story.
 */
export async function pushFinalizedItem(
  db: DB,
  input: { teamId: number; itemId: number; secret: string },
): Promise<void> {
  const item = await db
    .selectFrom("pokerItems")
    .select("storyId")
    .where("teamId", "=", input.teamId)
    .where("id", "=", input.itemId)
    .executeTakeFirst();
  if (item)
    await pushStoryEstimate(db, {
      teamId: input.teamId,
      storyId: item.storyId,
      secret: input.secret,
      when: "finalized",
    });
}
