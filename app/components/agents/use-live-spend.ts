// Reloads the page's data when the team's spend changes (see app/utils/spend-live.server.ts).
// Without JavaScript the page is simply as fresh as its last load.
import { useEffect, useRef } from "react";
import { useRevalidator } from "@remix-run/react";

export function useLiveSpend(teamSlug: string): void {
  const revalidator = useRevalidator();
  const latest = useRef(revalidator);
  latest.current = revalidator;
  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(`/t/${encodeURIComponent(teamSlug)}/spend-events`);
    const reload = () => {
      if (latest.current.state === "idle") latest.current.revalidate();
    };
    source.addEventListener("spend", reload);
    // Marks the page as listening (tests wait for it before pushing spend).
    source.addEventListener("open", () => document.documentElement.setAttribute("data-live-spend", "open"));
    return () => {
      source.close();
      document.documentElement.removeAttribute("data-live-spend");
    };
  }, [teamSlug]);
}
