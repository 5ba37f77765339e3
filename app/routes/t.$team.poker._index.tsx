import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Checkbox, Id, LineText, listOf } from "~/domain/form-fields";
import { CreateSessionForm } from "~/components/poker/create-session-form";
import { roleAtLeast } from "~/domain/roles";
import { createPokerSession, listPokerSessions } from "~/models/poker.server";
import { listStoryChoices } from "~/models/story.server";
import { requireTeamRole } from "~/server/auth.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { formatDay } from "~/domain/dates";
import { formatCredits } from "~/domain/credits";

export const meta: MetaFunction = () => [{ title: "Poker · Token Poker" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role } = await requireTeamRole(request, params.team, "observer");
  const canCreate = roleAtLeast(role, "member");
  // Work still to size only, read side by side with the sessions.
  const [stories, sessions] = await Promise.all([
    canCreate ? listStoryChoices(db, { teamId: team.id, open: true }) : [],
    listPokerSessions(db, team.id),
  ]);
  return {
    team,
    canCreate,
    sessions,
    stories: stories.map((s) => ({ id: s.id, key: s.key, title: s.title, status: s.status, size: s.size })),
    today: new Date().toISOString().slice(0, 10),
  };
}

const PokerIntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("create"),
    name: LineText.min(1, "Give the session a name").max(120, "At most 120 characters"),
    storyId: listOf(z.array(Id).min(1, "Pick at least one story to size").max(200)),
    autoReveal: Checkbox,
    allowAhead: Checkbox,
    allowGuests: Checkbox,
    timerSeconds: z.preprocess(
      (v) => (v === "" || v === undefined ? null : v),
      z.coerce.number().int().min(10).max(3600).nullable(),
    ),
  }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user } = await requireTeamRole(request, params.team, "member");
  const form = parseForm(await request.formData(), PokerIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  const { id } = await createPokerSession(db, {
    teamId: team.id,
    name: input.name,
    storyIds: input.storyId,
    autoReveal: input.autoReveal,
    allowAhead: input.allowAhead,
    allowGuests: input.allowGuests,
    timerSeconds: input.timerSeconds,
    createdBy: { id: user.id, name: user.name },
  });
  return redirect(`/t/${team.slug}/poker/${id}`);
}

export default function PokerSessionsPage() {
  const { team, canCreate, sessions, stories, today } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const open = sessions.filter((s) => s.status === "open");
  const ended = sessions.filter((s) => s.status === "ended");
  return (
    <>
      <div className="page-header">
        <h1>Poker</h1>
      </div>
      <div className="stack">
        <section className="card stack" aria-labelledby="open-sessions-h">
          <h2 id="open-sessions-h">Open sessions</h2>
          {open.length ? (
            <SessionTable teamSlug={team.slug} sessions={open} />
          ) : (
            <p className="muted">No session is open right now.</p>
          )}
        </section>
        {canCreate ? (
          <section className="card stack" aria-labelledby="new-session-h">
            <h2 id="new-session-h">New session</h2>
            <CreateSessionForm
              stories={stories}
              defaultName={`Planning ${formatDay(today)}`}
              errors={result?.errors ?? {}}
              values={result && "values" in result ? result.values : {}}
              busy={busy}
            />
          </section>
        ) : null}
        {ended.length ? (
          <section className="card stack" aria-labelledby="ended-sessions-h">
            <h2 id="ended-sessions-h">Finished sessions</h2>
            <SessionTable teamSlug={team.slug} sessions={ended} />
          </section>
        ) : null}
      </div>
    </>
  );
}

type SessionRow = ReturnType<typeof useLoaderData<typeof loader>>["sessions"][number];

function SessionTable({ teamSlug, sessions }: { teamSlug: string; sessions: SessionRow[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Facilitator</th>
            <th scope="col" className="num">
              Finalized
            </th>
            <th scope="col" className="num">
              Expected credits
            </th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id}>
              <th scope="row">
                <Link to={`/t/${teamSlug}/poker/${s.id}`}>{s.name}</Link>
              </th>
              <td>{s.facilitatorName ?? "—"}</td>
              <td className="num">
                {s.finalized} of {s.stories}
              </td>
              <td className="num">{formatCredits(s.expectedCredits)}</td>
              <td>{formatDay(s.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
