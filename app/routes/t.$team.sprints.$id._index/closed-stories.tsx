// What a closed sprint held, each story with its outcome.
import type { BoardCard } from "~/components/sprints/planning-board";
import { formatCredits } from "~/domain/credits";

export function ClosedStories({ stories }: { stories: (BoardCard & { outcome: string | null })[] }) {
  if (!stories.length) return <p className="muted">Nothing was committed to this sprint.</p>;
  const OUTCOME: Record<string, string> = { done: "Done", carried: "Carried over", returned: "Back to backlog" };
  return (
    <ul className="plain-list closed-stories">
      {stories.map((s) => (
        <li key={s.id} className="row">
          {s.key ? <code className="story-key">{s.key}</code> : null}
          <span>{s.title}</span>
          <span className="spacer" />
          {s.size ? (
            <span className="badge size-badge">{s.size}</span>
          ) : (
            <span className="badge badge-warn">No estimate</span>
          )}
          <span className="muted num">{s.expected === null ? "—" : `${formatCredits(s.expected)} exp.`}</span>
          <span className={s.outcome === "done" ? "badge badge-ok" : "badge"}>
            {OUTCOME[s.outcome ?? ""] ?? "Open"}
          </span>
        </li>
      ))}
    </ul>
  );
}
