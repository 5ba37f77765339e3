import type { ColumnType, Generated, Selectable } from "kysely";

// TypeScript's view of the tables (camelCase through Kysely's CamelCasePlugin). Keep in step with
// db/migrations. Ids are int8, returned as JavaScript numbers by both drivers.
type Id = Generated<number>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type Role = "owner" | "manager" | "member" | "observer";

export interface UsersTable {
  id: Id;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: CreatedAt;
}

export interface SessionsTable {
  idHash: string;
  userId: number;
  expiresAt: Timestamp;
  createdAt: CreatedAt;
}

export interface TeamsTable {
  id: Id;
  slug: string;
  name: string;
  timeZone: ColumnType<string, string | undefined, string>;
  keyPattern: ColumnType<string, string | undefined, string>;
  creditValueUsd: ColumnType<number, number | undefined, number>;
  /** Burn alerts are POSTed here (Slack-compatible); null = none. Added by 0005_create_sprints. */
  webhookUrl: ColumnType<string | null, string | null | undefined, string | null>;
  /** Added by 0012: the budget guard stops when it cannot decide (unknown story, an error). */
  guardFailClosed: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: CreatedAt;
}

export interface MembershipsTable {
  teamId: number;
  userId: number;
  role: Role;
  createdAt: CreatedAt;
}

export interface InvitesTable {
  id: Id;
  teamId: number;
  tokenHash: string;
  role: Exclude<Role, "owner">;
  createdBy: number | null;
  expiresAt: Timestamp;
  revokedAt: Timestamp | null;
  createdAt: CreatedAt;
}

/** team: made on a team's members page; operator: `npm run user:reset-link`; mail: "Forgot password?". */
export type ResetKind = "team" | "operator" | "mail";

export interface PasswordResetsTable {
  tokenHash: string;
  userId: number;
  /** The team whose members page made the link (kind "team" only). */
  teamId: number | null;
  createdBy: number | null;
  kind: ColumnType<ResetKind, ResetKind | undefined, never>;
  expiresAt: Timestamp;
  usedAt: Timestamp | null;
  createdAt: CreatedAt;
}

/** Throttled subjects: failed logins per e-mail and per address, sign-ups and reset mails. */
export type AttemptScope = "email" | "ip" | "signup-ip" | "reset-email" | "reset-ip";

export interface LoginAttemptsTable {
  id: Id;
  scope: AttemptScope;
  subject: string;
  attemptedAt: CreatedAt;
}

export type StoryStatus = "backlog" | "estimated" | "committed" | "done";

export interface SizingSchemesTable {
  id: Id;
  teamId: number;
  version: number;
  /** A SizingScheme (app/domain/sizing-scheme.ts), frozen: never updated in place. */
  scheme: ColumnType<unknown, string, never>;
  contentHash: string;
  note: string | null;
  createdBy: number | null;
  createdAt: CreatedAt;
}

export interface CalibrationSuggestionsTable {
  id: Id;
  teamId: number;
  schemeId: number;
  sprintId: number | null;
  token: string;
  /** A StoredSuggestion (app/domain/recalibration.ts), frozen. */
  suggestion: ColumnType<unknown, string, never>;
  createdAt: CreatedAt;
}

export interface StoriesTable {
  id: Id;
  teamId: number;
  key: string | null;
  title: string;
  link: string | null;
  labels: ColumnType<string[], string[] | undefined, string[]>;
  description: ColumnType<string, string | undefined, string>;
  status: ColumnType<StoryStatus, StoryStatus | undefined, StoryStatus>;
  rank: string;
  estimateId: number | null;
  /** The story's tracker item is closed (done, resolved, canceled): marked, never deleted. */
  trackerClosed: ColumnType<boolean, boolean | undefined, boolean>;
  archivedAt: Timestamp | null;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface TrackerConnectionsTable {
  id: Id;
  teamId: number;
  kind: "github" | "jira";
  baseUrl: string;
  project: string;
  account: string | null;
  tokenSealed: string;
  pushMode: ColumnType<"off" | "ask" | "always", "off" | "ask" | "always" | undefined, "off" | "ask" | "always">;
  membersCanPull: ColumnType<boolean, boolean | undefined, boolean>;
  createdBy: number | null;
  createdAt: CreatedAt;
}

export interface TrackerPushesTable {
  id: Id;
  teamId: number;
  storyId: number;
  connectionId: number;
  estimateId: number | null;
  status: "pending" | "done" | "failed";
  message: ColumnType<string, string | undefined, string>;
  attemptedAt: ColumnType<Date, Date | undefined, Date>;
}

export interface EstimatesTable {
  id: Id;
  teamId: number;
  storyId: number;
  schemeId: number;
  intensity: string;
  autonomy: string;
  risk: string;
  size: string;
  expectedCredits: number;
  p80Credits: number;
  bandLow: number;
  bandHigh: number | null;
  source: "solo" | "session";
  sessionId: number | null;
  rounds: ColumnType<unknown, string | undefined, never>;
  createdBy: number | null;
  createdAt: CreatedAt;
}

export interface ModelRatesTable {
  id: Id;
  teamId: number;
  modelId: string;
  provider: string | null;
  tier: string | null;
  aliases: ColumnType<string[], string[] | undefined, string[]>;
  inputUsdPerMtok: number;
  cacheReadUsdPerMtok: number | null;
  cacheWriteUsdPerMtok: number | null;
  cacheWrite1hUsdPerMtok: ColumnType<number | null, number | null | undefined, number | null>;
  outputUsdPerMtok: number;
  effectiveFrom: string | null;
  createdAt: CreatedAt;
}

export type SprintCapacityKind = "credits" | "pool";
export type SprintPoolPlan = "copilot-business" | "copilot-enterprise" | "custom";
export type SprintCommitBasis = "expected" | "p80";
export type SprintPolicy = "warn" | "approval" | "hard-stop";
export type SprintStoryOutcome = "done" | "carried" | "returned";
export type CommitRequestStatus = "pending" | "approved" | "declined";

export interface SprintsTable {
  id: Id;
  teamId: number;
  name: string;
  goal: ColumnType<string, string | undefined, string>;
  startDate: string;
  endDate: string;
  capacityKind: SprintCapacityKind;
  capacityCredits: number | null;
  poolPlan: SprintPoolPlan | null;
  poolSeats: number | null;
  poolPerSeat: number | null;
  reservePercent: ColumnType<number, number | undefined, number>;
  commitBasis: ColumnType<SprintCommitBasis, SprintCommitBasis | undefined, SprintCommitBasis>;
  exhaustionPolicy: ColumnType<SprintPolicy, SprintPolicy | undefined, SprintPolicy>;
  closedAt: Timestamp | null;
  closedBy: number | null;
  /** A SprintSnapshot (app/domain/sprint.ts), written once at close. */
  snapshot: ColumnType<unknown, string | null | undefined, string | null>;
  createdBy: number | null;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SprintStoriesTable {
  sprintId: number;
  storyId: number;
  teamId: number;
  committedBy: number | null;
  committedAt: ColumnType<Date, Date | string | undefined, Date | string>;
  outcome: SprintStoryOutcome | null;
}

export interface SprintAllocationsTable {
  sprintId: number;
  userId: number;
  teamId: number;
  credits: number;
}

export interface CommitRequestsTable {
  id: Id;
  teamId: number;
  sprintId: number;
  storyId: number;
  status: ColumnType<CommitRequestStatus, CommitRequestStatus | undefined, CommitRequestStatus>;
  reason: string;
  loadCredits: number | null;
  committedBefore: number;
  availableCredits: number;
  overBy: number | null;
  requestedBy: number | null;
  requestedAt: CreatedAt;
  decidedBy: number | null;
  decidedAt: Timestamp | null;
  decisionNote: ColumnType<string, string | undefined, string>;
}

export interface SprintEventsTable {
  id: Id;
  teamId: number;
  sprintId: number;
  storyId: number | null;
  actorId: number | null;
  kind: string;
  message: string;
  createdAt: CreatedAt;
}

export interface SprintAlertsTable {
  sprintId: number;
  threshold: number;
  teamId: number;
  spentCredits: number;
  availableCredits: number;
  crossedAt: CreatedAt;
  webhookAttempts: ColumnType<number, number | undefined, number>;
  webhookSentAt: Timestamp | null;
  webhookError: string | null;
}

// ---- spend (0004_create_spend) ------------------------------------------------------------------

export type SpendSource =
  | "copilot-usage"
  | "copilot-premium"
  | "claude-jsonl"
  | "ccusage"
  | "litellm"
  | "generic-csv"
  | "api"
  | "manual"
  | "otlp";
export type SpendImportVia = "upload" | "cli" | "api" | "seed" | "otlp";
export type ApiTokenScope = "team" | "ingest";
export type SpendImportStatus = "running" | "imported" | "rejected" | "failed";
export type ReviewBurden = "none" | "light" | "moderate" | "heavy";

export interface TeamApiTokensTable {
  id: Id;
  teamId: number;
  name: string;
  tokenHash: string;
  tokenPrefix: string;
  createdBy: number | null;
  createdAt: CreatedAt;
  lastUsedAt: Timestamp | null;
  revokedAt: Timestamp | null;
  revokedBy: number | null;
  /** Added by 0012: 'team' pushes and reads the guard; 'ingest' only pushes. */
  scope: ColumnType<ApiTokenScope, ApiTokenScope | undefined, ApiTokenScope>;
  /** Added by 0012: the person an ingest token belongs to (their spend is theirs). */
  userId: ColumnType<number | null, number | null | undefined, number | null>;
}

/** What 0026's `spend_imports.details` holds (read through `readDetails`, which fills in missing parts). */
export interface ImportDetailsRecord {
  skipped: { count: number; lines: { line: number; kind: "unreadable" | "not-spend"; reason: string }[] };
  pricedFromFile: string[];
  pricedFromRateCard: string[];
}

export interface SpendImportsTable {
  id: Id;
  teamId: number;
  userId: number | null;
  tokenId: number | null;
  via: SpendImportVia;
  fileName: string;
  format: string | null;
  status: ColumnType<SpendImportStatus, SpendImportStatus | undefined, SpendImportStatus>;
  skipInvalid: ColumnType<boolean, boolean | undefined, boolean>;
  rows: ColumnType<number, number | undefined, number>;
  imported: ColumnType<number, number | undefined, number>;
  updated: ColumnType<number, number | undefined, number>;
  duplicates: ColumnType<number, number | undefined, number>;
  overlapping: ColumnType<number, number | undefined, number>;
  rejected: ColumnType<number, number | undefined, number>;
  unattributed: ColumnType<number, number | undefined, number>;
  unpriced: ColumnType<number, number | undefined, number>;
  credits: ColumnType<number, number | undefined, number>;
  /** { "PAY-412": credits } for the entries the import added or updated. */
  byStoryKey: ColumnType<Record<string, number>, string | undefined, string>;
  unpricedModels: ColumnType<string[], string[] | undefined, string[]>;
  /** [{ line, reason }], at most 20. */
  errors: ColumnType<{ line: number; reason: string }[], string | undefined, string>;
  warnings: ColumnType<string[], string | undefined, string>;
  /** Added by 0026: left-out lines and pricing by model, as `ImportDetails` (app/domain/spend/import-result.ts). */
  details: ColumnType<ImportDetailsRecord, string | undefined, string>;
  startedAt: CreatedAt;
  finishedAt: Timestamp | null;
  undoneAt: Timestamp | null;
  undoneBy: number | null;
}

interface SpendValues {
  occurredAt: Timestamp;
  day: string;
  model: string | null;
  modelId: string | null;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Part of cacheWriteTokens written with a 1-hour TTL. */
  cacheWrite1hTokens: ColumnType<number, number | undefined, number>;
  outputTokens: number;
  /** Made in fast mode (priced with the rate card's fast multiplier). */
  fast: ColumnType<boolean, boolean | undefined, boolean>;
  /** The billing product when it is not the source's own (Copilot `spark` rows). */
  product: ColumnType<string | null, string | null | undefined, string | null>;
  /** How complete a streamed line was; the highest wins (see SpendEntry.usageRank). */
  usageRank: ColumnType<string | null, string | null | undefined, string | null>;
  costUsd: number | null;
  credits: number | null;
  pricedBy: "source" | "rate-card" | null;
  poolCredits: number | null;
  paidCredits: number | null;
  externalUser: string | null;
  sessionId: string | null;
  repository: string | null;
  storyKey: string | null;
  aggregated: boolean;
  dedupeKey: string;
}

export interface SpendEntriesTable extends SpendValues {
  id: Id;
  teamId: number;
  source: SpendSource;
  /** A person's assignment; a story key in the data or a session mapping is stronger. */
  storyId: number | null;
  importId: number | null;
  note: string | null;
  createdBy: number | null;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SpendStagingTable extends SpendValues {
  importId: number;
  line: number;
  source: string;
  overlapping: ColumnType<boolean, boolean | undefined, boolean>;
  /** Which chunk of the merge the row goes in (migration 0023). */
  mergeBucket: ColumnType<number, number | undefined, number>;
}

/** The values an import replaced, put back when that import is undone. */
export interface SpendEntryVersionsTable {
  teamId: number;
  entryId: number;
  importId: number;
  previous: unknown;
  createdAt: CreatedAt;
}

export interface SpendIdentitiesTable {
  teamId: number;
  /** lower(trim(user name or e-mail)) as the tool writes it. */
  identity: string;
  userId: number;
  createdBy: number | null;
  createdAt: CreatedAt;
}

export interface SpendSessionStoriesTable {
  teamId: number;
  sessionId: string;
  storyId: number;
  createdBy: number | null;
  createdAt: CreatedAt;
}

/** Derived from spend_entries by refreshRollups (app/models/attributed-spend.server.ts); migration 0027. */
export interface SpendRollupsTable {
  teamId: number;
  day: string;
  storyId: number | null;
  source: "key" | "session" | "manual" | null;
  waitingKey: string | null;
  credits: number | null;
  entries: number;
  unpriced: number;
}

/** Per team and day, whatever the story; rewritten with spend_rollups (migration 0027). */
export interface SpendDayTotalsTable {
  teamId: number;
  day: string;
  credits: number | null;
  entries: number;
  unpriced: number;
}

export interface StoryOutcomesTable {
  storyId: number;
  teamId: number;
  bought: string;
  reviewBurden: ReviewBurden;
  causeTags: ColumnType<string[], string[] | undefined, string[]>;
  note: ColumnType<string, string | undefined, string>;
  recordedBy: number | null;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type PokerSessionStatus = "open" | "ended";
export type PokerItemStatus = "pending" | "finalized" | "skipped";
export type PokerRoundStatus = "voting" | "revealed";
export type PokerParticipantRole = "voter" | "observer";
export type PokerVoteDimension = "intensity" | "autonomy" | "risk" | "split";

export interface PokerSessionsTable {
  id: Id;
  teamId: number;
  name: string;
  status: ColumnType<PokerSessionStatus, PokerSessionStatus | undefined, PokerSessionStatus>;
  autoReveal: ColumnType<boolean, boolean | undefined, boolean>;
  timerSeconds: number | null;
  allowAhead: ColumnType<boolean, boolean | undefined, boolean>;
  guestKey: string | null;
  schemeId: number;
  facilitatorId: number | null;
  currentItemId: number | null;
  seq: ColumnType<number, number | undefined, number>;
  createdBy: number | null;
  createdAt: CreatedAt;
  endedAt: Timestamp | null;
}

export interface PokerItemsTable {
  id: Id;
  sessionId: number;
  teamId: number;
  storyId: number;
  rank: string;
  status: ColumnType<PokerItemStatus, PokerItemStatus | undefined, PokerItemStatus>;
  roundNumber: ColumnType<number, number | undefined, number>;
  split: ColumnType<boolean, boolean | undefined, boolean>;
  estimateId: number | null;
  createdAt: CreatedAt;
}

export interface PokerRoundsTable {
  id: Id;
  itemId: number;
  sessionId: number;
  teamId: number;
  number: number;
  status: ColumnType<PokerRoundStatus, PokerRoundStatus | undefined, PokerRoundStatus>;
  timerEndsAt: Timestamp | null;
  startedAt: CreatedAt;
  revealedAt: Timestamp | null;
  /** When the round reveals by itself (every present voter voted, grace period running); else null. */
  autoRevealAt: Timestamp | null;
}

export interface PokerParticipantsTable {
  id: Id;
  sessionId: number;
  teamId: number;
  userId: number | null;
  guestTokenHash: string | null;
  displayName: string;
  role: PokerParticipantRole;
  lastSeenAt: ColumnType<Date, Date | string | undefined, Date | string>;
  leftAt: Timestamp | null;
  createdAt: CreatedAt;
}

export interface PokerVotesTable {
  roundId: number;
  participantId: number;
  dimension: PokerVoteDimension;
  value: string | null;
  clientTs: ColumnType<number, number | undefined, number>;
  sessionId: number;
  teamId: number;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

// ---- agents (0012_add_agent_ingest) ---------------------------------------------------------------

export type OtlpSignal = "events" | "metrics";

export interface OtlpSessionsTable {
  teamId: number;
  sessionId: string;
  signal: OtlpSignal;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface BudgetExtensionsTable {
  id: Id;
  teamId: number;
  storyId: number;
  sprintId: number | null;
  credits: number;
  reason: string;
  createdBy: number | null;
  createdAt: CreatedAt;
}

// ---- organisations (0016_create_organisations) ---------------------------------------------------

export type OrgRole = "admin" | "viewer";
export type OrgTeamStatus = "requested" | "accepted";
export type PoolSource = "seats" | "fixed";
export type PoolPlan = "copilot-business" | "copilot-enterprise" | "custom";
export type PoolExhaustionPolicy = "block" | "metered";
export type AllocationPolicy = "warn" | "refuse";
export type CreditExceptionStatus = "requested" | "granted" | "declined";
export type CreditExceptionSource = "reserve" | "team";
export type OrgSpendPlacement = "placed" | "unplaced" | "organisation";

export interface OrganisationsTable {
  id: Id;
  slug: string;
  name: string;
  webhookUrl: ColumnType<string | null, string | null | undefined, string | null>;
  createdBy: number | null;
  createdAt: CreatedAt;
}

export interface OrganisationMembersTable {
  organisationId: number;
  userId: number;
  role: OrgRole;
  createdAt: CreatedAt;
}

export interface OrganisationInvitesTable {
  id: Id;
  organisationId: number;
  tokenHash: string;
  role: OrgRole;
  createdBy: number | null;
  expiresAt: Timestamp;
  revokedAt: Timestamp | null;
  /** Set when someone joined with the link: it lets one person in (migration 0029). */
  usedAt: Timestamp | null;
  usedBy: number | null;
  createdAt: CreatedAt;
}

export interface CostCentersTable {
  id: Id;
  organisationId: number;
  name: string;
  capCredits: number | null;
  createdAt: CreatedAt;
}

export interface OrganisationTeamsTable {
  organisationId: number;
  teamId: number;
  status: OrgTeamStatus;
  costCenterId: ColumnType<number | null, number | null | undefined, number | null>;
  requestedBy: number | null;
  requestedAt: CreatedAt;
  acceptedBy: ColumnType<number | null, number | null | undefined, number | null>;
  acceptedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface OrganisationMonthsTable {
  organisationId: number;
  /** 'YYYY-MM', a calendar month in UTC (the vendor's billing month). */
  month: string;
  poolSource: PoolSource;
  plan: PoolPlan | null;
  seats: number | null;
  includedPerSeat: number | null;
  fixedCredits: number | null;
  overageBudgetCredits: ColumnType<number, number | undefined, number>;
  exhaustionPolicy: ColumnType<PoolExhaustionPolicy, PoolExhaustionPolicy | undefined, PoolExhaustionPolicy>;
  allocationPolicy: ColumnType<AllocationPolicy, AllocationPolicy | undefined, AllocationPolicy>;
  /** The month this one was opened from automatically; null when set up by hand. */
  openedFrom: ColumnType<string | null, string | null | undefined, string | null>;
  updatedBy: number | null;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface TeamAllocationsTable {
  organisationId: number;
  month: string;
  teamId: number;
  credits: number;
  /** Set when the allocation was given as a share of the pool. */
  percent: ColumnType<number | null, number | null | undefined, number | null>;
  updatedBy: number | null;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface CreditExceptionsTable {
  id: Id;
  organisationId: number;
  teamId: number;
  month: string;
  sprintId: ColumnType<number | null, number | null | undefined, number | null>;
  requestedCredits: number;
  reason: string;
  status: ColumnType<CreditExceptionStatus, CreditExceptionStatus | undefined, CreditExceptionStatus>;
  source: ColumnType<
    CreditExceptionSource | null,
    CreditExceptionSource | null | undefined,
    CreditExceptionSource | null
  >;
  sourceTeamId: ColumnType<number | null, number | null | undefined, number | null>;
  grantedCredits: ColumnType<number | null, number | null | undefined, number | null>;
  requestedBy: number | null;
  requestedAt: CreatedAt;
  decidedBy: ColumnType<number | null, number | null | undefined, number | null>;
  decidedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  declineReason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CreditExceptionStoriesTable {
  exceptionId: number;
  storyId: number;
  teamId: number;
  title: string;
  expectedCredits: number | null;
  p80Credits: number | null;
}

export interface OrganisationAlertsTable {
  id: Id;
  organisationId: number;
  month: string;
  /** null: an alert on the whole pool; otherwise on that team's allocation. */
  teamId: number | null;
  threshold: number;
  spentCredits: number;
  availableCredits: number;
  crossedAt: CreatedAt;
  webhookAttempts: ColumnType<number, number | undefined, number>;
  webhookSentAt: Timestamp | null;
  webhookError: string | null;
}

export interface OrganisationIdentityPlacementsTable {
  organisationId: number;
  identity: string;
  teamId: number;
  placedBy: number | null;
  placedAt: CreatedAt;
}

export interface OrganisationSpendImportsTable {
  id: Id;
  organisationId: number;
  userId: number | null;
  via: Exclude<SpendImportVia, "otlp">;
  fileName: string;
  format: string | null;
  status: ColumnType<SpendImportStatus, SpendImportStatus | undefined, SpendImportStatus>;
  rows: ColumnType<number, number | undefined, number>;
  placed: ColumnType<number, number | undefined, number>;
  unplaced: ColumnType<number, number | undefined, number>;
  orgLevel: ColumnType<number, number | undefined, number>;
  rejected: ColumnType<number, number | undefined, number>;
  credits: ColumnType<number, number | undefined, number>;
  errors: ColumnType<unknown, string | undefined, string>;
  startedAt: CreatedAt;
  finishedAt: Timestamp | null;
}

export interface OrganisationSpendRowsTable {
  id: Id;
  organisationId: number;
  importId: number | null;
  occurredAt: Timestamp;
  day: string;
  month: string;
  source: string;
  model: string | null;
  identity: string | null;
  credits: number | null;
  poolCredits: number | null;
  paidCredits: number | null;
  costUsd: number | null;
  dedupeKey: string;
  placement: ColumnType<OrgSpendPlacement, OrgSpendPlacement | undefined, OrgSpendPlacement>;
  teamId: number | null;
  createdAt: CreatedAt;
}

export interface OrganisationEventsTable {
  id: Id;
  organisationId: number;
  teamId: number | null;
  actorId: number | null;
  kind: string;
  message: string;
  createdAt: CreatedAt;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  teams: TeamsTable;
  memberships: MembershipsTable;
  invites: InvitesTable;
  passwordResets: PasswordResetsTable;
  loginAttempts: LoginAttemptsTable;
  sizingSchemes: SizingSchemesTable;
  calibrationSuggestions: CalibrationSuggestionsTable;
  stories: StoriesTable;
  trackerConnections: TrackerConnectionsTable;
  trackerPushes: TrackerPushesTable;
  estimates: EstimatesTable;
  modelRates: ModelRatesTable;
  pokerSessions: PokerSessionsTable;
  pokerItems: PokerItemsTable;
  pokerRounds: PokerRoundsTable;
  pokerParticipants: PokerParticipantsTable;
  pokerVotes: PokerVotesTable;
  teamApiTokens: TeamApiTokensTable;
  spendImports: SpendImportsTable;
  spendEntries: SpendEntriesTable;
  spendStaging: SpendStagingTable;
  spendEntryVersions: SpendEntryVersionsTable;
  spendIdentities: SpendIdentitiesTable;
  spendSessionStories: SpendSessionStoriesTable;
  spendRollups: SpendRollupsTable;
  spendDayTotals: SpendDayTotalsTable;
  storyOutcomes: StoryOutcomesTable;
  sprints: SprintsTable;
  sprintStories: SprintStoriesTable;
  sprintAllocations: SprintAllocationsTable;
  commitRequests: CommitRequestsTable;
  sprintEvents: SprintEventsTable;
  sprintAlerts: SprintAlertsTable;
  otlpSessions: OtlpSessionsTable;
  budgetExtensions: BudgetExtensionsTable;
  organisations: OrganisationsTable;
  organisationMembers: OrganisationMembersTable;
  organisationInvites: OrganisationInvitesTable;
  costCenters: CostCentersTable;
  organisationTeams: OrganisationTeamsTable;
  organisationMonths: OrganisationMonthsTable;
  teamAllocations: TeamAllocationsTable;
  creditExceptions: CreditExceptionsTable;
  creditExceptionStories: CreditExceptionStoriesTable;
  organisationAlerts: OrganisationAlertsTable;
  organisationIdentityPlacements: OrganisationIdentityPlacementsTable;
  organisationSpendImports: OrganisationSpendImportsTable;
  organisationSpendRows: OrganisationSpendRowsTable;
  organisationEvents: OrganisationEventsTable;
}

export type User = Selectable<UsersTable>;
export type Team = Selectable<TeamsTable>;
export type Organisation = Selectable<OrganisationsTable>;
export type OrganisationMonth = Selectable<OrganisationMonthsTable>;
