// What earlier retrospectives wrote down.
import { Link } from "@remix-run/react";
import { NoteView } from "~/components/retro/outlier-card";
import type { RetroData } from "./retro-data";

export function EarlierNotes({ d }: { d: RetroData }) {
  return (
    <section aria-labelledby="earlier-title" className="retro-section">
      <h3 id="earlier-title">From earlier retrospectives</h3>
      {d.earlier.length === 0 ? (
        <p className="muted">No notes from earlier sprints yet.</p>
      ) : (
        <ul className="earlier-notes">
          {d.earlier.map((n) => (
            <li key={n.storyId} className="card">
              <p className="muted">
                <Link to={`${d.base}/sprints/${n.sprintId}/retro`}>{n.sprintName}</Link> ·{" "}
                {n.key ? <code className="story-key">{n.key}</code> : null} {n.title}
              </p>
              <NoteView note={n} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
