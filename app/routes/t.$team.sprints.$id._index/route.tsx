import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useFetcher, useLoaderData, useParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { useLiveSpend } from "~/components/agents/use-live-spend";
import { BurnUpChart } from "~/components/sprints/burn-up-chart";
import { CommitDialog } from "~/components/sprints/commit-dialog";
import { CapacityMeter } from "~/components/sprints/capacity-meter";
import { PlanningBoard, type BoardCard, type BoardColumnId } from "~/components/sprints/planning-board";
import { SprintHistory, CommitRequests } from "~/components/sprints/sprint-activity";
import { checkAllocations, committedLoad, todayIn } from "~/domain/capacity";
import { roleAtLeast } from "~/domain/roles";
import { burnAlertLevel, type SprintSnapshot } from "~/domain/sprint";
import {
  capacityOf,
  commitStory,
  decideCommitRequest,
  removeStory,
  setSprintStoryDone,
  SprintError,
  statusOf,
} from "~/models/sprint.server";
import { BudgetExtensionError, extendStoryBudget, getSprintStoryBudgets } from "~/models/budget.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { requireSprint } from "~/server/sprint-route.server";
import { ClosedStories } from "./closed-stories";
import { BoardIntentSchema } from "./intents";
import { MemberAllocations } from "./member-allocations";
import { loadBoardSources } from "./queries.server";
import { SprintFigures } from "./sprint-figures";
import { StoppedStories } from "./stopped-stories";
import { formatCredits } from "~/domain/credits";

export interface BoardActionResult {
  ok: boolean;
  tone: "ok" | "warn" | "error";
  message: string;
  /** Under the approval policy: the commit needs a reason (and a manager). */
  needsApproval?: { storyId: number };
  /** Under the hard-stop policy: the commit was refused. */
  refused?: { storyId: number };
  /** An extension of a stopped story's budget that was refused, and why. */
  extendRefused?: { storyId: number; messages: Record<string, string> };
  errors: Record<string, string>;
}

function reply(result: Omit<BoardActionResult, "errors">, status = 200) {
  return data<BoardActionResult>({ ...result, errors: {} }, { status });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { db, team, role, sprint } = await requireSprint(request, params, "observer");
  const now = new Date();
  const today = todayIn(team.timeZone, now);
  const status = statusOf(sprint, today);
  // No burn-alert check here: a GET only reads. Alerts are checked where spend or the sprint's
  // capacity changes (spend imports and typed-in entries, sprint settings; see sprint-alert.server.ts).
  const cap = capacityOf(sprint);
  const closed = sprint.closedAt !== null;
  const [backlog, stories, requests, events, allocations, burn] = await loadBoardSources(db, {
    teamId: team.id,
    timeZone: team.timeZone,
    sprint,
    now,
    closed,
    planned: status === "planned",
  });
  const open = stories.filter((s) => s.outcome === null);
  // The guard's answers for the open stories: the ones it stops join the approval queue.
  const budgets = await getSprintStoryBudgets(db, { teamId: team.id, sprint, stories: open });
  const toCard = (s: (typeof stories)[number] | (typeof backlog)[number]): BoardCard => ({
    id: s.id,
    key: s.key,
    title: s.title,
    status: s.status,
    size: s.size,
    expected: s.expectedCredits,
    p80: s.p80Credits,
  });
  return {
    today,
    status,
    closed,
    sprint: { id: sprint.id, name: sprint.name, basis: sprint.commitBasis, policy: sprint.exhaustionPolicy },
    cap: {
      capacity: cap.capacity,
      available: cap.available,
      reservePercent: cap.reservePercent,
      reserve: cap.reserve,
      workingDays: cap.workingDays,
      pool: cap.pool?.explanation ?? null,
    },
    backlog: backlog.map(toCard),
    committed: open.map(toCard),
    stopped: budgets
      .filter((b) => b.decision === "stop")
      .map((b) => ({
        ...b.story,
        reason: b.reason,
        spent: b.spent,
        limit: b.estimate ? b.estimate.p80 + b.extended : null,
      })),
    history: closed ? stories.map((s) => ({ ...toCard(s), outcome: s.outcome })) : [],
    // What a closed sprint had committed, as frozen at close (falls back to its rows).
    closedLoad: closed
      ? ((sprint.snapshot as SprintSnapshot | null)?.committed ??
        committedLoad(
          stories.map((s) => ({
            estimate:
              s.expectedCredits === null
                ? null
                : { expected: s.expectedCredits, p80: s.p80Credits ?? s.expectedCredits },
          })),
        ))
      : null,
    burn,
    requests,
    events,
    allocations: {
      rows: allocations,
      check: allocations.length
        ? checkAllocations(
            cap.capacity,
            allocations.map((a) => ({ member: a.name, credits: a.credits })),
          )
        : null,
    },
    canCommit: roleAtLeast(role, "member") && !closed,
    canManage: roleAtLeast(role, "manager"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { db, team, user, role, sprint } = await requireSprint(request, params, "member");
  const form = parseForm(await request.formData(), BoardIntentSchema);
  if (!form.ok) {
    const storyId = Number(form.values.storyId);
    if (form.values.intent === "extend-budget" && Number.isSafeInteger(storyId))
      return data<BoardActionResult>(
        {
          ok: false,
          tone: "error",
          message: "The budget was not extended.",
          extendRefused: { storyId, messages: form.errors },
          errors: form.errors,
        },
        { status: 400 },
      );
    return invalid(form.errors, form.values);
  }
  const input = form.data;
  const isManager = roleAtLeast(role, "manager");
  try {
    switch (input.intent) {
      case "commit": {
        const result = await commitStory(db, {
          teamId: team.id,
          sprintId: sprint.id,
          storyId: input.storyId,
          actorId: user.id,
          actorIsManager: isManager,
          reason: input.reason,
        });
        const e = result.evaluation;
        const over =
          e.overBy === null
            ? "its load is unknown: it has no estimate"
            : `it goes ${formatCredits(e.overBy)} credits past the available credits`;
        switch (result.kind) {
          case "committed":
            return reply({
              ok: true,
              tone: e.outcome === "ok" ? "ok" : "warn",
              message:
                e.outcome === "needs-approval"
                  ? `Committed with your approval (${over}); your reason is kept in the history.`
                  : e.message,
            });
          case "requested":
            return reply({
              ok: true,
              tone: "ok",
              message: `Asked a manager to approve it (${over}). It joins the sprint once approved.`,
            });
          case "needs-approval":
            return reply(
              { ok: false, tone: "warn", message: e.message, needsApproval: { storyId: input.storyId } },
              409,
            );
          case "refused":
            return reply({ ok: false, tone: "error", message: e.message, refused: { storyId: input.storyId } }, 409);
        }
        break;
      }
      case "remove":
        await removeStory(db, { teamId: team.id, sprintId: sprint.id, storyId: input.storyId, actorId: user.id });
        return reply({ ok: true, tone: "ok", message: "Removed from the sprint and back in the backlog." });
      case "done":
        await setSprintStoryDone(db, {
          teamId: team.id,
          sprintId: sprint.id,
          storyId: input.storyId,
          done: input.done === "1",
          actorId: user.id,
        });
        return reply({ ok: true, tone: "ok", message: input.done === "1" ? "Marked done." : "Reopened." });
      case "approve":
      case "decline": {
        if (!isManager) throw new Response("Only managers approve over-capacity commits.", { status: 403 });
        const result = await decideCommitRequest(db, {
          teamId: team.id,
          sprintId: sprint.id,
          requestId: input.requestId,
          deciderId: user.id,
          approve: input.intent === "approve",
          note: input.note,
        });
        if (result.kind === "refused")
          return reply({ ok: false, tone: "error", message: result.evaluation.message }, 409);
        return reply({
          ok: true,
          tone: "ok",
          message:
            result.kind === "approved"
              ? `Approved: ${result.storyLabel} is committed.`
              : `Declined: ${result.storyLabel} stays in the backlog.`,
        });
      }
      case "extend-budget": {
        if (!isManager) throw new Response("Managers extend budgets.", { status: 403 });
        try {
          await extendStoryBudget(db, {
            teamId: team.id,
            storyId: input.storyId,
            credits: input.credits,
            reason: input.reason,
            userId: user.id,
          });
        } catch (e) {
          if (!(e instanceof BudgetExtensionError)) throw e;
          const messages = { form: e.message };
          return data<BoardActionResult>(
            {
              ok: false,
              tone: "error",
              message: e.message,
              extendRefused: { storyId: input.storyId, messages },
              errors: messages,
            },
            { status: 400 },
          );
        }
        return reply({
          ok: true,
          tone: "ok",
          message: `Budget extended by ${formatCredits(input.credits)} credits: the agent's next call continues.`,
        });
      }
    }
  } catch (error) {
    if (error instanceof SprintError) return reply({ ok: false, tone: "error", message: error.message }, error.status);
    throw error;
  }
}

const TONE_CLASS = { ok: "alert alert-ok", warn: "alert alert-warn", error: "alert alert-error" } as const;

export default function SprintBoardPage() {
  const d = useLoaderData<typeof loader>();
  const { team } = useParams();
  // The burn-up moves as spend arrives.
  useLiveSpend(team ?? "");
  const actionData = useActionData<typeof action>() as BoardActionResult | undefined;
  const fetcher = useFetcher<BoardActionResult>({ key: `sprint-${d.sprint.id}-board` });
  const result = fetcher.state === "idle" ? (fetcher.data ?? actionData) : undefined;

  // A move on its way to the server shows in its new column (and in the meter) at once.
  const pending = new Map<number, BoardColumnId>();
  const moving = fetcher.state !== "idle" ? fetcher.formData : undefined;
  if (moving && (moving.get("intent") === "commit" || moving.get("intent") === "remove")) {
    pending.set(Number(moving.get("storyId")), moving.get("intent") === "commit" ? "sprint" : "backlog");
  }
  const inSprint = [
    ...d.committed.filter((c) => pending.get(c.id) !== "backlog"),
    ...d.backlog.filter((c) => pending.get(c.id) === "sprint"),
  ];
  const load =
    d.closedLoad ??
    committedLoad(
      inSprint.map((c) => ({
        estimate: c.expected === null ? null : { expected: c.expected, p80: c.p80 ?? c.expected },
      })),
      d.sprint.basis,
    );

  // Keyboard users keep their place: the "Commit →" or "← Remove" button they pressed leaves with
  // the card's old place, so once the move is saved focus goes to the same story's button in its
  // new column (only when focus was lost; a keyboard drag keeps its own focus).
  const lastMove = useRef<{ storyId: number; to: BoardColumnId } | null>(null);
  useEffect(() => {
    const intent = moving?.get("intent");
    if (moving && (intent === "commit" || intent === "remove"))
      lastMove.current = { storyId: Number(moving.get("storyId")), to: intent === "commit" ? "sprint" : "backlog" };
  }, [moving]);
  useEffect(() => {
    if (fetcher.state !== "idle" || !lastMove.current) return;
    const { storyId, to } = lastMove.current;
    lastMove.current = null;
    if (document.activeElement && document.activeElement !== document.body) return;
    const label = to === "sprint" ? "Remove " : "Commit ";
    document.querySelector<HTMLElement>(`[data-story-id="${storyId}"] button[aria-label^="${label}"]`)?.focus();
  }, [fetcher.state, d.committed]);

  const move = (storyId: number, to: BoardColumnId) =>
    fetcher.submit({ intent: to === "sprint" ? "commit" : "remove", storyId: String(storyId) }, { method: "post" });
  const alert = d.burn ? burnAlertLevel(d.burn.crossed) : null;
  const pendingRequests = d.requests.filter((r) => r.status === "pending");

  return (
    <div className="stack sprint-page">
      {alert && d.burn ? (
        <div
          className={alert.tone === "error" ? "alert alert-error" : "alert alert-warn"}
          role="alert"
          data-testid="burn-alert"
        >
          <strong>Spend reached {alert.threshold} % of the available credits.</strong>{" "}
          {formatCredits(d.burn.spentToDate)} of {formatCredits(d.burn.available)} credits spent
          {d.closed
            ? " in this sprint."
            : d.burn.projectedTotal !== null
              ? `; at this pace the sprint ends at ${formatCredits(d.burn.projectedTotal)}.`
              : "."}
        </div>
      ) : null}

      <div aria-live="polite" className="sprint-messages">
        {result?.message && !result.needsApproval && !result.refused ? (
          <div
            className={TONE_CLASS[result.tone]}
            role={result.tone === "error" ? "alert" : "status"}
            data-testid="board-message"
          >
            {result.message}
          </div>
        ) : null}
        {result?.errors && Object.keys(result.errors).length ? (
          <div className="alert alert-error">{Object.values(result.errors).join(" ")}</div>
        ) : null}
      </div>

      <CommitDialog
        decision={d.canCommit ? result : undefined}
        canManage={d.canManage}
        Form={fetcher.Form}
        cancelHref={`/t/${team}/sprints/${d.sprint.id}`}
      />

      <SprintFigures d={d} />

      {d.allocations.check?.warning ? <div className="alert alert-warn">{d.allocations.check.warning}</div> : null}

      <section className="card stack" aria-labelledby="plan-heading">
        <div className="row">
          <h2 id="plan-heading">{d.closed ? "What the sprint held" : "Planning board"}</h2>
          <span className="spacer" />
          {!d.closed && !d.canCommit ? (
            <span className="muted">Observers can look; members commit stories.</span>
          ) : null}
        </div>
        <CapacityMeter
          id="capacity-meter"
          capacity={d.cap.capacity}
          available={d.cap.available}
          reservePercent={d.cap.reservePercent}
          expected={load.expected}
          p80={load.p80}
          basis={d.sprint.basis}
          unestimatedCount={load.unestimatedCount}
          pending={pending.size > 0}
        />
        {d.closed ? (
          <ClosedStories stories={d.history} />
        ) : (
          <PlanningBoard
            backlog={d.backlog}
            sprint={d.committed}
            pending={pending}
            onMove={move}
            readOnly={!d.canCommit}
            sprintName={d.sprint.name}
            storyHref={(card) => `/t/${team}/stories/${card.id}`}
            renderActions={(card, column) =>
              column === "backlog" ? (
                <fetcher.Form method="post">
                  <input type="hidden" name="intent" value="commit" />
                  <input type="hidden" name="storyId" value={card.id} />
                  <button
                    type="submit"
                    className="btn btn-ghost btn-sm"
                    aria-label={`Commit ${card.key ?? card.title}`}
                  >
                    Commit →
                  </button>
                </fetcher.Form>
              ) : (
                <>
                  <fetcher.Form method="post">
                    <input type="hidden" name="intent" value="done" />
                    <input type="hidden" name="storyId" value={card.id} />
                    <input type="hidden" name="done" value={card.status === "done" ? "0" : "1"} />
                    <button
                      type="submit"
                      className="btn btn-ghost btn-sm"
                      aria-label={`${card.status === "done" ? "Reopen" : "Mark done"} ${card.key ?? card.title}`}
                    >
                      {card.status === "done" ? "Reopen" : "Mark done"}
                    </button>
                  </fetcher.Form>
                  {card.status === "done" ? null : (
                    <fetcher.Form method="post">
                      <input type="hidden" name="intent" value="remove" />
                      <input type="hidden" name="storyId" value={card.id} />
                      <button
                        type="submit"
                        className="btn btn-ghost btn-sm"
                        aria-label={`Remove ${card.key ?? card.title}`}
                      >
                        ← Remove
                      </button>
                    </fetcher.Form>
                  )}
                </>
              )
            }
          />
        )}
      </section>

      {d.burn ? (
        <section className="card stack" aria-labelledby="burnup-heading">
          <h2 id="burnup-heading">Burn-up</h2>
          <BurnUpChart burn={d.burn} today={d.today} />
        </section>
      ) : null}

      {d.requests.length || d.sprint.policy === "approval" ? (
        <section className="card stack" aria-labelledby="requests-heading">
          <h2 id="requests-heading">
            Over-capacity approvals{" "}
            {pendingRequests.length ? <span className="badge badge-warn">{pendingRequests.length} waiting</span> : null}
          </h2>
          <CommitRequests requests={d.requests} canDecide={d.canManage && !d.closed} />
        </section>
      ) : null}

      {d.stopped.length ? (
        <section className="card stack" aria-labelledby="stopped-heading">
          <h2 id="stopped-heading">
            Stopped by the budget guard <span className="badge badge-danger">{d.stopped.length}</span>
          </h2>
          <StoppedStories
            team={team ?? ""}
            stories={d.stopped}
            canExtend={d.canManage}
            errors={result?.extendRefused ?? null}
          />
        </section>
      ) : null}

      <MemberAllocations d={d} />

      <section className="card stack" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <SprintHistory events={d.events} />
      </section>
    </div>
  );
}
