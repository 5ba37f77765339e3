// Drift broken down by each dimension of the scheme and by size.
import { BreakdownTable } from "~/components/retro/breakdown-table";
import type { InsightsData } from "./insights-data";

export function ShapeBreakdowns({ d }: { d: InsightsData }) {
  const s = d.summary;
  const levelLabel = new Map(d.dimensions.flatMap((dim) => dim.levels.map((l) => [`${dim.id}:${l.id}`, l.label])));
  return (
    <section aria-labelledby="shape-title" className="retro-section">
      <h2 id="shape-title">By shape of work</h2>
      <div className="breakdown-grid">
        {d.dimensions.map((dim) => (
          <BreakdownTable
            key={dim.id}
            title={dim.label}
            groups={s.breakdowns[dim.id]}
            labelOf={(k) => (k === null ? "Not estimated" : (levelLabel.get(`${dim.id}:${k}`) ?? k))}
          />
        ))}
        <BreakdownTable title="Size" groups={s.breakdowns.size} labelOf={(k) => k ?? "Not estimated"} />
      </div>
    </section>
  );
}
