// The backlog as a table: the generic DataTable with this feature's columns. Sorting and filtering
// happen in SQL; the route keeps both in the URL and hands us the rows in order.
import { Link, useNavigate, useParams } from "@remix-run/react";
import { DataTable, defineColumns, type SortingState } from "~/components/ui/data-table";
import { Labels, SizeBadge, StatusBadge, type StoryStatus } from "~/components/backlog/story-badges";
import { formatCredits } from "~/domain/credits";

export interface BacklogStory {
  id: number;
  key: string | null;
  title: string;
  labels: string[];
  status: StoryStatus;
  size: string | null;
  expectedCredits: number | null;
  p80Credits: number | null;
  estimateSource: "solo" | "session" | null;
  trackerClosed: boolean;
}

export function StoryLink({ story }: { story: Pick<BacklogStory, "id" | "title"> }) {
  const { team } = useParams();
  return <Link to={`/t/${team}/stories/${story.id}`}>{story.title}</Link>;
}

// Column ids are the sort ids the route whitelists (STORY_SORTS); the others cannot sort.
const columns = defineColumns<BacklogStory>((col) => [
  col.accessor("key", {
    id: "key",
    header: "Key",
    cell: (info) =>
      info.getValue() ? <code className="story-key">{info.getValue()}</code> : <span className="muted">—</span>,
    meta: { className: "col-key" },
  }),
  col.accessor("title", {
    id: "title",
    header: "Title",
    cell: (info) => (
      <>
        <StoryLink story={info.row.original} />
        {info.row.original.trackerClosed ? (
          <>
            {" "}
            <span className="badge" title="The tracker has closed this item">
              closed in tracker
            </span>
          </>
        ) : null}
      </>
    ),
    meta: { rowHeader: true, className: "col-title" },
  }),
  col.accessor("labels", {
    id: "labels",
    header: "Labels",
    enableSorting: false,
    cell: (info) => <Labels labels={info.getValue()} />,
  }),
  col.accessor("status", {
    id: "status",
    header: "Status",
    cell: (info) => <StatusBadge status={info.getValue()} />,
  }),
  col.accessor("size", {
    id: "size",
    header: "Size",
    cell: (info) => <SizeBadge size={info.getValue()} source={info.row.original.estimateSource} />,
  }),
  col.accessor("expectedCredits", {
    id: "expected",
    header: "Expected",
    sortDescFirst: true,
    cell: (info) => formatCredits(info.getValue()),
    meta: { align: "end" },
  }),
  col.accessor("p80Credits", {
    id: "p80",
    header: "p80",
    enableSorting: false,
    cell: (info) => formatCredits(info.getValue()),
    meta: { align: "end" },
  }),
]);

export function StoryTable({
  stories,
  sorting,
  sortHref,
  empty,
}: {
  stories: BacklogStory[];
  sorting: SortingState;
  sortHref: (next: SortingState) => string;
  empty: React.ReactNode;
}) {
  const navigate = useNavigate();
  return (
    <div className="table-wrap">
      <DataTable
        caption="Backlog stories"
        columns={columns}
        data={stories}
        getRowId={(s) => String(s.id)}
        sorting={sorting}
        sortHref={sortHref}
        // With JS a header click navigates inside the app; before hydration the link still works.
        onSortingChange={(next) => navigate(sortHref(next), { preventScrollReset: true })}
        empty={empty}
        className="story-table"
      />
    </div>
  );
}
