// Layout faults found by walking the demo in Chromium: things a screenshot shows and no text check
// catches. The hidden skip link greyed a strip at the top of every page with its shadow, and the
// sprint list broke "87 %" in the Actual column before the percent sign at 1280 px.
import { describe, expect, it } from "vitest";
import { chromiumPath } from "../helpers/browser";
import { demoInBrowser } from "../helpers/demo-browser";

describe.skipIf(!chromiumPath())("demo layout", () => {
  const { open } = demoInBrowser();

  it("paints nothing of the skip link, shadow included, until it has focus", async () => {
    for (const width of [1280, 390]) {
      const page = await open("/t/demo", width);
      const link = page.getByRole("link", { name: "Skip to content" });
      // How far below its box the link paints: the box-shadow's y offset plus its blur.
      const lowestPaint = () =>
        link.evaluate((e) => {
          const shadow = getComputedStyle(e).boxShadow;
          const m = /(-?[\d.]+)px (-?[\d.]+)px ([\d.]+)px/.exec(shadow);
          const below = shadow === "none" || !m ? 0 : Number(m[2]) + Number(m[3]);
          return e.getBoundingClientRect().bottom + below;
        });
      expect(await lowestPaint(), `${width} px`).toBeLessThanOrEqual(0);
      await page.keyboard.press("Tab");
      expect(await link.evaluate((e) => e === document.activeElement)).toBe(true);
      expect((await link.boundingBox())!.y).toBeGreaterThanOrEqual(0);
    }
  });

  it("keeps each sprint's actual spend and its percentage on one line at 1280 px", async () => {
    const page = await open("/t/demo/sprints", 1280);
    const table = page.getByRole("table", { name: "Sprints, newest first" });
    const headers = await table.locator("thead th").allTextContents();
    const column = headers.findIndex((h) => h.trim() === "Actual");
    expect(column).toBeGreaterThan(0);
    const rows = await table.locator("tbody tr").all();
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      const cell = row.locator("th, td").nth(column);
      const text = (await cell.textContent()) ?? "";
      expect(text).toMatch(/%/);
      // Distinct line tops of the cell's text: one line means the figure and "87 %" sit together.
      const lines = await cell.evaluate((e) => {
        const range = document.createRange();
        range.selectNodeContents(e);
        // Boxes of different font sizes on one line overlap vertically; a box starting below the last
        // one's bottom starts a new line.
        const boxes = [...range.getClientRects()].filter((r) => r.width > 0).sort((a, b) => a.top - b.top);
        let count = 0;
        let bottom = -Infinity;
        for (const r of boxes) {
          if (r.top >= bottom - 1) count++;
          bottom = Math.max(bottom, r.bottom);
        }
        return count;
      });
      expect(lines, text).toBe(1);
    }
  });
});
