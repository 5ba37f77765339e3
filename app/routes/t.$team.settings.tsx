import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet, useParams } from "@remix-run/react";
import { requireTeamRole } from "~/server/auth.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireTeamRole(request, params.team, "observer");
  return null;
}

// Settings pages; each feature that has settings adds its tab here.
const TABS = [
  { to: "", label: "Team", end: true },
  { to: "members", label: "Members" },
  { to: "sizing", label: "Sizing" },
  { to: "rates", label: "Rates" },
  { to: "tokens", label: "API tokens" },
  { to: "trackers", label: "Trackers" },
  { to: "organisation", label: "Organisation" },
  { to: "export", label: "Export" },
];

export default function SettingsLayout() {
  const { team } = useParams();
  return (
    <>
      <div className="page-header">
        <h1>Settings</h1>
      </div>
      <nav className="tabs" aria-label="Settings">
        {TABS.map((t) => (
          <NavLink key={t.label} to={`/t/${team}/settings${t.to ? `/${t.to}` : ""}`} end={t.end}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </>
  );
}
