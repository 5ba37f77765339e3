// The outliers, furthest off first, each with its inspection note (a form for members).
import { OutlierCard, type NoteFormState } from "~/components/retro/outlier-card";
import type { RetroData } from "./retro-data";

export function OutliersSection({
  d,
  stateFor,
  busyFor,
  withParams,
}: {
  d: RetroData;
  stateFor: (storyId: number) => NoteFormState | null;
  busyFor: (storyId: number) => boolean;
  withParams: (patch: Record<string, string | null>) => string;
}) {
  return (
    <section aria-labelledby="outliers-title" className="retro-section">
      <h3 id="outliers-title">
        Outliers {d.outliers.length ? <span className="badge">{d.outliers.length}</span> : null}
      </h3>
      {d.outliers.length === 0 ? (
        <p className="muted">No story landed more than 2× off its estimate.</p>
      ) : (
        <>
          <p className="muted">
            More than 2× off either way, furthest first. Say why and what the spend bought: the note stays with the
            story.
          </p>
          <div className="outlier-list">
            {d.outliers.map((row) => (
              <OutlierCard
                key={row.storyId}
                row={row}
                canEdit={d.canEdit}
                state={stateFor(row.storyId)}
                busy={busyFor(row.storyId)}
                open={row.open}
                inspectHref={withParams({ inspect: String(row.storyId) }) + `#inspect-${row.storyId}`}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
