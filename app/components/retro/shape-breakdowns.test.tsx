import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ShapeBreakdowns, type BreakdownDimension } from "~/components/retro/shape-breakdowns";
import type { DriftGroup } from "~/domain/drift";

const group = (key: string | null, stories: number): DriftGroup => ({
  key,
  stories,
  compared: stories,
  medianRatio: 1.2,
  hitRate: 0.5,
  direction: "over",
});
const dimensions: BreakdownDimension[] = [
  { id: "intensity", label: "Model intensity", levels: [{ id: "high", label: "High (Opus)" }] },
  { id: "autonomy", label: "Autonomy", levels: [] },
  { id: "risk", label: "Budget risk", levels: [] },
];
const breakdowns = {
  intensity: [group("high", 3), group(null, 1)],
  autonomy: [],
  risk: [],
  size: [group("M", 2)],
};

describe("shape breakdowns (server render)", () => {
  it("uses the heading level and id the page asks for, and labels the section by it", () => {
    const insights = renderToString(
      <ShapeBreakdowns dimensions={dimensions} breakdowns={breakdowns} headingLevel={2} idPrefix="shape" />,
    );
    expect(insights).toContain('<section aria-labelledby="shape-title"');
    expect(insights).toContain('<h2 id="shape-title">By shape of work</h2>');
    const retro = renderToString(
      <ShapeBreakdowns dimensions={dimensions} breakdowns={breakdowns} headingLevel={3} idPrefix="breakdowns" />,
    );
    expect(retro).toContain('<section aria-labelledby="breakdowns-title"');
    expect(retro).toContain('<h3 id="breakdowns-title">By shape of work</h3>');
  });

  it("names levels by their label, the null group 'Not estimated', and adds the size table", () => {
    const html = renderToString(
      <ShapeBreakdowns dimensions={dimensions} breakdowns={breakdowns} headingLevel={2} idPrefix="shape" />,
    );
    expect(html).toContain("<caption>Model intensity</caption>");
    expect(html).toContain('<th scope="row">High (Opus)</th>');
    expect(html).toContain('<th scope="row">Not estimated</th>');
    expect(html).toContain("<caption>Size</caption>");
    expect(html).toContain('<th scope="row">M</th>');
  });
});
