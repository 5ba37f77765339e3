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
    return () => source.close();
  }, [teamSlug]);
}
