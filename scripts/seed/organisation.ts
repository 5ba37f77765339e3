// Demo step (last): the organisation "Acme" above the demo team and two more teams with their own
// history — Platform and Mobile, each with two closed sprints, one running, estimated stories and
// daily spend — so every organisation page means something on first start. Dana Demo is the org
// admin (and not a member of the other two teams: org pages show their totals, team pages stay
// theirs); Fran Finance is an org viewer. The pool comes from Copilot Business seats with a metered
// overage budget, last month and this month, split across the three teams with a reserve left, two
// cost centers, and the organisation's own Copilot report (organisation-bill.ts). Spend of the other
// teams is written directly (a few hundred rows), not through the importers, to keep the seed fast.
// Skips when Acme exists, so running it again changes nothing.
import { randomBytes } from "node:crypto";
import { addDays, INCLUDED_CREDITS_PER_SEAT, todayIn } from "~/domain/capacity";
import { previousMonth } from "~/domain/organisation/billing-month";
import { saveAllocations } from "~/models/allocation.server";
import { refreshRollups } from "~/models/attributed-spend.server";
import { requestException } from "~/models/credit-exception.server";
import { saveMonthPool } from "~/models/organisation-month.server";
import {
  acceptTeamRequest,
  createOrganisation,
  isOrgSlugTaken,
  listCostCenters,
  requestTeamAttachment,
  saveCostCenter,
  setTeamCostCenter,
} from "~/models/organisation.server";
import { closeSprint, commitStory, createSprint, setSprintStoryDone } from "~/models/sprint.server";
import { createStories, recordEstimate } from "~/models/story.server";
import { createTeam, getTeamBySlug } from "~/models/team.server";
import { createUser, getUserByEmail } from "~/models/user.server";
import type { DB } from "~/utils/db.server";
import type { DemoContext } from "./demo";
import { seedOrganisationBill } from "./organisation-bill";
import { mulberry32 } from "./random";

export const DEMO_ORG = "acme";

type Levels = { intensity: string; autonomy: string; risk: string };
const L = (intensity: string, autonomy: string, risk: string): Levels => ({ intensity, autonomy, risk });

interface OtherTeam {
  slug: string;
  name: string;
  prefix: string;
  owner: { email: string; name: string };
  /** Spend per working day relative to the story estimates (Mobile runs hot). */
  heat: number;
  stories: [string, Levels][];
}

const OTHER_TEAMS: OtherTeam[] = [
  {
    slug: "platform",
    name: "Platform Team",
    prefix: "PLAT",
    owner: { email: "pia@example.com", name: "Pia Platform" },
    heat: 0.9,
    stories: [
      ["Move CI runners to the new cluster", L("standard", "delegate", "medium")],
      ["Rotate service credentials with the vault agent", L("frontier", "pair", "high")],
      ["Terraform module for tenant databases", L("standard", "autonomous", "low")],
      ["Trace sampling rules per service", L("light", "delegate", "low")],
      ["Blue-green deploys for the API gateway", L("frontier", "delegate", "medium")],
      ["Log retention policy as code", L("light", "autonomous", "low")],
      ["Kafka consumer lag alerts", L("standard", "pair", "medium")],
      ["Migrate cron jobs to the job runner", L("frontier-max", "delegate", "high")],
      ["Cost dashboards per namespace", L("standard", "autonomous", "low")],
      ["Postgres 17 upgrade rehearsal", L("frontier", "pair", "high")],
      ["Service catalogue ownership fields", L("light", "delegate", "low")],
      ["Canary analysis for the web tier", L("frontier", "autonomous", "medium")],
    ],
  },
  {
    slug: "mobile",
    name: "Mobile App Team",
    prefix: "MOB",
    owner: { email: "mo@example.com", name: "Mo Mobile" },
    heat: 1.5,
    stories: [
      ["Offline mode for the transactions list", L("frontier", "delegate", "medium")],
      ["Biometric login on Android", L("standard", "pair", "medium")],
      ["Push notification preferences screen", L("light", "autonomous", "low")],
      ["Card freeze toggle with undo", L("standard", "delegate", "low")],
      ["Crash-free sessions dashboard", L("light", "delegate", "low")],
      ["Accessibility pass on onboarding", L("standard", "pair", "medium")],
      ["Rewrite the receipts scanner in Kotlin", L("frontier-max", "autonomous", "high")],
      ["Dark mode for charts", L("light", "autonomous", "low")],
      ["Deep links from e-mail campaigns", L("standard", "delegate", "medium")],
      ["In-app dispute flow", L("frontier", "pair", "high")],
      ["App size budget in CI", L("light", "delegate", "low")],
      ["Tablet layout for the home screen", L("frontier", "delegate", "medium")],
    ],
  },
];

function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

function isWeekday(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d !== 0 && d !== 6;
}

async function demoUser(db: DB, person: { email: string; name: string }) {
  return (
    (await getUserByEmail(db, person.email)) ??
    (await createUser(db, { ...person, password: randomBytes(18).toString("base64url") }))
  );
}

/** Two closed two-week sprints and a running one, four stories each, and spend on their days. */
async function seedOtherTeam(db: DB, spec: OtherTeam, index: number, today: string) {
  const owner = await demoUser(db, spec.owner);
  const team =
    (await getTeamBySlug(db, spec.slug)) ??
    (await createTeam(db, { name: spec.name, slug: spec.slug, ownerId: owner.id }));
  const existing = await db.selectFrom("sprints").select("id").where("teamId", "=", team.id).executeTakeFirst();
  if (existing) return team;

  const created = await createStories(db, {
    teamId: team.id,
    stories: spec.stories.map(([title], i) => ({
      key: `${spec.prefix}-${101 + i}`,
      title,
      link: null,
      labels: [],
      description: "",
    })),
  });
  const runningStart = mondayOf(addDays(today, -3));
  const rng = mulberry32(17 + index);
  const spendRows: {
    teamId: number;
    occurredAt: string;
    day: string;
    source: "api";
    model: string;
    inputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
    outputTokens: number;
    credits: number;
    storyKey: string;
    externalUser: string;
    aggregated: boolean;
    dedupeKey: string;
  }[] = [];
  for (let s = 0; s < 3; s++) {
    const start = addDays(runningStart, -14 * (2 - s));
    const end = addDays(start, 11);
    const sprint = await createSprint(db, {
      teamId: team.id,
      createdBy: owner.id,
      name: `Sprint ${8 + s}`,
      goal: "",
      start,
      end,
      capacityKind: "pool",
      capacityCredits: null,
      poolPlan: "copilot-business",
      poolSeats: 3,
      poolPerSeat: null,
      reservePercent: 10,
      commitBasis: "expected",
      exhaustionPolicy: "warn",
    });
    for (const story of created.slice(s * 4, s * 4 + 4)) {
      const [, levels] = spec.stories[created.indexOf(story)]!;
      const estimate = await recordEstimate(db, {
        teamId: team.id,
        storyId: story.id,
        levels,
        source: "solo",
        createdBy: owner.id,
      });
      await commitStory(db, {
        teamId: team.id,
        sprintId: sprint.id,
        storyId: story.id,
        actorId: owner.id,
        actorIsManager: true,
      });
      // The story's spend, spread over the sprint's working days up to today.
      const expected = estimate?.expectedCredits ?? 300;
      const days: string[] = [];
      for (let d = start; d <= end && d <= today; d = addDays(d, 1)) if (isWeekday(d)) days.push(d);
      const total = expected * spec.heat * (0.6 + 0.8 * rng());
      for (const day of days) {
        const credits = Math.round((total / 10) * (0.5 + rng()) * 100) / 100;
        spendRows.push({
          teamId: team.id,
          occurredAt: `${day}T${String(9 + Math.floor(rng() * 8)).padStart(2, "0")}:15:00Z`,
          day,
          source: "api",
          model: "claude-sonnet-4-6",
          inputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          outputTokens: 0,
          credits,
          storyKey: story.key!,
          externalUser: spec.owner.email,
          aggregated: false,
          dedupeKey: `seed-org:${story.key}:${day}`,
        });
      }
      if (s < 2)
        await setSprintStoryDone(db, {
          teamId: team.id,
          sprintId: sprint.id,
          storyId: story.id,
          done: true,
          actorId: owner.id,
        });
    }
    if (s < 2) {
      await closeSprint(db, {
        teamId: team.id,
        sprintId: sprint.id,
        actorId: owner.id,
        destination: { kind: "backlog" },
        timeZone: "UTC",
        now: new Date(`${end}T16:30:00Z`),
      });
    }
  }
  for (let i = 0; i < spendRows.length; i += 200) {
    await db
      .insertInto("spendEntries")
      .values(spendRows.slice(i, i + 200))
      .execute();
  }
  await refreshRollups(db, team.id, "all");
  return team;
}

export async function seedOrganisation(ctx: DemoContext): Promise<void> {
  const { db, teamId } = ctx;
  if (await isOrgSlugTaken(db, DEMO_ORG)) return;
  const today = todayIn("UTC", new Date());
  const admin = ctx.members.find((m) => m.role === "owner") ?? ctx.members[0]!;
  const finance = await demoUser(db, { email: "fran@example.com", name: "Fran Finance" });

  const others = [];
  for (const [i, spec] of OTHER_TEAMS.entries()) others.push(await seedOtherTeam(db, spec, i, today));

  const org = await createOrganisation(db, { name: "Acme", slug: DEMO_ORG, creatorId: admin.id });
  await db
    .insertInto("organisationMembers")
    .values({ organisationId: org.id, userId: finance.id, role: "viewer" })
    .execute();

  // Each team's owner accepts the organisation's request, as they would on the team's settings page.
  const demoTeam = await db
    .selectFrom("teams")
    .select(["id", "slug"])
    .where("id", "=", teamId)
    .executeTakeFirstOrThrow();
  const teams = [
    { id: demoTeam.id, slug: demoTeam.slug, ownerId: admin.id },
    ...others.map((t, i) => ({ id: t.id, slug: t.slug, ownerId: 0, owner: OTHER_TEAMS[i]!.owner })),
  ];
  for (const t of teams) {
    await requestTeamAttachment(db, { organisationId: org.id, teamSlug: t.slug, requestedBy: admin.id });
    const ownerId = "owner" in t && t.owner ? (await getUserByEmail(db, t.owner.email))!.id : t.ownerId;
    await acceptTeamRequest(db, { teamId: t.id, organisationId: org.id, userId: ownerId });
  }

  await saveCostCenter(db, { organisationId: org.id, costCenterId: null, name: "Payments", capCredits: 12_000 });
  await saveCostCenter(db, { organisationId: org.id, costCenterId: null, name: "Platform & Mobile", capCredits: null });
  const centers = await listCostCenters(db, org.id);
  const center = (name: string) => centers.find((c) => c.name === name)!.id;
  await setTeamCostCenter(db, { organisationId: org.id, teamId: demoTeam.id, costCenterId: center("Payments") });
  for (const t of others)
    await setTeamCostCenter(db, { organisationId: org.id, teamId: t.id, costCenterId: center("Platform & Mobile") });

  const settings = {
    poolSource: "seats" as const,
    plan: "copilot-business" as const,
    seats: 12,
    includedPerSeat: INCLUDED_CREDITS_PER_SEAT["copilot-business"],
    fixedCredits: null,
    overageBudgetCredits: 2_000,
    exhaustionPolicy: "metered" as const,
    allocationPolicy: "warn" as const,
  };
  const thisMonth = today.slice(0, 7);
  // Last month set up by hand; this month as the 1st would have opened it, then adjusted.
  for (const month of [previousMonth(thisMonth), thisMonth]) {
    await saveMonthPool(db, { organisationId: org.id, month, userId: admin.id, settings });
    await saveAllocations(db, {
      organisationId: org.id,
      month,
      userId: admin.id,
      allocations: [
        { teamId: demoTeam.id, kind: "credits", credits: 8_000 },
        { teamId: others[0]!.id, kind: "percent", percent: 25 },
        { teamId: others[1]!.id, kind: "credits", credits: 5_000 },
      ],
    });
  }
  await db
    .updateTable("organisationMonths")
    .set({ openedFrom: previousMonth(thisMonth) })
    .where("organisationId", "=", org.id)
    .where("month", "=", thisMonth)
    .execute();

  // Mobile runs hot: its owner has asked for more credits for two stories of the running sprint, so
  // the exceptions queue has something to decide on first start.
  const mobile = others[1]!;
  const running = await db
    .selectFrom("sprints as s")
    .innerJoin("sprintStories as ss", "ss.sprintId", "s.id")
    .select(["s.id as sprintId", "ss.storyId"])
    .where("s.teamId", "=", mobile.id)
    .where("s.closedAt", "is", null)
    .where("ss.outcome", "is", null)
    .orderBy("ss.storyId")
    .limit(2)
    .execute();
  if (running.length) {
    await requestException(db, {
      organisationId: org.id,
      teamId: mobile.id,
      month: thisMonth,
      sprintId: running[0]!.sprintId,
      credits: 1_500,
      reason: "The offline sync rewrite needs a second autonomous pass after the first one failed review.",
      storyIds: running.map((r) => r.storyId),
      userId: (await getUserByEmail(db, OTHER_TEAMS[1]!.owner.email))!.id,
    });
  }

  // The organisation's own Copilot report, so the Bill page reconciles something on first start.
  const ownerOf = async (i: number) => (await getUserByEmail(db, OTHER_TEAMS[i]!.owner.email))!.id;
  await seedOrganisationBill(db, {
    organisationId: org.id,
    adminId: admin.id,
    platform: { id: others[0]!.id, slug: others[0]!.slug, ownerId: await ownerOf(0) },
    mobile: { id: mobile.id, slug: mobile.slug, ownerId: await ownerOf(1) },
    today,
    demoTeamReport: ctx.copilotReport,
  });
}
