import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { listTeamsForUser } from "~/models/team.server";
import { getCurrentUser } from "~/server/session.server";
import { getDb } from "~/utils/database-and-secrets.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getCurrentUser(request);
  if (!user) return redirect("/login");
  const teams = await listTeamsForUser(await getDb(), user.id);
  return redirect(teams[0] ? `/t/${teams[0].slug}` : "/teams/new");
}
