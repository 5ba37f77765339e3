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

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  teams: TeamsTable;
  memberships: MembershipsTable;
  invites: InvitesTable;
  passwordResets: PasswordResetsTable;
  loginAttempts: LoginAttemptsTable;
}

export type User = Selectable<UsersTable>;
export type Team = Selectable<TeamsTable>;
