// Keyboard-only driving for browser tests: Tab to a control (recording the way there) and check
// that wherever focus lands, a sighted keyboard user can see it.
import type { Page } from "playwright-core";

export interface Focused {
  /** "button", "input[radio]", "a", … ("body" when nothing is focused). */
  kind: string;
  /** The accessible-ish name: aria-label, the label's text, or the element's own text. */
  name: string;
  /** The radio group's or field's name attribute, if any. */
  field: string | null;
  /** A focus ring (outline or box-shadow) is drawn on the element, or on the visible part it
   * stands for (the card face after a visually hidden radio, the label around a checkbox). */
  visible: boolean;
}

export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { kind: "body", name: "", field: null, visible: false };
    const input = el as HTMLInputElement;
    const kind = el.tagName.toLowerCase() + (el.tagName === "INPUT" ? `[${input.type}]` : "");
    const labelled = el.getAttribute("aria-labelledby");
    const name = (
      el.getAttribute("aria-label") ||
      (labelled
        ? labelled
            .split(/\s+/)
            .map((id) => document.getElementById(id)?.textContent ?? "")
            .join(" ")
        : "") ||
      input.labels?.[0]?.innerText ||
      el.innerText ||
      input.value ||
      ""
    )
      .replace(/\s+/g, " ")
      .trim();
    const shown = (c: Element) => {
      const r = c.getBoundingClientRect();
      const cs = getComputedStyle(c);
      return r.width >= 4 && r.height >= 4 && cs.visibility !== "hidden" && Number(cs.opacity) > 0.1;
    };
    const ring = (c: Element) => {
      const cs = getComputedStyle(c);
      return (
        (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 1) ||
        (cs.boxShadow !== "none" && cs.boxShadow !== "")
      );
    };
    const candidates = [el, el.nextElementSibling, el.closest("label"), el.parentElement].filter(
      (c): c is Element => !!c,
    );
    const visible = candidates.some((c) => shown(c) && ring(c));
    return { kind, name, field: el.getAttribute("name"), visible };
  });
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until `wanted` holds for the focused element, at most
 * `max` times. Returns every element focused on the way (the last one is the wanted one); throws
 * with that path when the control is never reached.
 */
export async function tabTo(
  page: Page,
  wanted: (f: Focused) => boolean,
  options: { max?: number; backwards?: boolean } = {},
): Promise<Focused[]> {
  const path: Focused[] = [];
  for (let i = 0; i < (options.max ?? 80); i++) {
    await page.keyboard.press(options.backwards ? "Shift+Tab" : "Tab");
    const f = await focused(page);
    path.push(f);
    if (wanted(f)) return path;
  }
  throw new Error(
    `never reached by Tab; focus went through:\n  ${path.map((f) => `${f.kind} "${f.name}"`).join("\n  ")}`,
  );
}

/** The stops on the way where focus could not be seen. */
export const invisibleStops = (path: Focused[]) =>
  path.filter((f) => f.kind !== "body" && !f.visible).map((f) => `${f.kind} "${f.name}"`);
