import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { BurnUpChart, CHART_HEIGHT, CHART_WIDTH } from "~/components/sprints/burn-up-chart";
import { CapacityMeter } from "~/components/sprints/capacity-meter";
import { PlanningBoard, type BoardCard } from "~/components/sprints/planning-board";
import { burnUp } from "~/domain/capacity";

const card = (id: number, key: string, expected: number | null): BoardCard => ({
  id,
  key,
  title: `Story ${key}`,
  status: expected === null ? "backlog" : "estimated",
  size: expected === null ? null : "M",
  expected,
  p80: expected === null ? null : expected * 2,
});

describe("burn-up chart (server render)", () => {
  const burn = burnUp({
    start: "2026-11-23",
    end: "2026-12-04",
    today: "2026-11-26",
    dailySpend: { "2026-11-23": 300, "2026-11-24": 500 },
    capacity: 1_000,
    reservePercent: 10,
  });
  const html = renderToString(<BurnUpChart burn={burn} today="2026-11-26" />);

  it("reserves the chart's exact box before it draws, so hydration does not move the page", () => {
    expect(html).toContain(`aspect-ratio:${CHART_WIDTH} / ${CHART_HEIGHT}`);
    expect(html).toContain(`viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}"`);
    expect(html).toContain(`width="${CHART_WIDTH}" height="${CHART_HEIGHT}"`);
  });

  it("says what the chart shows in words and as a table", () => {
    expect(html).toContain('aria-label="Burn-up: 800 of 900 available credits spent, projected 2,000 by the end."');
    const row = /<tr><th scope="row">24 Nov 2026[\s\S]*?<\/tr>/.exec(html.replace(/<!-- -->/g, ""))?.[0] ?? "";
    expect([...row.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(["500", "800", "—"]);
  });
});

describe("capacity meter", () => {
  it("shows expected and p80 against available and counts unestimated stories as unknown", () => {
    const html = renderToString(
      <CapacityMeter
        capacity={1_000}
        available={900}
        reservePercent={10}
        expected={450}
        p80={1_200}
        basis="expected"
        unestimatedCount={1}
      />,
    );
    expect(html).toContain('data-testid="meter-load">450<');
    expect(html).toContain("--value:37.5%"); // 450 of a 1,200 track
    expect(html).toContain("--at:75%"); // available ends at 900 / 1,200
    expect(html.replace(/<!-- -->/g, "")).toContain("1 unestimated: unknown, not zero");
    expect(html).not.toContain("meter-over");
    expect(
      renderToString(
        <CapacityMeter
          capacity={1_000}
          available={900}
          reservePercent={10}
          expected={950}
          p80={1_200}
          basis="expected"
          unestimatedCount={0}
        />,
      ),
    ).toContain("meter-over");
  });
});

describe("planning board (server render)", () => {
  function render(readOnly = false) {
    const router = createMemoryRouter(
      [
        {
          path: "/",
          element: (
            <PlanningBoard
              backlog={[card(1, "PAY-1", 50), card(2, "PAY-2", null)]}
              sprint={[card(3, "PAY-3", 150)]}
              pending={new Map([[1, "sprint" as const]])}
              onMove={() => {}}
              readOnly={readOnly}
              sprintName="Sprint 7"
              renderActions={(c, column) => (
                <button type="submit">{column === "backlog" ? `Commit ${c.key}` : `Remove ${c.key}`}</button>
              )}
            />
          ),
        },
      ],
      { initialEntries: ["/"] },
    );
    return renderToString(<RouterProvider router={router} />);
  }

  it("shows both columns, a pending move in its new column, and flags unestimated stories", () => {
    const html = render();
    const [backlog, sprint] = html.split('data-column="sprint"');
    expect(backlog).toContain("PAY-2");
    expect(backlog).not.toContain("PAY-1");
    expect(sprint).toContain("PAY-1");
    expect(sprint).toContain("Saving…");
    expect(backlog).toContain("No estimate · unknown");
    expect(html).toContain("Remove PAY-3");
  });

  it("renders drag handles disabled until hydration, with the keyboard instructions they point at", () => {
    const html = render();
    const handles = [...html.matchAll(/<button[^>]*class="drag-handle"[^>]*>/g)].map((m) => m[0]);
    expect(handles).toHaveLength(3);
    expect(handles.every((h) => h.includes('disabled=""'))).toBe(true);
    const describedBy = /aria-describedby="([^"]+)"/.exec(handles[0]!)![1];
    expect(html).toMatch(new RegExp(`<p id="${describedBy}" hidden="">To pick up a story, press Space or Enter`));
  });

  it("has no handles or actions when read-only", () => {
    const html = render(true);
    expect(html).not.toContain("drag-handle");
    expect(html).not.toContain("Commit PAY-2");
  });
});
