// What a tracker import would do to the backlog, worked out before anything is written: the preview
// shows it, and the import carries out exactly this plan. An item matches a story by key, else by
// link; a match is updated only where the tracker's fields differ, so re-importing the same file
// changes nothing. Closed items are marked closed on their story, never deleted.

import type { TrackerItem } from "~/domain/trackers/tracker-file";

export interface BacklogStory {
  id: number;
  key: string | null;
  link: string | null;
  title: string;
  labels: string[];
  description: string;
  trackerClosed: boolean;
}

export type PlannedChange =
  | { kind: "create"; item: TrackerItem }
  | {
      kind: "update";
      item: TrackerItem;
      storyId: number;
      fields: (keyof TrackerFields)[];
      values: Partial<TrackerFields>;
    }
  | { kind: "unchanged"; item: TrackerItem; storyId: number };

export interface TrackerFields {
  key: string | null;
  title: string;
  link: string | null;
  labels: string[];
  description: string;
  trackerClosed: boolean;
}

export interface ImportPlan {
  changes: PlannedChange[];
  counts: { create: number; update: number; unchanged: number; closed: number };
}

export function fieldsOf(item: TrackerItem, story?: BacklogStory): TrackerFields {
  return {
    // A story matched by link keeps its own key when the tracker gives none.
    key: item.key ?? story?.key ?? null,
    title: item.title,
    link: item.link ?? story?.link ?? null,
    labels: item.labels,
    description: item.description,
    trackerClosed: item.closed,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function planTrackerImport(stories: BacklogStory[], items: TrackerItem[]): ImportPlan {
  const byKey = new Map(stories.filter((s) => s.key).map((s) => [s.key!, s]));
  const byLink = new Map(stories.filter((s) => s.link).map((s) => [s.link!, s]));
  const changes: PlannedChange[] = items.map((item) => {
    const story = (item.key ? byKey.get(item.key) : undefined) ?? (item.link ? byLink.get(item.link) : undefined);
    if (!story) return { kind: "create", item };
    const next = fieldsOf(item, story);
    const fields = (Object.keys(next) as (keyof TrackerFields)[]).filter((f) => !same(next[f], story[f]));
    if (!fields.length) return { kind: "unchanged", item, storyId: story.id };
    return {
      kind: "update",
      item,
      storyId: story.id,
      fields,
      values: Object.fromEntries(fields.map((f) => [f, next[f]])),
    };
  });
  const count = (kind: PlannedChange["kind"]) => changes.filter((c) => c.kind === kind).length;
  return {
    changes,
    counts: {
      create: count("create"),
      update: count("update"),
      unchanged: count("unchanged"),
      closed: items.filter((i) => i.closed).length,
    },
  };
}

/** One line of the preview table: plain values, so the plan can travel to the page. */
export interface PreviewRow {
  kind: PlannedChange["kind"];
  key: string | null;
  title: string;
  closed: boolean;
  fields: (keyof TrackerFields)[];
}

export function previewRows(plan: ImportPlan): PreviewRow[] {
  return plan.changes.map((c) => ({
    kind: c.kind,
    key: c.item.key,
    title: c.item.title,
    closed: c.item.closed,
    fields: c.kind === "update" ? c.fields : [],
  }));
}
