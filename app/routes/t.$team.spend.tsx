import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet, useParams } from "@remix-run/react";
import { requireTeamRole } from "~/server/auth.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireTeamRole(request, params.team, "observer");
  return null;
}

const TABS = [
  { to: "", label: "Unattributed", end: true },
  { to: "import", label: "Import" },
  { to: "identities", label: "Identities" },
];

export default function SpendLayout() {
  const { team } = useParams();
  return (
    <>
      <div className="page-header">
        <h1>Spend</h1>
      </div>
      <nav className="tabs" aria-label="Spend">
        {TABS.map((t) => (
          <NavLink key={t.label} to={`/t/${team}/spend${t.to ? `/${t.to}` : ""}`} end={t.end} prefetch="intent">
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </>
  );
}
