import { Form, NavLink, useSubmit } from "@remix-run/react";
import type { ReactNode } from "react";
import { ROLE_LABELS, type Role } from "~/domain/roles";

export interface ShellProps {
  team: { slug: string; name: string };
  teams: { slug: string; name: string }[];
  user: { name: string };
  role: Role;
  /** The user's organisations (org admin or viewer), linked from the header. */
  orgs?: { slug: string; name: string }[];
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

export function AppShell({ team, teams, user, role, orgs = [], children }: ShellProps) {
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
        <SectionNav slug={team.slug} className="nav nav-wide" />
        {/* Phones: a compact bar and a menu (a disclosure, so it opens without JavaScript too). */}
        <details className="phone-menu">
          <summary className="btn btn-ghost" aria-label={`Menu: ${team.name}`}>
            <span className="phone-menu-team">{team.name}</span> <span aria-hidden="true">☰</span>
          </summary>
          <div className="phone-menu-panel stack">
            <p className="phone-menu-user">
              {user.name} · {ROLE_LABELS[role]}
            </p>
            <SectionNav slug={team.slug} className="phone-nav" />
            <OrgLinks orgs={orgs} />
            <TeamSwitcher id="team-switcher-phone" team={team} teams={teams} />
            <Form method="post" action="/logout">
              <button type="submit" className="btn btn-ghost">
                Log out
              </button>
            </Form>
          </div>
        </details>
        <div className="topbar-end">
          <OrgLinks orgs={orgs} />
          <TeamSwitcher id="team-switcher" team={team} teams={teams} />
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

/** One link per organisation the user belongs to (usually none or one). */
function OrgLinks({ orgs }: { orgs: { slug: string; name: string }[] }) {
  if (!orgs.length) return null;
  return (
    <nav className="org-links" aria-label="Organisations">
      {orgs.map((o) => (
        <a key={o.slug} className="btn btn-ghost" href={`/o/${o.slug}`}>
          {o.name} <span className="muted">org</span>
        </a>
      ))}
    </nav>
  );
}

function SectionNav({ slug, className }: { slug: string; className: string }) {
  return (
    <nav className={className} aria-label="Team sections">
      {SECTIONS.map((s) => (
        <NavLink key={s.label} to={`/t/${slug}${s.to ? `/${s.to}` : ""}`} end={s.end} prefetch="intent">
          {s.label}
        </NavLink>
      ))}
    </nav>
  );
}

function TeamSwitcher({ id, team, teams }: { id: string; team: ShellProps["team"]; teams: ShellProps["teams"] }) {
  const submit = useSubmit();
  return (
    <Form method="get" action="/switch" className="team-switcher">
      <label htmlFor={id} className="sr-only">
        Team
      </label>
      <select
        id={id}
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
        <option value="__new_org">+ New organisation…</option>
      </select>
      <noscript>
        <button type="submit" className="btn btn-ghost">
          Go
        </button>
      </noscript>
    </Form>
  );
}
