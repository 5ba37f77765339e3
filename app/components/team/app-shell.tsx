import { Form, NavLink, useSubmit } from "@remix-run/react";
import type { ReactNode } from "react";
import { ROLE_LABELS, type Role } from "~/domain/roles";

export interface ShellProps {
  team: { slug: string; name: string };
  teams: { slug: string; name: string }[];
  user: { name: string };
  role: Role;
  children: ReactNode;
}

// Sections of a team; each feature adds its entry here when it lands.
const SECTIONS: { to: string; label: string; end?: boolean }[] = [
  { to: "", label: "Dashboard", end: true },
  { to: "backlog", label: "Backlog" },
  { to: "poker", label: "Poker" },
  { to: "sprints", label: "Sprints" },
  { to: "spend", label: "Spend" },
  { to: "me", label: "My spend" },
  { to: "insights", label: "Insights" },
  { to: "settings", label: "Settings" },
];

export function AppShell({ team, teams, user, role, children }: ShellProps) {
  const submit = useSubmit();
  return (
    <div className="app-shell">
      {/* The first Tab stop: past the nav to the page itself (WCAG 2.4.1). */}
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={`/t/${team.slug}`}>
          <span aria-hidden="true">🂠</span> Token Poker
        </a>
        <nav className="nav" aria-label="Team sections">
          {SECTIONS.map((s) => (
            <NavLink key={s.label} to={`/t/${team.slug}${s.to ? `/${s.to}` : ""}`} end={s.end} prefetch="intent">
              {s.label}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-end">
          <Form method="get" action="/switch" className="team-switcher">
            <label htmlFor="team-switcher" className="sr-only">
              Team
            </label>
            <select
              id="team-switcher"
              name="team"
              defaultValue={team.slug}
              onChange={(e) => submit(e.currentTarget.form, { method: "get", action: "/switch" })}
            >
              {teams.map((t) => (
                <option key={t.slug} value={t.slug}>
                  {t.name}
                </option>
              ))}
              <option value="__new">+ New team…</option>
            </select>
            <noscript>
              <button type="submit" className="btn btn-ghost">
                Go
              </button>
            </noscript>
          </Form>
          <span className="muted user-chip" title={ROLE_LABELS[role]}>
            {user.name} · {ROLE_LABELS[role]}
          </span>
          <Form method="post" action="/logout">
            <button type="submit" className="btn btn-ghost">
              Log out
            </button>
          </Form>
        </div>
      </header>
      <main className="page" id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
