// POST /api/v1/teams/:team/hooks/claude — a Claude Code HTTP hook (`"type": "http"`). Claude Code
// POSTs the hook event (session_id, transcript_path, cwd, hook_event_name, the tool call); we find
// the story — a key the setup put in the URL (?story=PAY-412) or an X-Story-Key header, else the
// session's mapping — and answer per the budget guard. Blocking is a 2xx JSON answer with
// "decision": "block" and a reason; UserPromptSubmit gets the remaining budget as context.
// Nothing of the event is stored: not the prompt, not the tool input. A story named in the URL
// claims the session (if no one mapped it), so its OpenTelemetry spend follows without story.id.
// Timeouts and an unreachable server let Claude Code continue; a team may choose fail-closed for
// what this server decides (an unknown story, a guard error).
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { GuardDecision } from "~/domain/budget-guard";
import { claimSessionForStory, getGuardFailClosed, getStoryBudget, storyKeyForSession } from "~/models/budget.server";
import { apiError, requireApiToken } from "~/server/api-auth.server";
import { BodyTooLargeError, bodyChunks, limitBytes } from "~/utils/upload.server";
import { formatCredits } from "~/domain/credits";

/** Write and Edit events carry whole files; past this the event is judged on its URL's story alone. */
const HOOK_MAX_BYTES = 1024 * 1024;

const EventSchema = z
  .object({
    // Claude Code's session ids are UUIDs: anything else (control characters, huge text) is no session.
    session_id: z
      .string()
      .regex(/^[\w.:-]{1,200}$/)
      .optional()
      .catch(undefined),
    hook_event_name: z.string().max(60).optional().catch(undefined),
  })
  .catch({});
const KeySchema = z.string().trim().min(1).max(100);

export function loader() {
  return apiError(405, "method_not_allowed", "Claude Code POSTs hook events to this URL.", { Allow: "POST" });
}

async function readEvent(request: Request): Promise<z.infer<typeof EventSchema>> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of limitBytes(bodyChunks(request), HOOK_MAX_BYTES)) chunks.push(chunk);
    return EventSchema.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
  } catch (error) {
    if (error instanceof BodyTooLargeError || error instanceof SyntaxError) return {};
    throw error;
  }
}

function answer(event: string | undefined, decision: GuardDecision, reason: string, context: string | null) {
  const text = `Token Poker: ${reason}`;
  if (decision === "stop") {
    if (event === "PreToolUse") {
      return {
        decision: "block",
        reason: text,
        hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: text },
      };
    }
    if (event === "UserPromptSubmit") return { decision: "block", reason: text };
    // Blocking a Stop would make the agent go on working: there, and after a tool, it is told to stop.
    if (event === "Stop" || event === "SubagentStop") return {};
    return { continue: false, stopReason: text };
  }
  const out: Record<string, unknown> = {};
  if (decision === "warn") out.systemMessage = text;
  if (event === "UserPromptSubmit" && context)
    out.hookSpecificOutput = { hookEventName: "UserPromptSubmit", additionalContext: context };
  return out;
}

export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return apiError(405, "method_not_allowed", "Use POST.", { Allow: "POST" });
  const auth = await requireApiToken(request, params.team, ["team", "ingest"]);
  if (auth instanceof Response) return auth;
  const { db, token } = auth;
  const url = new URL(request.url);
  const event = await readEvent(request);
  const named = KeySchema.safeParse(url.searchParams.get("story") ?? request.headers.get("X-Story-Key") ?? undefined);
  const failClosed = await getGuardFailClosed(db, token.teamId);
  const undecided = (reason: string) =>
    Response.json(failClosed ? answer(event.hook_event_name, "stop", `${reason} (this team fails closed).`, null) : {});
  try {
    let budget = null;
    if (named.success) {
      budget = await getStoryBudget(db, { teamId: token.teamId, key: named.data });
      if (budget && event.session_id)
        await claimSessionForStory(db, { teamId: token.teamId, sessionId: event.session_id, storyId: budget.story.id });
    } else if (event.session_id) {
      const mapped = await storyKeyForSession(db, { teamId: token.teamId, sessionId: event.session_id });
      if (mapped) budget = await getStoryBudget(db, { teamId: token.teamId, storyId: mapped.id });
    }
    if (!budget)
      return undecided(named.success ? `no story ${named.data} in this team` : "this session is not linked to a story");
    const label = budget.story.key ?? budget.story.title;
    const context =
      budget.leftToP80 !== null
        ? `Story ${label}: ${formatCredits(Math.max(0, budget.leftToP80))} credits left to its p80 budget. ${budget.reason}`
        : `Story ${label}: ${budget.reason}`;
    return Response.json(answer(event.hook_event_name, budget.decision, `${label}: ${budget.reason}`, context));
  } catch (error) {
    console.error("[hook] guard failed:", error);
    return undecided("the budget guard failed");
  }
}
