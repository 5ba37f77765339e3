// The organisation pages of the demo (acme, whose admin the demo user is) in Chromium, at 1280 and
// 390 px: faults a screenshot shows and no text check catches (issue 17).
// - The overview's pool chart was scaled to the whole pool: the month's spend and its projection sat
//   in the bottom fifth of the plot (259 credits spent, 5,960 projected, under a 22,800 pool), on a
//   phone its text was 3 px high, and without JavaScript the box was empty.
// - The settings' member rows put "Remove" alone on a line under the role select on a phone, and the
//   invite select's option "Org viewer — reads pools and reports" was cut off at 390 px.
// The selectors name both the Recharts chart and the server-drawn SVG, so the test runs against the
// old layout too (and fails there).
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumPath } from "../helpers/browser";
import { demoInBrowser } from "../helpers/demo-browser";

describe.skipIf(!chromiumPath())("organisation pages' layout", () => {
  const demo = demoInBrowser();

  async function open(url: string, width: number, javaScriptEnabled = true): Promise<Page> {
    const page = await demo.open(url, width, { javaScriptEnabled });
    if (javaScriptEnabled) {
      // Hydrated, and the effects after it (a chart drawn on the client) painted.
      await page.waitForFunction(() => "__remixRouter" in window, null, { timeout: 5_000 }).catch(() => {});
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    }
    return page;
  }

  /** The visible drawing of the pool chart, measured in CSS pixels. */
  function measureChart(page: Page) {
    return page.locator("figure", { hasText: "Pool burn this month" }).evaluate((figure) => {
      const visible = (e: Element) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0;
      };
      const svgs = [...figure.querySelectorAll(".chart-box svg")].filter(visible);
      const svg = svgs.sort((a, b) => b.getBoundingClientRect().width - a.getBoundingClientRect().width)[0];
      if (!svg) return null;
      const plot = svg.querySelector(".recharts-cartesian-grid, .pool-chart-plot > rect");
      const lines = [...svg.querySelectorAll(".recharts-line-curve, .pool-chart-line")].filter(visible);
      const refs = [...svg.querySelectorAll(".recharts-reference-line-line, .pool-chart-ref line")];
      const texts = [...svg.querySelectorAll("text")].map((t) => t.getBoundingClientRect().height).sort();
      if (!plot) return { lines: 0, extent: 0, textHeight: texts[texts.length >> 1] ?? 0, labels: [] };
      const box = plot.getBoundingClientRect();
      // The plot runs from the x axis up to the highest thing drawn on it, reference lines included.
      const top = Math.min(box.top, ...refs.map((r) => r.getBoundingClientRect().top));
      const burnTop = Math.min(...lines.map((l) => l.getBoundingClientRect().top));
      return {
        lines: lines.length,
        extent: lines.length ? (box.bottom - burnTop) / (box.bottom - top) : 0,
        textHeight: texts[texts.length >> 1] ?? 0,
        labels: [...svg.querySelectorAll("text")].map((t) => t.textContent ?? ""),
      };
    });
  }

  it("scales the pool chart to the month's spend and projection, the pool still labelled, with or without JavaScript", async () => {
    for (const width of [1280, 390])
      for (const js of [true, false]) {
        const what = `${width} px, JavaScript ${js ? "on" : "off"}`;
        const chart = await measureChart(await open("/o/acme", width, js));
        expect(chart, what).not.toBeNull();
        if (!chart) continue;
        expect.soft(chart.lines, what).toBeGreaterThan(0);
        // The spend and its projection reach at least half-way up the plot (they reached a fifth).
        expect.soft(chart.extent, what).toBeGreaterThanOrEqual(0.5);
        // Text one can read on the screen it is on (the wide chart shrunk to a phone drew 3 px text).
        expect.soft(chart.textHeight, what).toBeGreaterThanOrEqual(10);
        expect
          .soft(
            chart.labels.filter((l) => /^Pool [\d,]+$/.test(l)),
            `${what}: the pool's level`,
          )
          .toHaveLength(1);
      }
  });

  it("keeps each member's controls on one line inside the card, and every role's name whole in its select", async () => {
    for (const width of [1280, 390]) {
      const page = await open("/o/acme/settings", width);
      const members = page.locator("section.card", { has: page.getByRole("heading", { name: "Members" }) });
      const faults = await members.evaluate((card) => {
        const style = getComputedStyle(card);
        const r = card.getBoundingClientRect();
        const inner = {
          left: r.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
          right: r.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight),
        };
        const out: string[] = [];
        for (const e of card.querySelectorAll("li *")) {
          const b = e.getBoundingClientRect();
          if (b.width === 0 || e.classList.contains("sr-only")) continue;
          if (b.left < inner.left - 0.5 || b.right > inner.right + 0.5)
            out.push(
              `${e.tagName} "${e.textContent?.trim()}" spans ${b.left}–${b.right} in ${inner.left}–${inner.right}`,
            );
        }
        // "Remove" on the same line as the member's role select.
        for (const li of card.querySelectorAll("li")) {
          const select = li.querySelector("select")!.getBoundingClientRect();
          const remove = [...li.querySelectorAll("button")].find((b) => b.textContent?.trim() === "Remove")!;
          const mid = (remove.getBoundingClientRect().top + remove.getBoundingClientRect().bottom) / 2;
          if (mid < select.top || mid > select.bottom)
            out.push(`Remove of ${li.querySelector("strong")?.textContent} is not beside the role select`);
        }
        return out;
      });
      expect.soft(faults, `${width} px`).toEqual([]);

      // The chosen option's text, in the select's font, fits between its padding and the arrow.
      const clipped = await page.locator("main select").evaluateAll((selects) => {
        const ctx = document.createElement("canvas").getContext("2d")!;
        return (selects as HTMLSelectElement[]).flatMap((s) => {
          const style = getComputedStyle(s);
          ctx.font = style.font;
          return [...s.options].flatMap((o) => {
            const room =
              s.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
            const needs = ctx.measureText(o.text).width;
            return needs > room ? [`${s.id}: "${o.text}" needs ${Math.ceil(needs)} px, has ${Math.floor(room)}`] : [];
          });
        });
      });
      expect.soft(clipped, `${width} px`).toEqual([]);
    }
  });
});
