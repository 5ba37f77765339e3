// A poker room. Not nested in the team layout: guests (admitted by display name to this one
// session) may see it, and the team layout is for members only. Members get the app shell here.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  useLoaderData,
  type ClientActionFunctionArgs,
  type ClientLoaderFunctionArgs,
  type ShouldRevalidateFunctionArgs,
} from "@remix-run/react";
import { PokerRoom } from "~/components/poker/room";
import { AppShell } from "~/components/team/app-shell";
import { roomViewFor } from "~/domain/poker";
import { roleAtLeast } from "~/domain/roles";
import {
  addStories,
  castVote,
  endSession,
  finalizeItem,
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
  type Mutation,
} from "~/models/poker.server";
import { createInvite } from "~/models/team.server";
import { formatDay } from "~/domain/dates";
import { pushFinalizedItem } from "~/models/tracker-connection.server";
import { parseForm } from "~/utils/forms";
import { invalid } from "~/utils/http.server";
import { parseSessionId, requirePokerAccess } from "~/server/poker-access.server";
import { switcherTeams } from "~/server/auth.server";
import { announceRoomChange } from "~/server/poker-live.server";
import { renderSVG } from "uqr";
import { shareLinkProblem, shareOrigin } from "~/domain/share-links";
import { getServices } from "~/utils/database-and-secrets.server";
import { GuestShell } from "./guest-shell";
import { cardsFrom, GUEST_INTENTS, RoomIntentSchema } from "./intents";
import { participantIdOf } from "./queries.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.view.room.session.name ?? "Poker"} · Token Poker` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const sessionId = parseSessionId(params.id);
  const access = await requirePokerAccess(request, params.team, sessionId, "observer");
  const { db, team, viewer, user, role, memberships } = access;
  const state = await loadRoomState(db, { teamId: team.id, sessionId });
  if (!state) throw new Response("Not found", { status: 404 });
  const view = roomViewFor(state, viewer);
  const origin = shareOrigin(request.url, (await getServices()).env.APP_ORIGIN);
  const path = `/t/${team.slug}/poker/${sessionId}`;
  const member = viewer.kind === "member" && role !== null && user !== null;
  const guestUrl =
    member && roleAtLeast(role, "member") && state.session.guestKey
      ? `${origin}/poker/join/${state.session.guestKey}`
      : null;
  return {
    team: { slug: team.slug, name: team.name },
    view,
    streamUrl: `${path}/events`,
    shareUrl: `${origin}${path}`,
    // The guest link admits voters: shown to those who may change things, never in the shared view.
    guestUrl,
    canInvite: member && roleAtLeast(role, "manager") && state.session.status === "open",
    linkProblem: member ? shareLinkProblem(origin) : null,
    // For people in the same room: the guest link when guests may come, else the members' link.
    qrSvg: member && state.session.status === "open" ? renderSVG(guestUrl ?? `${origin}${path}`, { border: 2 }) : null,
    addable: view.me.isFacilitator ? await listAddableStories(db, { teamId: team.id, sessionId }) : [],
    shell:
      member && memberships
        ? { user: { id: user.id, name: user.name }, role, teams: switcherTeams(memberships) }
        : null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const sessionId = parseSessionId(params.id);
  const { db, team, viewer, user, role } = await requirePokerAccess(request, params.team, sessionId, "member");
  const form = parseForm(await request.formData(), RoomIntentSchema);
  if (!form.ok) return invalid(form.errors, form.values);
  const input = form.data;
  if (viewer.kind === "guest" && !GUEST_INTENTS.has(input.intent))
    throw new Response("Guests can vote, nothing else.", { status: 403 });
  if (input.intent === "invite-member") {
    // Same rule as the members page: managers and owners make invites. Not a room change (no seq).
    if (!user || !role || !roleAtLeast(role, "manager"))
      throw new Response("Only managers and owners can invite people to the team.", { status: 403 });
    const { token, expiresAt } = await createInvite(db, { teamId: team.id, role: "member", createdBy: user.id });
    const origin = shareOrigin(request.url, (await getServices()).env.APP_ORIGIN);
    const room = `/t/${team.slug}/poker/${sessionId}`;
    return data({
      ok: true as const,
      seq: null,
      errors: {} as Record<string, string>,
      invite: { url: `${origin}/invite/${token}?to=${encodeURIComponent(room)}`, expires: formatDay(expiresAt) },
    });
  }
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
        change = await castVote(db, {
          ...base,
          participantId,
          roundId: input.roundId,
          cards: cardsFrom(input),
          clientTs: input.ts,
        });
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
        change = await moveItem(db, {
          ...member(),
          itemId: input.itemId,
          beforeId: input.beforeId,
          afterId: input.afterId,
        });
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
      void pushFinalizedItem(db, { teamId: team.id, itemId: input.itemId, secret: sessionSecret }).catch(
        (error: Error) => console.error("[trackers] push after finalize failed:", error.message),
      );
    }
    return data({ ok: true as const, seq: change.seq, errors: {} as Record<string, string> });
  } catch (error) {
    if (error instanceof PokerError) {
      return data(
        { ok: false as const, seq: null, errors: { form: error.message } as Record<string, string> },
        { status: error.status },
      );
    }
    throw error;
  }
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
      errors: {
        form: "The connection dropped, so that was not saved. It is sent again when the connection is back.",
      } as Record<string, string>,
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
  const { view, team, shell, streamUrl, shareUrl, guestUrl, addable, linkProblem, qrSvg, canInvite } = loaded;
  const room = (
    <PokerRoom
      view={view}
      streamUrl={streamUrl}
      shareUrl={shareUrl}
      guestUrl={guestUrl}
      canInvite={canInvite}
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
  return <GuestShell name={view.me.name}>{room}</GuestShell>;
}
