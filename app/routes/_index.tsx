import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { getSessionHolderOf } from "~/server/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const holder = await getSessionHolderOf(request);
  if (!holder) return redirect("/login");
  const [team] = holder.teams;
  if (team) return redirect(`/t/${team.slug}`);
  // Finance people are often in an organisation and in no team.
  const [org] = holder.organisations;
  return redirect(org ? `/o/${org.slug}` : "/teams/new");
}
