// A `.table-wrap` scrolls sideways on small screens (and some scroll down): a keyboard user must be
// able to focus it to scroll to the hidden columns (WCAG 2.1.1; axe's scrollable-region-focusable).
// Rather than a tab stop on every table, a wrapper becomes a focusable, named region only while it
// actually overflows, and goes back when it no longer does (a wider window, fewer rows). One hook in
// the root covers every page, including tables added later.
import { useEffect } from "react";

const SELECTOR = ".table-wrap";

export function useFocusableScrollRegions(selector = SELECTOR) {
  useEffect(() => {
    let frame = 0;
    const update = () => {
      frame = 0;
      for (const el of document.querySelectorAll<HTMLElement>(selector)) {
        const overflows = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
        const ours = el.dataset.scrollRegion === "auto";
        if (overflows && !ours && !el.hasAttribute("tabindex")) {
          el.dataset.scrollRegion = "auto";
          el.tabIndex = 0;
          if (!el.hasAttribute("role")) {
            el.setAttribute("role", "region");
            el.dataset.scrollRole = "";
          }
          if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
            const caption = el.querySelector("caption")?.textContent?.trim();
            el.setAttribute("aria-label", caption ? `${caption} (scrollable)` : "Table (scrollable)");
            el.dataset.scrollLabel = "";
          }
        } else if (!overflows && ours) {
          el.removeAttribute("tabindex");
          if ("scrollRole" in el.dataset) el.removeAttribute("role");
          if ("scrollLabel" in el.dataset) el.removeAttribute("aria-label");
          delete el.dataset.scrollRegion;
          delete el.dataset.scrollRole;
          delete el.dataset.scrollLabel;
        }
      }
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    schedule();
    window.addEventListener("resize", schedule);
    // Client navigations and live updates add and change tables.
    const observer = new MutationObserver(schedule);
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      window.removeEventListener("resize", schedule);
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [selector]);
}
