import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { listOrganisationsForUser } from "~/models/organisation.server";
import { listTeamsForUser } from "~/models/team.server";
import { getCurrentUser } from "~/server/session.server";
import { getDb } from "~/utils/database-and-secrets.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getCurrentUser(request);
  if (!user) return redirect("/login");
  const db = await getDb();
  const teams = await listTeamsForUser(db, user.id);
  if (teams[0]) return redirect(`/t/${teams[0].slug}`);
  // Finance people are often in an organisation and in no team.
  const [org] = await listOrganisationsForUser(db, user.id);
  return redirect(org ? `/o/${org.slug}` : "/teams/new");
}
