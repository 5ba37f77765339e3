import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { requireTeamRole } from "~/server/auth.server";

// A story's pages used to live at /t/:team/backlog/:storyId; they are under /t/:team/stories/:storyId now.
// Old links (GET) move permanently (301); forms posted by an old page keep their method and body (308).
// Only the team's people are told where a story moved (an outsider gets the usual 404).
// Static siblings (/backlog/new, /backlog/import) rank above this dynamic segment.
function storyUrl(request: Request, params: LoaderFunctionArgs["params"]) {
  const team = encodeURIComponent(params.team ?? "");
  const storyId = encodeURIComponent(params.storyId ?? "");
  return `/t/${team}/stories/${storyId}${new URL(request.url).search}`;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireTeamRole(request, params.team, "observer");
  return redirect(storyUrl(request, params), 301);
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireTeamRole(request, params.team, "observer");
  return redirect(storyUrl(request, params), 308);
}
