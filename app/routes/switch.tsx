import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

// The team switcher is a GET form, so it works before JavaScript loads.
export async function loader({ request }: LoaderFunctionArgs) {
  const team = new URL(request.url).searchParams.get("team") ?? "";
  if (team === "__new") return redirect("/teams/new");
  if (team === "__new_org") return redirect("/orgs/new");
  return redirect(/^[a-z0-9-]{3,40}$/.test(team) ? `/t/${team}` : "/");
}
