// The backlog in priority order, reordered by drag and drop (mouse, touch, keyboard). A move is
// shown at once and sent as its own fetcher submission, so quick successive moves never cancel one
// another; the loader's order after each move is the truth.
import { useFetchers, useSubmit } from "@remix-run/react";
import { useRef } from "react";
import { DragHandle, SortableList } from "~/components/ui/sortable-list";
import { Labels, SizeBadge, StatusBadge } from "~/components/backlog/story-badges";
import { StoryLink, type BacklogStory } from "~/components/backlog/story-table";

export function StoryOrder({
  stories,
  canEdit,
  filtered,
}: {
  stories: BacklogStory[];
  canEdit: boolean;
  filtered: boolean;
}) {
  const submit = useSubmit();
  const moveCount = useRef(0);
  const saving = useFetchers().some((f) => f.key.startsWith("backlog-move-") && f.state !== "idle");

  return (
    <div className="story-order">
      <p className="muted story-order-hint" aria-live="polite">
        {saving
          ? "Saving the new order…"
          : canEdit
            ? filtered
              ? "Only matching stories are shown; a moved story goes next to its visible neighbours."
              : "Drag a story by its handle, or focus the handle and use Space and the arrow keys."
            : "You can read the order; members and above can change it."}
      </p>
      <SortableList
        label="Backlog order"
        items={stories}
        getId={(s) => String(s.id)}
        getLabel={(s) => (s.key ? `${s.key} ${s.title}` : s.title)}
        disabled={!canEdit}
        onMove={({ id, beforeId, afterId }) => {
          moveCount.current += 1;
          submit(
            { intent: "move", storyId: id, beforeId: beforeId ?? "", afterId: afterId ?? "" },
            { method: "post", navigate: false, fetcherKey: `backlog-move-${moveCount.current}` },
          );
        }}
        renderItem={(story, { handleProps }) => (
          <div className="story-order-row">
            <DragHandle {...handleProps} />
            {story.key ? <code className="story-key">{story.key}</code> : null}
            <span className="story-order-title">
              <StoryLink story={story} />
            </span>
            <Labels labels={story.labels} />
            <StatusBadge status={story.status} />
            <SizeBadge size={story.size} source={story.estimateSource} />
          </div>
        )}
      />
    </div>
  );
}
