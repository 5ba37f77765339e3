// The bare frame a guest sees around the room (members get the team's app shell instead).
import type { ReactNode } from "react";

export function GuestShell({ name, children }: { name: string | null | undefined; children: ReactNode }) {
  return (
    <div className="app-shell">
      <header className="topbar">
        <span className="brand">
          <span aria-hidden="true">🂠</span> Token Poker
        </span>
        <span className="topbar-end muted">Guest{name ? `: ${name}` : ""}</span>
      </header>
      <main className="page">{children}</main>
    </div>
  );
}
