// The demo team: a newcomer's first look at Token Poker. Idempotent — running it again leaves one
// demo team, refreshed. Each feature adds its own step to DEMO_STEPS.
import { randomBytes } from "node:crypto";
import { addMember, createTeam, getTeamBySlug } from "~/models/team.server";
import { createUser, getUserByEmail, setPassword } from "~/models/user.server";
import type { DB } from "~/utils/db.server";
import { dataFileValue, type Services } from "~/utils/database-and-secrets.server";
import type { Role } from "~/domain/roles";
import { seedBacklog } from "./backlog";
import { seedPoker } from "./poker";
import { seedSpend } from "./spend";
import { seedSprints } from "./sprints";
import { seedOrganisation } from "./organisation";

export const DEMO_EMAIL = "demo@example.com";
export const DEMO_TEAM = "demo";

export const DEMO_MEMBERS: { email: string; name: string; role: Role }[] = [
  { email: DEMO_EMAIL, name: "Dana Demo", role: "owner" },
  { email: "ari@example.com", name: "Ari Manager", role: "manager" },
  { email: "sam@example.com", name: "Sam Okafor", role: "member" },
  { email: "kim@example.com", name: "Kim Laine", role: "member" },
  { email: "lee@example.com", name: "Lee Observer", role: "observer" },
];

export interface DemoContext {
  db: DB;
  teamId: number;
  members: { id: number; email: string; name: string; role: Role }[];
  /** The demo team's Copilot report as the spend step imported it: the organisation's bill holds the same rows. */
  copilotReport?: string;
}

type DemoStep = (ctx: DemoContext) => Promise<void>;
const DEMO_STEPS: DemoStep[] = [seedBacklog, seedSprints, seedPoker, seedSpend, seedOrganisation];

export function demoPassword(services: Services): string {
  return dataFileValue(services.env, "demo-password", () => randomBytes(9).toString("base64url"));
}

export async function ensureDemo(services: Services, options: { onlyIfEmpty?: boolean } = {}) {
  const { db } = services;
  if (options.onlyIfEmpty) {
    const anyUser = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
    if (anyUser) return false;
  }
  const password = demoPassword(services);
  const members: DemoContext["members"] = [];
  for (const m of DEMO_MEMBERS) {
    const existing = await getUserByEmail(db, m.email);
    const user =
      existing ??
      (await createUser(db, {
        email: m.email,
        name: m.name,
        password: m.email === DEMO_EMAIL ? password : randomBytes(18).toString("base64url"),
      }));
    if (existing && m.email === DEMO_EMAIL) await setPassword(db, { userId: user.id, password });
    members.push({ id: user.id, email: m.email, name: m.name, role: m.role });
  }
  const owner = members[0]!;
  const team =
    (await getTeamBySlug(db, DEMO_TEAM)) ??
    (await createTeam(db, { name: "Demo Payments Team", slug: DEMO_TEAM, ownerId: owner.id }));
  for (const m of members) await addMember(db, { teamId: team.id, userId: m.id, role: m.role });
  // One context for every step: a step may leave something for a later one (the spend step's Copilot
  // report is also in the organisation's bill).
  const ctx: DemoContext = { db, teamId: team.id, members };
  for (const step of DEMO_STEPS) await step(ctx);
  return true;
}

export async function printDemoLogin(services: Services, url: string) {
  if (!(await getUserByEmail(services.db, DEMO_EMAIL))) return;
  console.log(`url: ${url}`);
  console.log(`login: ${DEMO_EMAIL}`);
  console.log(`password: ${demoPassword(services)}`);
}
