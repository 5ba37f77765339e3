// Demo step (after the backlog): four closed two-week sprints with their snapshots and one sprint
// running today, dated relative to the real current date. Closed sprints hold stories that were
// finished then (PAY-3xx, created here with estimates), unfinished ones carried into the next
// sprint; the running sprint holds estimated PAY-4xx stories from the backlog seed, one story
// without an estimate, and a pending over-capacity request. Actual spend comes from the spend
// seed, which runs later and reads these sprints through `listDemoSprints`. Skips a team that has
// sprints already, so running it again changes nothing.
import { addDays, todayIn } from "~/domain/capacity";
import { createStories, getStoryByKey, recordEstimate } from "~/models/story.server";
import {
  closeSprint,
  commitStory,
  createSprint,
  listSprints,
  listSprintsWithStoryKeys,
  setAllocations,
  setSprintStoryDone,
  type SprintSettingsInput,
} from "~/models/sprint.server";
import type { DB } from "~/utils/db.server";
import type { DemoContext } from "./demo";

type Levels = { intensity: string; autonomy: string; risk: string };
const L = (intensity: string, autonomy: string, risk: string): Levels => ({ intensity, autonomy, risk });

/** Finished work of earlier sprints: [key number, title, estimate, done in its sprint?]. */
const HISTORY: [number, string, Levels, boolean][][] = [
  [
    [351, "Card-on-file tokenisation for returning customers", L("standard", "delegate", "medium"), true],
    [352, "Payout schedule settings page", L("frontier", "delegate", "medium"), true],
    [353, "Merchant statement PDF redesign", L("standard", "autonomous", "low"), true],
    [354, "Retry logic for the FX rate fetcher", L("frontier-max", "pair", "medium"), true],
    [355, "Fraud score in the refund review queue", L("frontier", "autonomous", "high"), false],
  ],
  [
    [356, "Webhook replay tool for support", L("frontier", "delegate", "medium"), true],
    [357, "Bank holiday calendar for settlement dates", L("light", "delegate", "low"), true],
    [358, "Migrate payouts service to the new job runner", L("frontier-max", "delegate", "high"), true],
    [359, "Invoice numbering per legal entity", L("standard", "pair", "medium"), true],
    [360, "Checkout error copy review", L("standard", "autonomous", "medium"), true],
  ],
  [
    [361, "Multi-currency wallets: balances API", L("frontier", "delegate", "medium"), true],
    [362, "Unit tests for the ledger posting rules", L("standard", "autonomous", "low"), true],
    [363, "Hosted payment page: saved address autofill", L("standard", "pair", "low"), true],
    [364, "Reconciliation report for marketplace splits", L("frontier", "delegate", "high"), false],
    [365, "Cleanup of the old risk rules engine", L("light", "autonomous", "medium"), true],
    [366, "Wallet top-up limits per country", L("frontier", "autonomous", "medium"), true],
  ],
  [
    [367, "Payment links: expiry and one-time use", L("standard", "delegate", "low"), true],
    [368, "Dispute deadline reminders by e-mail", L("light", "pair", "low"), true],
    [369, "Partner API: OAuth client credentials", L("frontier", "pair", "medium"), true],
    [370, "Chargeback ratio dashboard", L("frontier-max", "delegate", "medium"), false],
    [371, "Search refunds by card fingerprint", L("standard", "pair", "medium"), true],
    [372, "Partner API sandbox with seeded test data", L("frontier", "autonomous", "low"), true],
  ],
];

/** The running sprint's commitments from the backlog seed (PAY-4xx), and which are done already. */
const RUNNING: { key: string; done?: boolean }[] = [
  { key: "PAY-401", done: true },
  { key: "PAY-405", done: true },
  { key: "PAY-402" },
  { key: "PAY-403" },
  { key: "PAY-408" },
  { key: "PAY-409" },
  { key: "PAY-410" },
  { key: "PAY-411" },
];

const CAPACITY_CREDITS = [3_000, 3_300, 3_100, 3_400];

/** Monday on or before `date`. */
function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/**
 * The running sprint's start: this week's Monday, or last week's on a Monday or Tuesday so the
 * sprint has some days of spend behind it. Two weeks always contain today either way.
 */
export function demoRunningSprintStart(today: string): string {
  const monday = mondayOf(today);
  const weekday = new Date(`${today}T00:00:00Z`).getUTCDay();
  return weekday === 1 || weekday === 2 ? addDays(monday, -7) : monday;
}

/**
 * The demo team's sprints, oldest first, with dates, capacity and the keys of the stories each one
 * held — for the spend seed to book spend on the right days and stories.
 */
export function listDemoSprints(db: DB, teamId: number) {
  return listSprintsWithStoryKeys(db, { teamId });
}

export async function seedSprints(ctx: DemoContext): Promise<void> {
  const { db, teamId } = ctx;
  if ((await listSprints(db, { teamId })).length > 0) return;
  const team = await db.selectFrom("teams").select(["timeZone"]).where("id", "=", teamId).executeTakeFirstOrThrow();
  const today = todayIn(team.timeZone, new Date());
  const manager = ctx.members.find((m) => m.role === "manager") ?? ctx.members[0]!;
  const owner = ctx.members.find((m) => m.role === "owner") ?? manager;
  const member = ctx.members.find((m) => m.role === "member") ?? manager;
  const estimators = ctx.members.filter((m) => m.role !== "observer");

  const runningStart = demoRunningSprintStart(today);
  const base = (n: number, start: string): SprintSettingsInput => ({
    name: `Sprint ${n}`,
    goal: "",
    start,
    end: addDays(start, 11),
    capacityKind: "credits",
    capacityCredits: 3_000,
    poolPlan: null,
    poolSeats: null,
    poolPerSeat: null,
    reservePercent: 10,
    commitBasis: "expected",
    exhaustionPolicy: "warn",
  });
  const GOALS = [
    "Card-on-file and statements",
    "Support tooling and the payouts job runner",
    "Multi-currency wallets",
    "Payment links and partner API",
    "Webhook reliability and key rotation",
  ];

  // Create every sprint first, so a closing sprint can carry its leftovers into the next one.
  const sprintIds: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = addDays(runningStart, -14 * (4 - i));
    const sprint = await createSprint(db, {
      teamId,
      createdBy: manager.id,
      ...base(21 + i, start),
      goal: GOALS[i]!,
      capacityCredits: CAPACITY_CREDITS[i]!,
    });
    sprintIds.push(sprint.id);
  }
  const running = await createSprint(db, {
    teamId,
    createdBy: manager.id,
    ...base(25, runningStart),
    goal: GOALS[4]!,
    // The seat pool: four Copilot Business seats, prorated to the sprint's working days.
    capacityKind: "pool",
    capacityCredits: null,
    poolPlan: "copilot-business",
    poolSeats: 4,
    reservePercent: 15,
    exhaustionPolicy: "approval",
  });
  sprintIds.push(running.id);

  // History: estimated stories, committed, mostly done, closed on the sprint's last day.
  const created = await createStories(db, {
    teamId,
    stories: HISTORY.flat().map(([n, title]) => ({
      key: `PAY-${n}`,
      title,
      link: `https://tracker.example.com/browse/PAY-${n}`,
      labels: [],
      description: "",
    })),
  });
  let turn = 0;
  for (let i = 0; i < HISTORY.length; i++) {
    const sprintId = sprintIds[i]!;
    for (const [n, , levels, done] of HISTORY[i]!) {
      const story = created.find((s) => s.key === `PAY-${n}`)!;
      const by = estimators[turn++ % estimators.length] ?? manager;
      await recordEstimate(db, { teamId, storyId: story.id, levels, source: "solo", createdBy: by.id });
      await commitStory(db, { teamId, sprintId, storyId: story.id, actorId: manager.id, actorIsManager: true });
      if (done) await setSprintStoryDone(db, { teamId, sprintId, storyId: story.id, done: true, actorId: by.id });
    }
    const end = addDays(addDays(runningStart, -14 * (4 - i)), 11);
    // Carried-over stories are finished in the following sprint.
    const carried = await closeSprint(db, {
      teamId,
      sprintId,
      actorId: manager.id,
      destination: { kind: "sprint", sprintId: sprintIds[i + 1]! },
      timeZone: team.timeZone,
      now: new Date(`${end}T16:30:00Z`),
    });
    if (i + 1 < HISTORY.length) {
      for (const storyId of carried.plan.carried) {
        await setSprintStoryDone(db, { teamId, sprintId: sprintIds[i + 1]!, storyId, done: true, actorId: member.id });
      }
    }
  }

  // The running sprint: backlog stories, two done already, one without an estimate (unknown
  // load, committed by a manager with a reason), and a member's pending over-capacity request.
  for (const { key, done } of RUNNING) {
    const story = await getStoryByKey(db, { teamId, key });
    if (!story || story.estimateId === null) continue;
    await commitStory(db, {
      teamId,
      sprintId: running.id,
      storyId: story.id,
      actorId: manager.id,
      actorIsManager: true,
    });
    if (done)
      await setSprintStoryDone(db, { teamId, sprintId: running.id, storyId: story.id, done: true, actorId: member.id });
  }
  const flaky = await getStoryByKey(db, { teamId, key: "PAY-415" });
  if (flaky) {
    await commitStory(db, {
      teamId,
      sprintId: running.id,
      storyId: flaky.id,
      actorId: manager.id,
      actorIsManager: true,
      reason: "The flaky settlement test blocks every release; we cannot size it before looking.",
    });
  }
  const big = await getStoryByKey(db, { teamId, key: "PAY-414" });
  if (big) {
    await commitStory(db, {
      teamId,
      sprintId: running.id,
      storyId: big.id,
      actorId: member.id,
      actorIsManager: false,
      reason: "The SDK v4 end-of-life is in January; starting now avoids a rushed upgrade.",
    });
  }
  const allocations = [
    { userId: owner.id, credits: 600 },
    { userId: manager.id, credits: 400 },
    ...ctx.members.filter((m) => m.role === "member").map((m) => ({ userId: m.id, credits: 1_000 })),
  ];
  await setAllocations(db, { teamId, sprintId: running.id, allocations });
}
