// A poker room. Not nested in the team layout: guests (admitted by display name to this one
// session) may see it, and the team layout is for members only. Members get the app shell here.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  useLoaderData,
  type ClientActionFunctionArgs,
  type ClientLoaderFunctionArgs,
  type ShouldRevalidateFunctionArgs,
} from "@remix-run/react";
import { z } from "zod";
import { Checkbox, Id, LineText, OptionalId, listOf } from "~/domain/form-fields";
import { PokerRoom } from "~/components/poker/room";
import { AppShell } from "~/components/team/app-shell";
import { roomViewFor, type Viewer } from "~/domain/poker";
import { roleAtLeast } from "~/domain/roles";
import {
  addStories,
  castVote,
  endSession,
  finalizeItem,
  getParticipantId,
  joinSession,
  listAddableStories,
  loadRoomState,
  moveItem,
  nextStory,
  PokerError,
  removeItem,
  revealRound,
  revote,
  setCurrentItem,
  setGuestLink,
  skipItem,
  takeOverFacilitator,
  unskipItem,
  updateSessionOptions,
  type CardInput,
  type Mutation,
} from "~/models/poker.server";
import { listTeamsForUser } from "~/models/team.server";
import { pushFinalizedItem } from "~/models/tracker-connection.server";
import type { DB } from "~/utils/db.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { parseSessionId, requirePokerAccess } from "~/server/poker-access.server";
import { announceRoomChange } from "~/server/poker-live.server";
import { renderSVG } from "uqr";
import { shareLinkProblem, shareOrigin } from "~/domain/share-links";
import { getServices } from "~/utils/services.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.view.room.session.name ?? "Poker"} · Token Poker` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const sessionId = parseSessionId(params.id);
  const access = await requirePokerAccess(request, params.team, sessionId, "observer");
  const { db, team, viewer, user, role } = access;
  const state = await loadRoomState(db, { teamId: team.id, sessionId });
  if (!state) throw new Response("Not found", { status: 404 });
  const view = roomViewFor(state, viewer);
  const origin = shareOrigin(request.url, (await getServices()).env.APP_ORIGIN);
  const path = `/t/${team.slug}/poker/${sessionId}`;
  const member = viewer.kind === "member" && role !== null && user !== null;
  const guestUrl = member && roleAtLeast(role, "member") && state.session.guestKey ? `${origin}/poker/join/${state.session.guestKey}` : null;
  return {
    team: { slug: team.slug, name: team.name },
    view,
    streamUrl: `${path}/events`,
    shareUrl: `${origin}${path}`,
    // The guest link admits voters: shown to those who may change things, never in the shared view.
    guestUrl,
    linkProblem: member ? shareLinkProblem(origin) : null,
    // For people in the same room: the guest link when guests may come, else the members' link.
    qrSvg: member && state.session.status === "open" ? renderSVG(guestUrl ?? `${origin}${path}`, { border: 2 }) : null,
    addable: view.me.isFacilitator ? await listAddableStories(db, { teamId: team.id, sessionId }) : [],
    shell: member ? { user: { id: user.id, name: user.name }, role, teams: await listTeamsForUser(db, user.id) } : null,
  };
}

const Card = LineText.max(80).optional();

const RoomIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("join"), role: z.enum(["voter", "observer"]) }),
  z.object({
    intent: z.literal("vote"),
    roundId: Id,
    intensity: Card,
    autonomy: Card,
    risk: Card,
    split: Card,
    splitShown: LineText.max(10).optional(),
    ts: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  z.object({ intent: z.literal("reveal"), roundId: Id.optional() }),
  z.object({ intent: z.literal("revote"), itemId: Id }),
  z.object({
    intent: z.literal("finalize"),
    itemId: Id,
    intensity: LineText.min(1, "Pick a model intensity").max(80),
    autonomy: LineText.min(1, "Pick an autonomy level").max(80),
    risk: LineText.min(1, "Pick a budget risk").max(80),
  }),
  z.object({ intent: z.literal("split-story"), itemId: Id }),
  z.object({ intent: z.literal("next") }),
  z.object({ intent: z.literal("set-current"), itemId: Id }),
  z.object({ intent: z.literal("skip"), itemId: Id }),
  z.object({ intent: z.literal("unskip"), itemId: Id }),
  z.object({ intent: z.literal("remove"), itemId: Id }),
  z.object({ intent: z.literal("move"), itemId: Id, beforeId: OptionalId, afterId: OptionalId }),
  z.object({
    intent: z.literal("add-stories"),
    storyId: listOf(z.array(Id).min(1, "Pick at least one story")),
  }),
  z.object({ intent: z.literal("take-over") }),
  z.object({ intent: z.literal("end") }),
  z.object({
    intent: z.literal("options"),
    name: LineText.min(1, "Give the session a name").max(120),
    autoReveal: Checkbox,
    allowAhead: Checkbox,
    timerSeconds: z.preprocess((v) => (v === "" || v === undefined ? null : v), z.coerce.number().int().min(10).max(3600).nullable()),
  }),
  z.object({ intent: z.literal("guest-link"), enabled: z.enum(["on", "off"]) }),
]);
type RoomIntent = z.infer<typeof RoomIntentSchema>;

/** What a guest may do: vote. Everything else needs a team member. */
const GUEST_INTENTS = new Set<RoomIntent["intent"]>(["vote"]);

function cardsFrom(input: Extract<RoomIntent, { intent: "vote" }>): CardInput {
  const cards: CardInput = {};
  for (const d of ["intensity", "autonomy", "risk"] as const) {
    const value = input[d];
    if (value !== undefined) cards[d] = value === "" ? null : value;
  }
  // An unticked checkbox sends nothing: `splitShown` says the form had one.
  if (input.split !== undefined || input.splitShown) cards.split = input.split === "split";
  return cards;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const sessionId = parseSessionId(params.id);
  const { db, team, viewer, user } = await requirePokerAccess(request, params.team, sessionId, "member");
  const form = parseForm(await request.formData(), RoomIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  if (viewer.kind === "guest" && !GUEST_INTENTS.has(input.intent)) throw new Response("Guests can vote, nothing else.", { status: 403 });
  const base = { teamId: team.id, sessionId };
  const me = user ? { ...base, userId: user.id } : null;
  const member = () => {
    if (!me || !user) throw new Response("Guests can vote, nothing else.", { status: 403 });
    return me;
  };
  try {
    let change: Mutation<unknown>;
    switch (input.intent) {
      case "join":
        change = await joinSession(db, { ...member(), name: user!.name, role: input.role });
        break;
      case "vote": {
        const participantId = await participantIdOf(db, team.id, sessionId, viewer);
        change = await castVote(db, { ...base, participantId, roundId: input.roundId, cards: cardsFrom(input), clientTs: input.ts });
        break;
      }
      case "reveal":
        change = await revealRound(db, { ...member(), roundId: input.roundId });
        break;
      case "revote":
        change = await revote(db, { ...member(), itemId: input.itemId });
        break;
      case "finalize":
        change = await finalizeItem(db, {
          ...member(),
          itemId: input.itemId,
          levels: { intensity: input.intensity, autonomy: input.autonomy, risk: input.risk },
        });
        break;
      case "split-story":
        change = await finalizeItem(db, { ...member(), itemId: input.itemId, levels: null });
        break;
      case "next":
        change = await nextStory(db, member());
        break;
      case "set-current":
        change = await setCurrentItem(db, { ...member(), itemId: input.itemId });
        break;
      case "skip":
        change = await skipItem(db, { ...member(), itemId: input.itemId });
        break;
      case "unskip":
        change = await unskipItem(db, { ...member(), itemId: input.itemId });
        break;
      case "remove":
        change = await removeItem(db, { ...member(), itemId: input.itemId });
        break;
      case "move":
        change = await moveItem(db, { ...member(), itemId: input.itemId, beforeId: input.beforeId, afterId: input.afterId });
        break;
      case "add-stories":
        change = await addStories(db, { ...member(), storyIds: input.storyId });
        break;
      case "take-over":
        change = await takeOverFacilitator(db, { ...member(), name: user!.name });
        break;
      case "end":
        change = await endSession(db, member());
        break;
      case "options":
        change = await updateSessionOptions(db, {
          ...member(),
          name: input.name,
          autoReveal: input.autoReveal,
          allowAhead: input.allowAhead,
          timerSeconds: input.timerSeconds,
        });
        break;
      case "guest-link":
        change = await setGuestLink(db, { ...member(), enabled: input.enabled === "on" });
        break;
    }
    await announceRoomChange(sessionId, change.seq);
    if (input.intent === "finalize") {
      // The estimate goes back to its tracker item in the background: the meeting never waits.
      const { sessionSecret } = await getServices();
      void pushFinalizedItem(db, { teamId: team.id, itemId: input.itemId, secret: sessionSecret }).catch((error: Error) =>
        console.error("[trackers] push after finalize failed:", error.message),
      );
    }
    return data({ ok: true as const, seq: change.seq, errors: {} as Record<string, string> });
  } catch (error) {
    if (error instanceof PokerError) {
      return data({ ok: false as const, seq: null, errors: { form: error.message } as Record<string, string> }, { status: error.status });
    }
    throw error;
  }
}

async function participantIdOf(db: DB, teamId: number, sessionId: number, viewer: Viewer) {
  if (viewer.kind === "guest") return viewer.participantId;
  const id = await getParticipantId(db, { teamId, sessionId, userId: viewer.userId });
  if (id === null) throw new PokerError("Join the session as a voter to vote.", 403);
  return id;
}

// A live room must outlast the network: a post or a revalidation that fails because the server is
// restarting or the laptop is offline must not replace the room with an error page. The stream
// resyncs when it is back, and the deck re-sends an unsaved vote (see vote-deck.tsx).
type RoomData = Awaited<ReturnType<typeof useLoaderData<typeof loader>>>;
let lastRoomData: RoomData | undefined;

const isNetworkError = (error: unknown) => error instanceof TypeError;

export async function clientLoader({ serverLoader }: ClientLoaderFunctionArgs) {
  try {
    return (lastRoomData = await serverLoader<typeof loader>());
  } catch (error) {
    if (lastRoomData && isNetworkError(error)) return lastRoomData;
    throw error;
  }
}

export async function clientAction({ serverAction }: ClientActionFunctionArgs) {
  try {
    return await serverAction<typeof action>();
  } catch (error) {
    if (!isNetworkError(error)) throw error;
    return {
      ok: false as const,
      offline: true as const,
      seq: null,
      errors: { form: "The connection dropped, so that was not saved. It is sent again when the connection is back." } as Record<string, string>,
    };
  }
}

// A card's result reaches the room through the live stream (the deck keeps the pick on screen
// until it does); re-running the loader after every card would double the work of a vote.
export function shouldRevalidate({ formData, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs) {
  if (formData?.get("intent") === "vote") return false;
  return defaultShouldRevalidate;
}

export default function PokerRoomPage() {
  const loaded = useLoaderData<typeof loader>();
  if (typeof document !== "undefined") lastRoomData = loaded;
  const { view, team, shell, streamUrl, shareUrl, guestUrl, addable, linkProblem, qrSvg } = loaded;
  const room = (
    <PokerRoom
      view={view}
      streamUrl={streamUrl}
      shareUrl={shareUrl}
      guestUrl={guestUrl}
      linkProblem={linkProblem}
      qrSvg={qrSvg}
      addable={addable}
      teamName={team.name}
    />
  );
  if (shell) {
    return (
      <AppShell team={team} teams={shell.teams} user={shell.user} role={shell.role}>
        {room}
      </AppShell>
    );
  }
  return (
    <div className="app-shell">
      <header className="topbar">
        <span className="brand">
          <span aria-hidden="true">🂠</span> Token Poker
        </span>
        <span className="topbar-end muted">Guest{view.me.name ? `: ${view.me.name}` : ""}</span>
      </header>
      <main className="page">{room}</main>
    </div>
  );
}
