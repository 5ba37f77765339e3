// axe-core in a real page. The app's Content-Security-Policy only runs scripts that carry the
// response's nonce, so a <script> tag added by the test would be blocked; page.evaluate() goes
// through the DevTools protocol, which the page's CSP does not govern, and defines window.axe.
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";

const AXE_SOURCE = fs.readFileSync(path.resolve("node_modules/axe-core/axe.min.js"), "utf8");

export const WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

export interface AxeViolation {
  id: string;
  impact: "minor" | "moderate" | "serious" | "critical" | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; summary: string }[];
}

/** Runs axe on the whole document (or `include`, a selector) and returns its violations. */
export async function runAxe(page: Page, options: { tags?: string[]; include?: string } = {}): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    async ({ tags, include }) => {
      const axe = (window as unknown as { axe: any }).axe;
      const result = await axe.run(include ? { include: [include] } : document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
      });
      return result.violations.map((v: any) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n: any) => ({
          target: n.target.join(" "),
          html: String(n.html).slice(0, 200),
          summary: String(n.failureSummary ?? "").replace(/\s*\n\s*/g, " "),
        })),
      }));
    },
    { tags: options.tags ?? WCAG_AA_TAGS, include: options.include ?? null },
  );
}

/** The violations that block: serious and critical. */
export function blocking(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

export function formatViolations(where: string, violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${where}: [${v.impact}] ${v.id} — ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target}\n      ${n.html}\n      ${n.summary}`)
          .join("\n") +
        (v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : ""),
    )
    .join("\n");
}
