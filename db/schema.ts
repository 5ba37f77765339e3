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

export interface PasswordResetsTable {
  tokenHash: string;
  userId: number;
  teamId: number;
  createdBy: number | null;
  expiresAt: Timestamp;
  usedAt: Timestamp | null;
}

export interface LoginAttemptsTable {
  id: Id;
  scope: "email" | "ip";
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
  archivedAt: Timestamp | null;
  createdAt: CreatedAt;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
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
  outputUsdPerMtok: number;
  effectiveFrom: string | null;
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
  stories: StoriesTable;
  estimates: EstimatesTable;
  modelRates: ModelRatesTable;
}

export type User = Selectable<UsersTable>;
export type Team = Selectable<TeamsTable>;
