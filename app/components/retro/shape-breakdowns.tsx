// Drift broken down by each dimension of the scheme and by size: one section for the retrospective
// (under the sprint's own heading, so an h3) and the insights page (an h2).
import { BreakdownTable } from "~/components/retro/breakdown-table";
import type { DriftGroup } from "~/domain/drift";
import type { DimensionId } from "~/domain/sizing-scheme";

export interface BreakdownDimension {
  id: DimensionId;
  label: string;
  levels: readonly { id: string; label: string }[];
}

export function ShapeBreakdowns({
  dimensions,
  breakdowns,
  headingLevel,
  idPrefix,
}: {
  dimensions: readonly BreakdownDimension[];
  breakdowns: Record<DimensionId | "size", DriftGroup[]>;
  /** The page's outline decides: 2 on a page of its own, 3 inside a sprint's retrospective. */
  headingLevel: 2 | 3;
  /** Makes the heading's id (`<prefix>-title`) unique on the page. */
  idPrefix: string;
}) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const titleId = `${idPrefix}-title`;
  const levelLabel = new Map(dimensions.flatMap((dim) => dim.levels.map((l) => [`${dim.id}:${l.id}`, l.label])));
  return (
    <section aria-labelledby={titleId} className="retro-section">
      <Heading id={titleId}>By shape of work</Heading>
      <div className="breakdown-grid">
        {dimensions.map((dim) => (
          <BreakdownTable
            key={dim.id}
            title={dim.label}
            groups={breakdowns[dim.id]}
            labelOf={(k) => (k === null ? "Not estimated" : (levelLabel.get(`${dim.id}:${k}`) ?? k))}
          />
        ))}
        <BreakdownTable title="Size" groups={breakdowns.size} labelOf={(k) => k ?? "Not estimated"} />
      </div>
    </section>
  );
}
