// The poker room's form intents: one discriminated union, what a guest may do, and a vote's cards.
import { z } from "zod";
import { Checkbox, Id, LineText, OptionalId, listOf } from "~/domain/form-fields";
import type { CardInput } from "~/models/poker.server";

const Card = LineText.max(80).optional();

export const RoomIntentSchema = z.discriminatedUnion("intent", [
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
    timerSeconds: z.preprocess(
      (v) => (v === "" || v === undefined ? null : v),
      z.coerce.number().int().min(10).max(3600).nullable(),
    ),
  }),
  z.object({ intent: z.literal("guest-link"), enabled: z.enum(["on", "off"]) }),
  // A manager makes an invite for someone new to the team that lands them in this room.
  z.object({ intent: z.literal("invite-member") }),
]);
export type RoomIntent = z.infer<typeof RoomIntentSchema>;

/** What a guest may do: vote. Everything else needs a team member. */
export const GUEST_INTENTS = new Set<RoomIntent["intent"]>(["vote"]);

export function cardsFrom(input: Extract<RoomIntent, { intent: "vote" }>): CardInput {
  const cards: CardInput = {};
  for (const d of ["intensity", "autonomy", "risk"] as const) {
    const value = input[d];
    if (value !== undefined) cards[d] = value === "" ? null : value;
  }
  // An unticked checkbox sends nothing: `splitShown` says the form had one.
  if (input.split !== undefined || input.splitShown) cards.split = input.split === "split";
  return cards;
}
