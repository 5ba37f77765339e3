import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ChartFrame } from "~/components/charts/chart-frame";

const chart = <svg className="the-chart" />;

describe("chart frame (server render)", () => {
  it("reserves the chart's box and hides it from screen readers, who get the summary", () => {
    const html = renderToString(
      <ChartFrame title="Drift" width={480} height={340} summary={<p>3 stories</p>}>
        {chart}
      </ChartFrame>,
    );
    expect(html).toContain('<figcaption class="chart-title">Drift</figcaption>');
    expect(html).toContain("aspect-ratio:480 / 340;max-width:480px");
    expect(html).toContain('aria-hidden="true"');
    expect(html).toContain('<div class="sr-only"><p>3 stories</p></div>');
    expect(html).toContain("the-chart");
  });

  it("names the box as an image when given a label, and draws the placeholder until hydration", () => {
    const html = renderToString(
      <ChartFrame width={960} height={340} label="Burn-up: 8 of 9 spent" placeholder={<svg className="ph" />} fillWidth>
        {chart}
      </ChartFrame>,
    );
    expect(html).toContain('role="img" aria-label="Burn-up: 8 of 9 spent"');
    expect(html).not.toContain("aria-hidden");
    expect(html).toContain('class="ph"');
    expect(html).not.toContain("the-chart");
    expect(html).not.toContain("max-width");
    expect(html).not.toContain("chart-title");
  });

  it("shows the empty message instead of the chart, readable", () => {
    const html = renderToString(
      <ChartFrame title="Trend" width={480} height={340} empty="No closed sprints yet">
        {chart}
      </ChartFrame>,
    );
    expect(html).toContain('<div class="chart-empty">No closed sprints yet</div>');
    expect(html).not.toContain("aria-hidden");
    expect(html).not.toContain("the-chart");
  });

  it("reserves no aspect ratio for a chart drawn on the server at its own size", () => {
    const html = renderToString(
      <ChartFrame width={960} height={300} selfSized>
        {chart}
      </ChartFrame>,
    );
    expect(html).not.toContain("aspect-ratio");
    expect(html).toContain("max-width:960px");
  });
});
