// A story's estimate and its tracker item: whether the estimate went back, why it failed, and a
// button to send it (the "ask each time" mode) or try again.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { roleAtLeast } from "~/domain/roles";
import {
  connectionForStory,
  listStoryTrackerPushes,
  listTrackerConnections,
  pushStoryEstimate,
} from "~/models/tracker-connection.server";
import { requireStory } from "~/server/story-route.server";
import { formatInstant } from "~/domain/dates";
import { getServices } from "~/utils/database-and-secrets.server";

export const meta: MetaFunction = () => [{ title: "Tracker · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role, story } = await requireStory(request, params, "observer");
  const connection = connectionForStory(await listTrackerConnections(db, team.id), story);
  return {
    story: { id: story.id, key: story.key, title: story.title, link: story.link, estimated: story.estimateId !== null },
    connection: connection && { kind: connection.kind, project: connection.project, pushMode: connection.pushMode },
    pushes: await listStoryTrackerPushes(db, { teamId: team.id, storyId: story.id }),
    canPush: roleAtLeast(role, "member"),
    storyUrl: `/t/${team.slug}/stories/${story.id}`,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, story } = await requireStory(request, params, "member");
  const { sessionSecret } = await getServices();
  await pushStoryEstimate(db, { teamId: team.id, storyId: story.id, secret: sessionSecret, when: "asked" });
  return redirect(`/t/${team.slug}/stories/${story.id}/tracker`);
}

export default function StoryTrackerPage() {
  const { story, connection, pushes, canPush, storyUrl } = useLoaderData<typeof loader>();
  const busy = useNavigation().state !== "idle";
  const last = pushes[0];
  return (
    <div className="stack">
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={storyUrl}>{story.key ?? "Story"}</Link> /
          </p>
          <h1>Estimate in the tracker</h1>
        </div>
      </div>
      {!connection ? (
        <p className="muted">
          This story comes from no connected tracker. Connect GitHub or Jira under Settings → Trackers; stories are
          matched by their issue link or key.
        </p>
      ) : (
        <section className="card stack" aria-labelledby="tracker-state">
          <h2 id="tracker-state">
            {connection.kind === "github" ? "GitHub" : "Jira"} {connection.project}
          </h2>
          {last ? (
            <p role="status" className={last.status === "failed" ? "alert alert-danger" : "alert alert-ok"}>
              {last.status === "done"
                ? `The estimate went back on ${formatInstant(last.attemptedAt)}.`
                : `The last try failed: ${last.message}.`}
            </p>
          ) : (
            <p className="muted">The estimate has not been sent to the tracker.</p>
          )}
          {connection.pushMode === "off" ? (
            <p className="muted">This connection does not write estimates back (Settings → Trackers).</p>
          ) : canPush && story.estimated ? (
            <Form method="post">
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {last?.status === "failed" ? "Try again" : last ? "Send the estimate again" : "Send the estimate"}
              </button>
            </Form>
          ) : !story.estimated ? (
            <p className="muted">Estimate the story first.</p>
          ) : null}
        </section>
      )}
    </div>
  );
}
