import { Form, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { ORG_ROLE_LABELS, type OrgRole } from "~/domain/organisation/roles";

export interface OrgShellProps {
  org: { slug: string; name: string };
  user: { name: string };
  role: OrgRole;
  /** The user's teams, so the way back to team work is one click. */
  teams: { slug: string; name: string }[];
  children: ReactNode;
}

// Sections of an organisation; each feature adds its entry here when it lands.
const SECTIONS: { to: string; label: string; end?: boolean }[] = [
  { to: "", label: "Overview", end: true },
  { to: "pool", label: "Pool" },
  { to: "exceptions", label: "Exceptions" },
  { to: "reports", label: "Reports" },
  { to: "bill", label: "Bill" },
  { to: "settings", label: "Settings" },
];

/** The organisation's frame: the same top bar as a team's (see AppShell), with its own sections. */
export function OrgShell({ org, user, role, teams, children }: OrgShellProps) {
  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={`/o/${org.slug}`}>
          <span aria-hidden="true">🂠</span> Token Poker
        </a>
        <OrgNav slug={org.slug} className="nav nav-wide" />
        <details className="phone-menu">
          <summary className="btn btn-ghost" aria-label={`Menu: ${org.name}`}>
            <span className="phone-menu-team">{org.name}</span> <span aria-hidden="true">☰</span>
          </summary>
          <div className="phone-menu-panel stack">
            <p className="phone-menu-user">
              {user.name} · {ORG_ROLE_LABELS[role]}
            </p>
            <OrgNav slug={org.slug} className="phone-nav" />
            <TeamLinks teams={teams} />
            <Form method="post" action="/logout">
              <button type="submit" className="btn btn-ghost">
                Log out
              </button>
            </Form>
          </div>
        </details>
        <div className="topbar-end">
          <TeamLinks teams={teams} />
          <span className="muted user-chip" title={ORG_ROLE_LABELS[role]}>
            {user.name} · {ORG_ROLE_LABELS[role]}
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

function OrgNav({ slug, className }: { slug: string; className: string }) {
  return (
    <nav className={className} aria-label="Organisation sections">
      {SECTIONS.map((s) => (
        <NavLink key={s.label} to={`/o/${slug}${s.to ? `/${s.to}` : ""}`} end={s.end} prefetch="intent">
          {s.label}
        </NavLink>
      ))}
    </nav>
  );
}

function TeamLinks({ teams }: { teams: OrgShellProps["teams"] }) {
  if (!teams.length) return null;
  // A link, not the team switcher: the organisation is not one of the user's teams.
  return (
    <a className="btn btn-ghost" href={`/t/${teams[0]!.slug}`}>
      ← {teams.length === 1 ? teams[0]!.name : "My teams"}
    </a>
  );
}
