// Demo step: a payments team's backlog, about forty stories with PAY-4xx keys, labels and tracker
// links, a third of them with solo quick estimates at varied levels. Skips a team that has stories.
import { createStories, recordEstimate, teamHasStories } from "~/models/story.server";
import type { DemoContext } from "./demo";

type Levels = { intensity: string; autonomy: string; risk: string };
type SeedStory = [key: number, title: string, labels: string[], estimate?: Levels, description?: string];

const L = (intensity: string, autonomy: string, risk: string): Levels => ({ intensity, autonomy, risk });

const STORIES: SeedStory[] = [
  [
    401,
    "Retry failed payout webhooks with exponential backoff",
    ["api", "infra"],
    L("standard", "delegate", "medium"),
    "Payouts webhooks fail ~0.4 % of the time on the partner side; today we drop them. Retry with backoff and a dead-letter queue.",
  ],
  [402, "Show refund status on the customer receipt page", ["ui", "checkout"], L("light", "pair", "low")],
  [
    403,
    "Rotate API signing keys without downtime",
    ["api", "infra"],
    L("frontier", "pair", "high"),
    "Two active keys during the rotation window; clients verify against both.",
  ],
  [
    404,
    "Split invoice PDF generation out of the request path",
    ["billing", "infra"],
    L("standard", "delegate", "high"),
  ],
  [405, "Add idempotency keys to the create-charge endpoint", ["api"], L("standard", "pair", "medium")],
  [406, "Fix rounding of multi-currency totals in the cart", ["checkout", "billing"], L("light", "assist", "low")],
  [407, "Document the dispute webhook payloads", ["docs", "api"], L("light", "delegate", "low")],
  [408, "Contract tests for the card vault client", ["tests"], L("standard", "delegate", "low")],
  [
    409,
    "Migrate ledger reports to the new warehouse",
    ["billing", "infra"],
    L("frontier", "autonomous", "high"),
    "Thirty-odd report queries, each with a slightly different notion of 'settled'.",
  ],
  [410, "Apple Pay button on the mobile checkout", ["ui", "checkout"], L("standard", "pair", "medium")],
  [411, "Rate-limit the public payment-links API", ["api", "infra"], L("standard", "delegate", "medium")],
  [412, "Retry webhooks delivery dashboard for support", ["ui"], L("light", "pair", "medium")],
  [413, "Replace the hand-rolled currency table with ISO 4217 data", ["billing"], L("light", "delegate", "low")],
  [414, "Upgrade the payment SDK to v5 across services", ["infra", "tests"], L("frontier-max", "autonomous", "high")],
  [415, "Flaky settlement end-to-end test", ["tests"]],
  [416, "Explain declined-card reasons in plain language", ["ui", "checkout", "docs"]],
  [417, "Partial captures for marketplace orders", ["api", "billing"]],
  [418, "Audit log for refund approvals", ["api", "billing"]],
  [419, "Dark mode for the merchant dashboard", ["ui"]],
  [420, "Alert when payout batches stall for more than an hour", ["infra"]],
  [421, "3-D Secure 2 challenge flow in the embedded form", ["checkout", "ui"]],
  [422, "Export disputes as CSV", ["api", "docs"]],
  [423, "Remove the legacy PayPal v1 integration", ["infra", "checkout"]],
  [424, "Tax ID validation for EU business customers", ["billing"]],
  [425, "Chargeback evidence upload", ["api", "ui"]],
  [426, "Speed up the transactions search (p95 over 2 s)", ["api", "infra"]],
  [427, "Property tests for the fee calculator", ["tests", "billing"]],
  [428, "Runbook for a stuck settlement file", ["docs", "infra"]],
  [429, "Saved cards: let customers rename and delete them", ["ui", "checkout"]],
  [430, "Proration when a plan changes mid-cycle", ["billing"]],
  [431, "Webhook signature verification examples in four languages", ["docs", "api"]],
  [432, "SEPA direct debit mandates", ["checkout", "billing", "api"]],
  [433, "Refund-to-wallet option for failed card refunds", ["checkout", "billing"]],
  [434, "Merchant onboarding: KYC document status page", ["ui"]],
  [435, "Load test the checkout API at 3× Black Friday peak", ["tests", "infra"]],
  [436, "Reconcile payouts against bank statements automatically", ["billing", "infra"]],
  [437, "Accessibility pass over the hosted payment page", ["ui", "checkout", "tests"]],
  [438, "Deprecation notices for API v2 endpoints", ["docs", "api"]],
  [439, "Currency conversion fee shown before payment", ["checkout", "ui"]],
  [440, "Clean up feature flags left from the 2025 checkout redesign", ["infra"]],
];

export async function seedBacklog(ctx: DemoContext): Promise<void> {
  if (await teamHasStories(ctx.db, ctx.teamId)) return;
  const created = await createStories(ctx.db, {
    teamId: ctx.teamId,
    stories: STORIES.map(([n, title, labels, , description]) => ({
      key: `PAY-${n}`,
      title,
      link: `https://tracker.example.com/browse/PAY-${n}`,
      labels,
      description: description ?? "",
    })),
  });
  // Quick estimates by the people who would make them (not the observer), in turn.
  const estimators = ctx.members.filter((m) => m.role !== "observer");
  let turn = 0;
  for (const [n, , , levels] of STORIES) {
    if (!levels) continue;
    const story = created.find((s) => s.key === `PAY-${n}`)!;
    const by = estimators[turn++ % estimators.length] ?? null;
    await recordEstimate(ctx.db, {
      teamId: ctx.teamId,
      storyId: story.id,
      levels,
      source: "solo",
      createdBy: by?.id ?? null,
    });
  }
}
