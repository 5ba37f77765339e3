// A team's data as one JSON document, to move the team to another install (or clone it into a new
// team) and back without loss. The document never holds database ids: rows point at each other by
// document-local `ref`s (1, 2, 3… in the order the rows were created), people by e-mail, scheme
// versions by number. That makes an export of an imported team equal to the export it came from,
// and lets the importer remap every reference in one pass.
//
// Left out on purpose — secrets and things that only make sense in the install that made them:
// password hashes, sessions, invites and reset links, API tokens (an import keeps its log row but
// not which token sent it), the burn-alert webhook URL (it is a credential for the channel), poker
// guest links and guests' tokens (an imported session with guests gets a new link), tracker
// connections (their tokens are credentials), and calibration suggestions (recomputed from the
// estimates and spend, so an import gets them back the next time they are computed).
//
// Nothing of an organisation comes along (issue 17, docs/team-export.md): the link to it, its month
// pools and allocations, the exceptions the team asked for and the organisation's report rows placed
// on the team are the organisation's records about the team, and the organisation does not exist on
// the install the file goes to. Spend the organisation's report placed on the team is in the team's
// spend entries, so it does come along as the team's own spend.
//
// Fields added after version 1 was first written (tracker-closed stories, 1-hour cache writes, fast
// mode, usage rank and product on spend entries, the guard's fail-closed choice, budget extensions,
// OpenTelemetry sessions) have defaults: an older version-1 document without them still imports.
//
// An import is checked twice: this schema (types, sizes, every reference resolves, the values the
// pages compute with are ones they understand) and then the database's own constraints inside the
// import's transaction; either refusal leaves nothing behind.

import { z } from "zod";
import { IsoDay, MAX_CREDITS, MAX_IMPORT_TOTAL } from "~/domain/form-fields";
import { keyPatternProblem } from "~/domain/key-pattern";
import { CAUSE_TAGS, REVIEW_BURDENS } from "~/domain/outcome";
import { UNSURE, validateScheme } from "~/domain/sizing";
import type { SizingScheme } from "~/domain/sizing-scheme";

export const TEAM_EXPORT_FORMAT = "token-poker-team-export";
export const TEAM_EXPORT_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Field types
// ---------------------------------------------------------------------------------------------

/**
 * PostgreSQL text cannot hold NUL; a document with one is refused here, not by a 500. Only NUL: an
 * export must import again whatever older versions stored.
 */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes("\u0000"), "contains a NUL character");
const name = (max: number) => text(max).refine((v) => v.trim() !== "", "is empty");
const timestamp = z.iso.datetime({ offset: true });
/** The app's one day rule (form-fields.ts): a sprint in year 9999 would break the date arithmetic. */
const day = IsoDay;
/** Any figure: finite and within the sums the app keeps (an import's ceiling), so no page sums to Infinity. */
const num = z
  .number()
  .refine(Number.isFinite, "is not a finite number")
  .refine((v) => Math.abs(v) <= MAX_IMPORT_TOTAL, "is too large");
/** One spend entry's amount: the per-entry ceiling every import keeps (and the database checks). */
const amount = num.refine((v) => Math.abs(v) <= MAX_CREDITS, "is over the limit for one entry");
const nonNegative = num.refine((v) => v >= 0, "is negative");
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ref = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A person by e-mail (users are matched by it on import); null = nobody or unknown. */
const email = text(320).refine((v) => v.includes("@"), "is not an e-mail address");
const person = email.nullable();
const httpLink = text(2000).refine((v) => {
  try {
    return ["http:", "https:"].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, "is not an http(s) link");

const ROLES = ["owner", "manager", "member", "observer"] as const;
const CAUSE_IDS = CAUSE_TAGS.map((t) => t.id) as [string, ...string[]];
const BURDEN_IDS = REVIEW_BURDENS.map((b) => b.id) as [string, ...string[]];
const SPEND_SOURCES = [
  "copilot-usage",
  "copilot-premium",
  "claude-jsonl",
  "ccusage",
  "litellm",
  "generic-csv",
  "api",
  "manual",
  "otlp",
] as const;
const POOL_PLANS = ["copilot-business", "copilot-enterprise", "custom"] as const;
const COMMIT_BASES = ["expected", "p80"] as const;
const POLICIES = ["warn", "approval", "hard-stop"] as const;

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

const LevelSchema = z.object({ id: name(40), label: text(100), description: text(500) });

export const SizingSchemeSchema = z
  .object({
    intensity: z.array(LevelSchema).min(1).max(20),
    autonomy: z.array(LevelSchema).min(1).max(20),
    risk: z.array(LevelSchema).min(1).max(20),
    base: z.array(z.array(num).max(20)).max(20),
    p80Multiplier: z.array(num).max(20),
    bands: z
      .array(z.object({ label: text(40), low: num, high: num.nullable() }))
      .min(1)
      .max(20),
  })
  .superRefine((scheme, ctx) => {
    for (const e of validateScheme(scheme)) ctx.addIssue({ code: "custom", message: `${e.path}: ${e.message}` });
  });

const TeamSchema = z.object({
  name: name(200),
  /** Informational: the importing team keeps its own slug and name. */
  slug: text(100),
  timeZone: text(100).refine(isTimeZone, "is not a time zone"),
  keyPattern: text(100).superRefine((pattern, ctx) => {
    const problem = keyPatternProblem(pattern);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  creditValueUsd: num.refine((v) => v > 0, "must be above 0"),
  /** What the budget guard answers when it cannot decide: stop (true) or continue. */
  guardFailClosed: z.boolean().default(false),
  createdAt: timestamp,
});

const PersonSchema = z.object({
  email,
  name: text(200),
  /** The role in the exported team; null for someone who left but is still named in its records. */
  role: z.enum(ROLES).nullable(),
});

const SchemeVersionSchema = z.object({
  version: z.number().int().positive().max(1_000_000),
  scheme: SizingSchemeSchema,
  contentHash: text(128),
  note: text(2000).nullable(),
  createdBy: person,
  createdAt: timestamp,
});

const RateSchema = z.object({
  modelId: name(200),
  provider: text(200).nullable(),
  tier: text(100).nullable(),
  aliases: z.array(text(200)).max(100),
  inputUsdPerMtok: nonNegative,
  cacheReadUsdPerMtok: num.nullable(),
  cacheWriteUsdPerMtok: num.nullable(),
  cacheWrite1hUsdPerMtok: nonNegative.nullable().default(null),
  outputUsdPerMtok: nonNegative,
  effectiveFrom: day.nullable(),
  createdAt: timestamp,
});

const StorySchema = z.object({
  ref,
  key: name(100).nullable(),
  title: name(300),
  link: httpLink.nullable(),
  labels: z.array(text(100)).max(100),
  description: text(20_000),
  status: z.enum(["backlog", "estimated", "committed", "done"]),
  rank: name(200),
  /** The story's current estimate (one of its `estimates`). */
  estimateRef: ref.nullable(),
  /** The tracker it came from has closed it. */
  trackerClosed: z.boolean().default(false),
  archivedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const cardValue = text(40).nullable();
/** A poker round as an estimate keeps it (app/domain/poker.ts roundHistory); shown, never computed on. */
const RoundHistorySchema = z.object({
  number: count,
  revealedAt: timestamp.nullable(),
  votes: z
    .array(
      z.object({ voter: text(200), split: z.boolean(), intensity: cardValue, autonomy: cardValue, risk: cardValue }),
    )
    .max(500),
  suggestion: z.union([
    z.object({ split: z.literal(true) }),
    z.object({
      split: z.literal(false),
      intensity: cardValue,
      autonomy: cardValue,
      risk: cardValue,
      estimate: z.object({ expected: num.nullable(), p80: num.nullable(), size: text(40).nullable() }),
    }),
  ]),
  agreement: z.record(text(40), z.enum(["unanimous", "close", "wide"]).nullable()),
});

const EstimateSchema = z.object({
  ref,
  storyRef: ref,
  schemeVersion: z.number().int().positive(),
  intensity: name(40),
  autonomy: name(40),
  risk: name(40),
  size: text(40),
  expectedCredits: num,
  p80Credits: num,
  bandLow: num,
  bandHigh: num.nullable(),
  source: z.enum(["solo", "session"]),
  pokerSessionRef: ref.nullable(),
  rounds: z.array(RoundHistorySchema).max(100),
  createdBy: person,
  createdAt: timestamp,
});

const StoryOutcomeSchema = z.object({
  storyRef: ref,
  bought: name(2000),
  reviewBurden: z.enum(BURDEN_IDS),
  causeTags: z.array(z.enum(CAUSE_IDS)).max(CAUSE_IDS.length),
  note: text(2000),
  recordedBy: person,
  createdAt: timestamp,
  updatedAt: timestamp,
});

const VoteSchema = z.object({
  participantRef: ref,
  dimension: z.enum(["intensity", "autonomy", "risk", "split"]),
  value: cardValue,
  clientTs: count,
  updatedAt: timestamp,
});

const PokerRoundSchema = z.object({
  number: z.number().int().positive().max(10_000),
  status: z.enum(["voting", "revealed"]),
  timerEndsAt: timestamp.nullable(),
  startedAt: timestamp,
  revealedAt: timestamp.nullable(),
  /** A revealed round's votes. A round still voting exports none: no output shows a hidden vote. */
  votes: z.array(VoteSchema).max(10_000),
  /**
   * Who had voted in a round still voting (not what): the document keeps that the round was under
   * way. An import brings the round back open with no votes in it, so those people vote again.
   */
  voters: z.array(ref).max(1_000).optional(),
});

const PokerItemSchema = z.object({
  ref,
  storyRef: ref,
  rank: name(200),
  status: z.enum(["pending", "finalized", "skipped"]),
  roundNumber: z.number().int().positive().max(10_000),
  split: z.boolean(),
  estimateRef: ref.nullable(),
  createdAt: timestamp,
  rounds: z.array(PokerRoundSchema).max(1_000),
});

const ParticipantSchema = z.object({
  ref,
  /** A member; null for a guest (who joined by link with a display name). */
  person,
  displayName: name(60),
  role: z.enum(["voter", "observer"]),
  lastSeenAt: timestamp,
  leftAt: timestamp.nullable(),
  createdAt: timestamp,
});

const PokerSessionSchema = z.object({
  ref,
  name: name(120),
  status: z.enum(["open", "ended"]),
  autoReveal: z.boolean(),
  timerSeconds: z.number().int().min(10).max(3600).nullable(),
  allowAhead: z.boolean(),
  /** Whether guests could join by link; the link itself is not exported (an import makes a new one). */
  guestLink: z.boolean(),
  schemeVersion: z.number().int().positive(),
  facilitator: person,
  currentItemRef: ref.nullable(),
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  createdBy: person,
  createdAt: timestamp,
  endedAt: timestamp.nullable(),
  participants: z.array(ParticipantSchema).max(1_000),
  items: z.array(PokerItemSchema).max(10_000),
});

/** A closed sprint's frozen snapshot (app/domain/sprint.ts SprintSnapshot), ids turned into refs. */
const SnapshotSchema = z.object({
  version: z.literal(1),
  closedAt: timestamp,
  /** The snapshot's own sprint is the one it belongs to, so its id is not repeated here. */
  sprint: z.object({
    name: text(120),
    goal: text(2000),
    start: day,
    end: day,
    workingDays: count,
    timeZone: text(100),
  }),
  capacity: z.object({
    kind: z.enum(["credits", "pool"]),
    credits: num,
    pool: z
      .object({ plan: z.enum(POOL_PLANS), seats: count, perSeat: num, explanation: z.array(text(500)).max(50) })
      .nullable(),
    reservePercent: num,
    available: num,
    basis: z.enum(COMMIT_BASES),
    policy: z.enum(POLICIES),
  }),
  committed: z.object({ expected: num, p80: num, estimatedCount: count, unestimatedCount: count }),
  actualAtClose: num,
  /** `person` is null for someone the importing install does not know; the name stays. */
  allocations: z.array(z.object({ person, name: text(200), credits: num })).max(1_000),
  destination: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("backlog") }),
    z.object({ kind: z.literal("sprint"), sprintRef: ref }),
  ]),
  stories: z
    .array(
      z.object({
        /** null: the story no longer exists (the snapshot still names it). */
        storyRef: ref.nullable(),
        key: text(100).nullable(),
        title: text(300),
        status: text(20),
        outcome: z.enum(["done", "carried", "returned"]),
        levels: z.object({ intensity: name(40), autonomy: name(40), risk: name(40) }).nullable(),
        size: text(40).nullable(),
        expected: num.nullable(),
        p80: num.nullable(),
        bandLow: num.nullable(),
        bandHigh: num.nullable(),
        schemeVersion: z.number().int().positive().nullable(),
      }),
    )
    .max(10_000),
});

const SprintSchema = z
  .object({
    ref,
    name: name(120),
    goal: text(2000),
    startDate: day,
    endDate: day,
    capacityKind: z.enum(["credits", "pool"]),
    capacityCredits: nonNegative.nullable(),
    poolPlan: z.enum(POOL_PLANS).nullable(),
    poolSeats: count.nullable(),
    poolPerSeat: nonNegative.nullable(),
    reservePercent: num.refine((v) => v >= 0 && v <= 100, "must be between 0 and 100"),
    commitBasis: z.enum(COMMIT_BASES),
    exhaustionPolicy: z.enum(POLICIES),
    closedAt: timestamp.nullable(),
    closedBy: person,
    snapshot: SnapshotSchema.nullable(),
    createdBy: person,
    createdAt: timestamp,
    updatedAt: timestamp,
    stories: z
      .array(
        z.object({
          storyRef: ref,
          committedBy: person,
          committedAt: timestamp,
          outcome: z.enum(["done", "carried", "returned"]).nullable(),
        }),
      )
      .max(10_000),
    allocations: z.array(z.object({ person: email, credits: nonNegative })).max(1_000),
    commitRequests: z
      .array(
        z.object({
          storyRef: ref,
          status: z.enum(["pending", "approved", "declined"]),
          reason: name(1000),
          loadCredits: num.nullable(),
          committedBefore: num,
          availableCredits: num,
          overBy: num.nullable(),
          requestedBy: person,
          requestedAt: timestamp,
          decidedBy: person,
          decidedAt: timestamp.nullable(),
          decisionNote: text(2000),
        }),
      )
      .max(10_000),
    events: z
      .array(
        z.object({
          storyRef: ref.nullable(),
          actor: person,
          kind: name(50),
          message: text(2000),
          createdAt: timestamp,
        }),
      )
      .max(100_000),
    alerts: z
      .array(
        z.object({
          threshold: z.union([z.literal(75), z.literal(90), z.literal(100)]),
          spentCredits: num,
          availableCredits: num,
          crossedAt: timestamp,
          webhookAttempts: count,
          webhookSentAt: timestamp.nullable(),
          webhookError: text(2000).nullable(),
        }),
      )
      .max(3),
  })
  .superRefine((s, ctx) => {
    // The database's own checks, said in words.
    if (s.endDate < s.startDate)
      ctx.addIssue({ code: "custom", path: ["endDate"], message: "is before the start date" });
    const capacityOk =
      s.capacityKind === "credits"
        ? s.capacityCredits !== null
        : s.poolPlan !== null && s.poolSeats !== null && (s.poolPlan !== "custom" || s.poolPerSeat !== null);
    if (!capacityOk)
      ctx.addIssue({ code: "custom", path: ["capacityKind"], message: "the capacity's inputs are missing" });
  });

const SpendImportSchema = z.object({
  ref,
  /** Who imported it (null: the API, the command line, or someone unknown). */
  importedBy: person,
  via: z.enum(["upload", "cli", "api", "seed", "otlp"]),
  fileName: text(1000),
  format: text(50).nullable(),
  status: z.enum(["running", "imported", "rejected", "failed"]),
  skipInvalid: z.boolean(),
  rows: count,
  imported: count,
  updated: count,
  duplicates: count,
  overlapping: count,
  rejected: count,
  unattributed: count,
  unpriced: count,
  credits: num,
  byStoryKey: z.record(text(200), num),
  unpricedModels: z.array(text(200)).max(1_000),
  errors: z.array(z.object({ line: count, reason: text(2000) })).max(1_000),
  warnings: z.array(text(2000)).max(1_000),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  undoneAt: timestamp.nullable(),
  undoneBy: person,
});

const SpendEntrySchema = z.object({
  importRef: ref.nullable(),
  source: z.enum(SPEND_SOURCES),
  occurredAt: timestamp,
  day,
  model: text(200).nullable(),
  modelId: text(200).nullable(),
  inputTokens: count,
  cacheReadTokens: count,
  cacheWriteTokens: count,
  /** Part of cacheWriteTokens written with a 1-hour TTL. */
  cacheWrite1hTokens: count.default(0),
  outputTokens: count,
  fast: z.boolean().default(false),
  /** The billing product when it is not the source's own (Copilot spark rows). */
  product: text(200).nullable().default(null),
  /** How complete a streamed line was (a non-negative integer, beyond 2^64: kept as a string). */
  usageRank: z
    .string()
    .regex(/^[0-9]{1,60}$/, "is not a whole number")
    .nullable()
    .default(null),
  costUsd: amount.nullable(),
  credits: amount.nullable(),
  pricedBy: z.enum(["source", "rate-card"]).nullable(),
  poolCredits: amount.nullable(),
  paidCredits: amount.nullable(),
  externalUser: text(320).nullable(),
  sessionId: text(500).nullable(),
  repository: text(500).nullable(),
  storyKey: text(200).nullable(),
  /** A person's assignment to a story (the inbox); a key in the data is read from `storyKey`. */
  storyRef: ref.nullable(),
  aggregated: z.boolean(),
  dedupeKey: name(2000),
  note: text(2000).nullable(),
  createdBy: person,
  createdAt: timestamp,
  updatedAt: timestamp,
});

const SpendIdentitySchema = z.object({
  identity: name(320).refine((v) => v === v.trim().toLowerCase(), "must be lower case without surrounding spaces"),
  person: email,
  createdBy: person,
  createdAt: timestamp,
});

const SpendSessionStorySchema = z.object({
  sessionId: name(500),
  storyRef: ref,
  createdBy: person,
  createdAt: timestamp,
});

/** Credits a manager added to a story's budget, with the reason the retro shows. */
const BudgetExtensionSchema = z.object({
  storyRef: ref,
  sprintRef: ref.nullable(),
  credits: num.refine((v) => v > 0 && v <= 1_000_000_000, "must be above 0 and at most 1,000,000,000"),
  reason: text(500).refine((v) => v.length > 0, "is empty"),
  createdBy: person,
  createdAt: timestamp,
});

/** Which signal an OpenTelemetry session's spend came from (per-call events win over metrics). */
const OtlpSessionSchema = z.object({
  sessionId: name(500),
  signal: z.enum(["events", "metrics"]),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const TeamExportBaseSchema = z.object({
  format: z.literal(TEAM_EXPORT_FORMAT),
  version: z.literal(TEAM_EXPORT_VERSION),
  exportedAt: timestamp,
  team: TeamSchema,
  people: z.array(PersonSchema).max(10_000),
  sizingSchemes: z.array(SchemeVersionSchema).min(1).max(10_000),
  rates: z.array(RateSchema).max(10_000),
  stories: z.array(StorySchema).max(200_000),
  estimates: z.array(EstimateSchema).max(1_000_000),
  storyOutcomes: z.array(StoryOutcomeSchema).max(200_000),
  pokerSessions: z.array(PokerSessionSchema).max(10_000),
  sprints: z.array(SprintSchema).max(10_000),
  spendImports: z.array(SpendImportSchema).max(100_000),
  spendEntries: z.array(SpendEntrySchema).max(5_000_000),
  spendIdentities: z.array(SpendIdentitySchema).max(100_000),
  spendSessionStories: z.array(SpendSessionStorySchema).max(1_000_000),
  budgetExtensions: z.array(BudgetExtensionSchema).max(1_000_000).default([]),
  otlpSessions: z.array(OtlpSessionSchema).max(1_000_000).default([]),
});

export const TeamExportSchema = TeamExportBaseSchema.superRefine((doc, ctx) => {
  for (const problem of crossCheck(doc)) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
});

export type TeamExport = z.infer<typeof TeamExportBaseSchema>;
/** A document as written, before defaults: an older version-1 document lacks the later fields. */
export type TeamExportInput = z.input<typeof TeamExportBaseSchema>;
export type TeamExportPerson = TeamExport["people"][number];
export type TeamExportSnapshot = z.infer<typeof SnapshotSchema>;

// ---------------------------------------------------------------------------------------------
// References: every ref, person and scheme version points at something in the document
// ---------------------------------------------------------------------------------------------

interface Problem {
  path: (string | number)[];
  message: string;
}

/** The document's internal consistency, checked before anything is written. At most 50 problems. */
export function crossCheck(doc: TeamExport): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Problem["path"], message: string) => {
    if (problems.length < 50) problems.push({ path, message });
  };
  const uniqueRefs = <T>(
    list: readonly T[],
    key: (x: T) => string | number,
    at: (i: number) => Problem["path"],
    what: string,
  ) => {
    const seen = new Set<string | number>();
    list.forEach((x, i) => {
      const k = key(x);
      if (seen.has(k)) add(at(i), `repeats ${what} ${JSON.stringify(k)}`);
      seen.add(k);
    });
    return seen;
  };

  const people = uniqueRefs(
    doc.people,
    (p) => p.email.toLowerCase(),
    (i) => ["people", i, "email"],
    "the e-mail",
  );
  const checkPerson = (value: string | null, path: Problem["path"]) => {
    if (value !== null && !people.has(value.toLowerCase()))
      add(path, `names ${JSON.stringify(value)}, who is not in people`);
  };

  const schemes = new Map<number, SizingScheme>();
  doc.sizingSchemes.forEach((s, i) => {
    if (schemes.has(s.version)) add(["sizingSchemes", i, "version"], `repeats version ${s.version}`);
    schemes.set(s.version, s.scheme);
    checkPerson(s.createdBy, ["sizingSchemes", i, "createdBy"]);
  });
  const checkLevels = (
    version: number,
    levels: { intensity: string; autonomy: string; risk: string },
    path: Problem["path"],
  ) => {
    const scheme = schemes.get(version);
    if (!scheme) return add(path, `uses sizing scheme version ${version}, which is not in sizingSchemes`);
    for (const d of ["intensity", "autonomy", "risk"] as const) {
      if (!scheme[d].some((l) => l.id === levels[d]))
        add([...path, d], `"${levels[d]}" is not a ${d} level of scheme version ${version}`);
    }
  };

  uniqueRefs(
    doc.rates,
    (r) => `${r.modelId} from ${r.effectiveFrom ?? "the start"}`,
    (i) => ["rates", i],
    "the rate of",
  );

  const storyRefs = uniqueRefs(
    doc.stories,
    (s) => s.ref,
    (i) => ["stories", i, "ref"],
    "story ref",
  );
  uniqueRefs(
    doc.stories,
    (s) => s.rank,
    (i) => ["stories", i, "rank"],
    "the rank",
  );
  uniqueRefs(
    doc.stories.filter((s) => s.key !== null),
    (s) => s.key!,
    () => ["stories"],
    "the story key",
  );
  const checkStory = (value: number | null, path: Problem["path"]) => {
    if (value !== null && !storyRefs.has(value)) add(path, `points at story ${value}, which is not in stories`);
  };

  const estimateStory = new Map<number, number>();
  doc.estimates.forEach((e, i) => {
    if (estimateStory.has(e.ref)) add(["estimates", i, "ref"], `repeats estimate ref ${e.ref}`);
    estimateStory.set(e.ref, e.storyRef);
    checkStory(e.storyRef, ["estimates", i, "storyRef"]);
    checkLevels(e.schemeVersion, e, ["estimates", i]);
    checkPerson(e.createdBy, ["estimates", i, "createdBy"]);
  });
  doc.stories.forEach((s, i) => {
    if (s.estimateRef !== null && estimateStory.get(s.estimateRef) !== s.ref) {
      add(
        ["stories", i, "estimateRef"],
        `points at estimate ${s.estimateRef}, which is not one of this story's estimates`,
      );
    }
  });

  uniqueRefs(
    doc.storyOutcomes,
    (o) => o.storyRef,
    (i) => ["storyOutcomes", i, "storyRef"],
    "the outcome of story",
  );
  doc.storyOutcomes.forEach((o, i) => {
    checkStory(o.storyRef, ["storyOutcomes", i, "storyRef"]);
    checkPerson(o.recordedBy, ["storyOutcomes", i, "recordedBy"]);
  });

  // Poker: items, rounds, participants and votes belong to their session.
  const sessionRefs = uniqueRefs(
    doc.pokerSessions,
    (s) => s.ref,
    (i) => ["pokerSessions", i, "ref"],
    "poker session ref",
  );
  const itemRefs = new Set<number>();
  const participantRefs = new Set<number>();
  doc.pokerSessions.forEach((session, si) => {
    const at = (...rest: (string | number)[]) => ["pokerSessions", si, ...rest];
    const scheme = schemes.get(session.schemeVersion);
    if (!scheme)
      add(at("schemeVersion"), `uses sizing scheme version ${session.schemeVersion}, which is not in sizingSchemes`);
    checkPerson(session.facilitator, at("facilitator"));
    checkPerson(session.createdBy, at("createdBy"));
    const own = new Set<number>();
    const members = new Set<string>();
    session.participants.forEach((p, pi) => {
      if (participantRefs.has(p.ref)) add(at("participants", pi, "ref"), `repeats participant ref ${p.ref}`);
      participantRefs.add(p.ref);
      own.add(p.ref);
      checkPerson(p.person, at("participants", pi, "person"));
      if (p.person !== null) {
        if (members.has(p.person.toLowerCase())) add(at("participants", pi, "person"), `${p.person} takes part twice`);
        members.add(p.person.toLowerCase());
      }
    });
    const ownItems = new Set<number>();
    const storiesInQueue = new Set<number>();
    const ranks = new Set<string>();
    session.items.forEach((item, ii) => {
      if (itemRefs.has(item.ref)) add(at("items", ii, "ref"), `repeats poker item ref ${item.ref}`);
      itemRefs.add(item.ref);
      ownItems.add(item.ref);
      checkStory(item.storyRef, at("items", ii, "storyRef"));
      if (storiesInQueue.has(item.storyRef)) add(at("items", ii, "storyRef"), `story ${item.storyRef} is queued twice`);
      storiesInQueue.add(item.storyRef);
      if (ranks.has(item.rank)) add(at("items", ii, "rank"), `repeats the rank ${JSON.stringify(item.rank)}`);
      ranks.add(item.rank);
      if (item.estimateRef !== null && !estimateStory.has(item.estimateRef)) {
        add(at("items", ii, "estimateRef"), `points at estimate ${item.estimateRef}, which is not in estimates`);
      }
      const numbers = new Set<number>();
      item.rounds.forEach((round, ri) => {
        if (numbers.has(round.number)) add(at("items", ii, "rounds", ri, "number"), `repeats round ${round.number}`);
        numbers.add(round.number);
        const cast = new Set<string>();
        round.votes.forEach((v, vi) => {
          const vat = at("items", ii, "rounds", ri, "votes", vi);
          if (!own.has(v.participantRef))
            add([...vat, "participantRef"], `points at participant ${v.participantRef}, who is not in this session`);
          const key = `${v.participantRef}/${v.dimension}`;
          if (cast.has(key)) add(vat, `repeats participant ${v.participantRef}'s ${v.dimension} card`);
          cast.add(key);
          // The room summarises votes with the session's scheme: an unknown card would break it.
          if (v.value === null) return;
          const ok =
            v.dimension === "split"
              ? v.value === "split"
              : v.value === UNSURE || !scheme || scheme[v.dimension].some((l) => l.id === v.value);
          if (!ok)
            add(
              [...vat, "value"],
              `"${v.value}" is not a ${v.dimension} card of scheme version ${session.schemeVersion}`,
            );
        });
      });
    });
    if (session.currentItemRef !== null && !ownItems.has(session.currentItemRef)) {
      add(at("currentItemRef"), `points at item ${session.currentItemRef}, which is not in this session`);
    }
  });
  doc.estimates.forEach((e, i) => {
    if (e.pokerSessionRef !== null && !sessionRefs.has(e.pokerSessionRef)) {
      add(
        ["estimates", i, "pokerSessionRef"],
        `points at poker session ${e.pokerSessionRef}, which is not in pokerSessions`,
      );
    }
  });

  // Sprints: a story is open (no outcome yet) in one sprint at most.
  const sprintRefs = uniqueRefs(
    doc.sprints,
    (s) => s.ref,
    (i) => ["sprints", i, "ref"],
    "sprint ref",
  );
  const openIn = new Map<number, number>();
  doc.sprints.forEach((sprint, si) => {
    const at = (...rest: (string | number)[]) => ["sprints", si, ...rest];
    checkPerson(sprint.closedBy, at("closedBy"));
    checkPerson(sprint.createdBy, at("createdBy"));
    const committed = new Set<number>();
    sprint.stories.forEach((c, ci) => {
      checkStory(c.storyRef, at("stories", ci, "storyRef"));
      checkPerson(c.committedBy, at("stories", ci, "committedBy"));
      if (committed.has(c.storyRef)) add(at("stories", ci, "storyRef"), `story ${c.storyRef} is committed twice`);
      committed.add(c.storyRef);
      if (c.outcome === null) {
        if (openIn.has(c.storyRef)) add(at("stories", ci), `story ${c.storyRef} is open in two sprints`);
        openIn.set(c.storyRef, sprint.ref);
      }
    });
    const allocated = new Set<string>();
    sprint.allocations.forEach((a, ai) => {
      checkPerson(a.person, at("allocations", ai, "person"));
      if (allocated.has(a.person.toLowerCase()))
        add(at("allocations", ai, "person"), `${a.person} has two allocations`);
      allocated.add(a.person.toLowerCase());
    });
    const pending = new Set<number>();
    sprint.commitRequests.forEach((r, ri) => {
      checkStory(r.storyRef, at("commitRequests", ri, "storyRef"));
      checkPerson(r.requestedBy, at("commitRequests", ri, "requestedBy"));
      checkPerson(r.decidedBy, at("commitRequests", ri, "decidedBy"));
      if (r.status === "pending") {
        if (pending.has(r.storyRef)) add(at("commitRequests", ri), `story ${r.storyRef} has two pending requests`);
        pending.add(r.storyRef);
      }
    });
    sprint.events.forEach((e, ei) => {
      checkStory(e.storyRef, at("events", ei, "storyRef"));
      checkPerson(e.actor, at("events", ei, "actor"));
    });
    uniqueRefs(
      sprint.alerts,
      (a) => a.threshold,
      (i) => at("alerts", i, "threshold"),
      "the alert threshold",
    );
    const snap = sprint.snapshot;
    if (snap) {
      snap.allocations.forEach((a, ai) => checkPerson(a.person, at("snapshot", "allocations", ai, "person")));
      if (snap.destination.kind === "sprint" && !sprintRefs.has(snap.destination.sprintRef)) {
        add(at("snapshot", "destination"), `points at sprint ${snap.destination.sprintRef}, which is not in sprints`);
      }
      snap.stories.forEach((s, i) => {
        checkStory(s.storyRef, at("snapshot", "stories", i, "storyRef"));
        if (s.levels && s.schemeVersion !== null)
          checkLevels(s.schemeVersion, s.levels, at("snapshot", "stories", i, "levels"));
      });
    }
  });
  const importRefs = uniqueRefs(
    doc.spendImports,
    (x) => x.ref,
    (i) => ["spendImports", i, "ref"],
    "spend import ref",
  );
  doc.spendImports.forEach((x, i) => {
    checkPerson(x.importedBy, ["spendImports", i, "importedBy"]);
    checkPerson(x.undoneBy, ["spendImports", i, "undoneBy"]);
  });
  uniqueRefs(
    doc.spendEntries,
    (e) => e.dedupeKey,
    (i) => ["spendEntries", i, "dedupeKey"],
    "the dedupe key",
  );
  doc.spendEntries.forEach((e, i) => {
    if (e.importRef !== null && !importRefs.has(e.importRef))
      add(["spendEntries", i, "importRef"], `points at import ${e.importRef}, which is not in spendImports`);
    checkStory(e.storyRef, ["spendEntries", i, "storyRef"]);
    checkPerson(e.createdBy, ["spendEntries", i, "createdBy"]);
  });
  uniqueRefs(
    doc.spendIdentities,
    (x) => x.identity,
    (i) => ["spendIdentities", i, "identity"],
    "the identity",
  );
  doc.spendIdentities.forEach((x, i) => {
    checkPerson(x.person, ["spendIdentities", i, "person"]);
    checkPerson(x.createdBy, ["spendIdentities", i, "createdBy"]);
  });
  uniqueRefs(
    doc.spendSessionStories,
    (x) => x.sessionId,
    (i) => ["spendSessionStories", i, "sessionId"],
    "the session",
  );
  doc.spendSessionStories.forEach((x, i) => {
    checkStory(x.storyRef, ["spendSessionStories", i, "storyRef"]);
    checkPerson(x.createdBy, ["spendSessionStories", i, "createdBy"]);
  });
  doc.budgetExtensions.forEach((x, i) => {
    checkStory(x.storyRef, ["budgetExtensions", i, "storyRef"]);
    if (x.sprintRef !== null && !sprintRefs.has(x.sprintRef)) {
      add(["budgetExtensions", i, "sprintRef"], `points at sprint ${x.sprintRef}, which is not in sprints`);
    }
    checkPerson(x.createdBy, ["budgetExtensions", i, "createdBy"]);
  });
  uniqueRefs(
    doc.otlpSessions,
    (x) => x.sessionId,
    (i) => ["otlpSessions", i, "sessionId"],
    "the session",
  );
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Reading an uploaded document
// ---------------------------------------------------------------------------------------------

export type ReadResult = { ok: true; doc: TeamExport } | { ok: false; errors: string[] };

/**
 * Parses an export file's text: JSON, then the format and version (so an export from a newer
 * Token Poker gets a message that says so), then the whole schema. Errors name where, e.g.
 * `stories[3].title: is empty`; the first 20 are listed.
 */
export function readTeamExport(json: string): ReadResult {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, errors: [`The file is not JSON (${(error as Error).message}).`] };
  }
  const header = z.object({ format: z.string(), version: z.unknown() }).safeParse(value);
  if (!header.success || header.data.format !== TEAM_EXPORT_FORMAT) {
    return {
      ok: false,
      errors: [`This is not a Token Poker team export (its "format" is not "${TEAM_EXPORT_FORMAT}").`],
    };
  }
  if (header.data.version !== TEAM_EXPORT_VERSION) {
    return {
      ok: false,
      errors: [
        `This export is version ${JSON.stringify(header.data.version)}; this Token Poker reads version ${TEAM_EXPORT_VERSION}.`,
      ],
    };
  }
  const parsed = TeamExportSchema.safeParse(value);
  if (parsed.success) return { ok: true, doc: parsed.data };
  const issues = parsed.error.issues;
  const errors = issues.slice(0, 20).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > 20) errors.push(`… and ${issues.length - 20} more.`);
  return { ok: false, errors };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(the document)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The file name a download gets: `<slug>-team-export-<YYYY-MM-DD>.json`. */
export function exportFileName(slug: string, exportedAt: Date): string {
  return `${slug}-team-export-${exportedAt.toISOString().slice(0, 10)}.json`;
}
