// The other half of the approval queue: stories the budget guard stops (past p80, or the sprint past
// its credits under hard-stop or approval). A manager extends a story's budget here, as on the story
// page, and the agent's next call continues.
import { Form, Link } from "@remix-run/react";
import { formatCredits } from "~/domain/credits";

export interface StoppedStory {
  id: number;
  key: string | null;
  title: string;
  reason: string;
  spent: number;
  limit: number | null;
}

export function StoppedStories({
  team,
  stories,
  canExtend,
  errors,
}: {
  team: string;
  stories: StoppedStory[];
  canExtend: boolean;
  /** Field errors of the last extend, for the story it was about. */
  errors: { storyId: number; messages: Record<string, string> } | null;
}) {
  return (
    <ul className="plain-list commit-requests">
      {stories.map((s) => {
        const own = errors?.storyId === s.id ? errors.messages : {};
        return (
          <li key={s.id} className="commit-request">
            <div className="row">
              <span className="badge badge-danger">stopped</span>
              {s.key ? <code className="story-key">{s.key}</code> : null}
              <Link to={`/t/${team}/stories/${s.id}`}>
                <strong>{s.title}</strong>
              </Link>
              <span className="spacer" />
              <span className="muted">
                {formatCredits(s.spent)} spent{s.limit !== null ? ` of ${formatCredits(s.limit)}` : ""}
              </span>
            </div>
            <p className="muted">{s.reason}</p>
            {canExtend ? (
              <Form method="post" className="row decide-form">
                <input type="hidden" name="intent" value="extend-budget" />
                <input type="hidden" name="storyId" value={s.id} />
                <label htmlFor={`extend-credits-${s.id}`} className="sr-only">
                  Credits to add to {s.key ?? s.title}
                </label>
                <input
                  id={`extend-credits-${s.id}`}
                  name="credits"
                  type="number"
                  inputMode="decimal"
                  min="0.01"
                  step="any"
                  required
                  placeholder="Credits"
                  aria-invalid={own.credits ? true : undefined}
                />
                <label htmlFor={`extend-reason-${s.id}`} className="sr-only">
                  Reason for {s.key ?? s.title} (shown in the retro)
                </label>
                <input
                  id={`extend-reason-${s.id}`}
                  name="reason"
                  required
                  maxLength={500}
                  placeholder="Reason (shown in the retro)"
                  aria-invalid={own.reason || own.form ? true : undefined}
                />
                <button type="submit" className="btn btn-primary btn-sm">
                  Extend budget
                </button>
                {Object.values(own).length ? (
                  <p className="field-error" role="alert">
                    {Object.values(own).join(" ")}
                  </p>
                ) : null}
              </Form>
            ) : (
              <p className="muted">Waiting for a manager to extend the budget.</p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
