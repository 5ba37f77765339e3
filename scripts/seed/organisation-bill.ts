// Demo step (inside the organisation's): Acme's own Copilot report, imported through the bill page's
// importer, so the Bill page's reconciliation has all three kinds of rows on first start:
//   - placed: the demo team's own Copilot rows (the same file its spend step imported — the team's
//     spend does not grow, the dedupe keys match) and Platform's and Mobile's owners' rows (their
//     teams map those names), which land in those teams' spend;
//   - not placed: "ravi-m", who works in Platform and in Mobile (both teams map the name), and
//     "jo-contractor", whom no team maps (the demo team's unmapped "ari-m" waits too);
//   - organisation level: code review rows, which carry no user.
// It covers last month and this month up to today, with rows of every kind today, so the current
// month (the page's default) shows them even on the 1st.
import { randomBytes } from "node:crypto";
import { addDays } from "~/domain/capacity";
import { firstDayOfMonth, previousMonth } from "~/domain/organisation/billing-month";
import { importOrganisationReport } from "~/models/organisation-spend.server";
import { mapIdentity } from "~/models/spend.server";
import { addMember } from "~/models/team.server";
import { createUser, getUserByEmail } from "~/models/user.server";
import type { DB } from "~/utils/db.server";
import { mulberry32 } from "./random";

const HEADER =
  "date,username,product,sku,model,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,total_monthly_quota,organization,repository,cost_center_name";

interface BillTeam {
  id: number;
  slug: string;
  ownerId: number;
}

/** Who spends on the bill besides the demo team's people; `null` user = a row without a user. */
interface Spender {
  user: string | null;
  /** Share of days with a row (today always has one). */
  odds: number;
  /** Credits of a row: `min` plus up to `spread`. */
  min: number;
  spread: number;
  repository: string;
  costCenter: string;
  sku: string;
  models: string[];
}

const MODELS = ["Claude Sonnet 4.6", "GPT-5.4", "Auto: Claude Haiku 4.5"];

const SPENDERS: Spender[] = [
  {
    user: "pia-platform",
    odds: 0.75,
    min: 4,
    spread: 30,
    repository: "acme-pay/infra",
    costCenter: "Platform & Mobile",
    sku: "copilot_ai_credit",
    models: MODELS,
  },
  {
    user: "mo-mobile",
    odds: 0.85,
    min: 8,
    spread: 45,
    repository: "acme-pay/mobile-app",
    costCenter: "Platform & Mobile",
    sku: "coding_agent_ai_credit",
    models: MODELS,
  },
  {
    user: "ravi-m",
    odds: 0.5,
    min: 3,
    spread: 20,
    repository: "acme-pay/mobile-app",
    costCenter: "Platform & Mobile",
    sku: "copilot_ai_credit",
    models: MODELS,
  },
  {
    user: "jo-contractor",
    odds: 0.3,
    min: 2,
    spread: 15,
    repository: "acme-pay/checkout-web",
    costCenter: "Payments",
    sku: "copilot_ai_credit",
    models: MODELS,
  },
  {
    user: null,
    odds: 0.6,
    min: 1,
    spread: 10,
    repository: "acme-pay/payments-api",
    costCenter: "Payments",
    sku: "code_quality_ai_credit",
    models: ["Code Review model"],
  },
];

/** The other spenders' rows, from the 1st of last month (UTC) to `today`: weekdays, and today always. */
export function organisationReportRows(today: string): string[] {
  const rng = mulberry32(1017);
  const rows: string[] = [];
  for (let day = firstDayOfMonth(previousMonth(today.slice(0, 7))); day <= today; day = addDays(day, 1)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    const isToday = day === today;
    if (!isToday && (weekday === 0 || weekday === 6)) continue;
    for (const s of SPENDERS) {
      if (rng() >= s.odds && !isToday) continue;
      const credits = Number((s.min + s.spread * rng() ** 2).toFixed(3));
      const usd = (credits * 0.01).toFixed(5);
      const model = s.models[Math.floor(rng() * s.models.length)]!;
      rows.push(
        [
          day,
          s.user ?? "",
          "copilot",
          s.sku,
          model,
          credits,
          "ai-credits",
          "0.01",
          usd,
          usd,
          "0",
          "1900",
          "acme-pay",
          s.repository,
          s.costCenter,
        ].join(","),
      );
    }
  }
  return rows;
}

export async function seedOrganisationBill(
  db: DB,
  input: {
    organisationId: number;
    adminId: number;
    platform: BillTeam;
    mobile: BillTeam;
    today: string;
    /** The demo team's Copilot report, when this run's spend step made it. */
    demoTeamReport: string | undefined;
  },
): Promise<void> {
  const { platform, mobile } = input;
  // The teams map their people's tool names, as a manager would on the team's Identities page.
  await mapIdentity(db, { teamId: platform.id, identity: "pia-platform", userId: platform.ownerId, createdBy: null });
  await mapIdentity(db, { teamId: mobile.id, identity: "mo-mobile", userId: mobile.ownerId, createdBy: null });
  const ravi =
    (await getUserByEmail(db, "ravi@example.com")) ??
    (await createUser(db, {
      email: "ravi@example.com",
      name: "Ravi Menon",
      password: randomBytes(18).toString("base64url"),
    }));
  for (const team of [platform, mobile]) {
    await addMember(db, { teamId: team.id, userId: ravi.id, role: "member" });
    await mapIdentity(db, { teamId: team.id, identity: "ravi-m", userId: ravi.id, createdBy: team.ownerId });
  }

  const demoRows = (input.demoTeamReport ?? "")
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "");
  const text = `${[HEADER, ...demoRows, ...organisationReportRows(input.today)].join("\n")}\n`;
  const result = await importOrganisationReport(db, text, {
    organisationId: input.organisationId,
    fileName: "acme-copilot-usage.csv",
    via: "seed",
    userId: input.adminId,
  });
  if (result.status !== "imported") {
    throw new Error(
      `demo organisation bill was rejected: ${result.errors.map((e) => `line ${e.line}: ${e.reason}`).join("; ")}`,
    );
  }
}
