// Demo step (after backlog, sprints and poker): the demo team's actual spend, brought in through the
// real importers — Claude Code session logs, a LiteLLM gateway's spend log and a Copilot AI usage
// report are generated in memory and imported like uploaded files. Each sprint story spends around
// its estimate (log-normal, σ ≈ 0.3) with a heavy tail, so a few stories drift 5–30×; Copilot usage
// and a couple of key-less sessions stay unattributed for the inbox; two calls use a model the rate
// card does not know. Done stories of closed sprints get outcome notes. Skips a team that has spend.
import { addDays, todayIn } from "~/domain/capacity";
import { CAUSE_TAGS, hasDrifted, spendRatio, type CauseTagId, type ReviewBurdenId } from "~/domain/outcome";
import { findRate, type RateCard } from "~/domain/spend/rate-card";
import { getRateCard } from "~/models/rate.server";
import { importSpendFile, mapIdentity } from "~/models/spend.server";
import { saveStoryOutcome } from "~/models/story-outcome.server";
import { getStoryByKey, listStories } from "~/models/story.server";
import type { DemoContext } from "./demo";
import { mulberry32 } from "./random";
import { listDemoSprints } from "./sprints";

/** The demo's generator (./random.ts), with the draws the spend seed needs. */
function random(seed: number) {
  const next = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join("");
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  return { next, normal, pick, hex, uuid };
}

type Rng = ReturnType<typeof random>;

interface StoryPlan {
  key: string;
  title: string;
  credits: number;
  days: string[];
  intensity: string | null;
}

const MODEL_BY_INTENSITY: Record<string, string> = {
  light: "claude-haiku-4-5",
  standard: "claude-sonnet-4-6",
  frontier: "claude-opus-4-7",
  "frontier-max": "claude-opus-4-7",
};

/** Workdays from `start` to `end` (inclusive). */
function workdays(start: string, end: string): string[] {
  const days: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) {
    const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(d);
  }
  return days;
}

/** Actual / expected: log-normal around 1 (σ 0.3); about one story in ten drifts 5–30× over. */
function spendFactor(rng: Rng): number {
  let factor = Math.exp(0.3 * rng.normal());
  if (rng.next() < 0.1) factor *= 5 + 25 * rng.next() ** 2;
  return Math.min(factor, 30);
}

/** Token counts for one call that cost about `usd` on `model` (a plausible cache-heavy agent turn). */
function tokensFor(card: RateCard, model: string, usd: number, rng: Rng) {
  const rate = findRate(card, model);
  const perToken = (price: number | null | undefined, fallback: number) => (price ?? fallback) / 1_000_000;
  const input = rate ? perToken(rate.inputUsdPerMTok, 3) : 3e-6;
  const read = rate ? perToken(rate.cacheReadUsdPerMTok, rate.inputUsdPerMTok) : 3e-7;
  const write = rate ? perToken(rate.cacheWriteUsdPerMTok, rate.inputUsdPerMTok) : 3.75e-6;
  const output = rate ? perToken(rate.outputUsdPerMTok, 15) : 1.5e-5;
  const jitter = () => 0.7 + 0.6 * rng.next();
  return {
    input_tokens: Math.max(1, Math.round(((0.02 * usd) / input) * jitter())),
    cache_read_input_tokens: Math.round(((0.43 * usd) / read) * jitter()),
    cache_creation_input_tokens: Math.round(((0.2 * usd) / write) * jitter()),
    output_tokens: Math.max(1, Math.round(((0.35 * usd) / output) * jitter())),
  };
}

const PEOPLE = [
  { copilot: "dana-demo", home: "dana", email: "demo@example.com" },
  { copilot: "sam-okafor", home: "sam", email: "sam@example.com" },
  { copilot: "kim-laine", home: "kim", email: "kim@example.com" },
  { copilot: "ari-m", home: "ari", email: "ari@example.com" },
];

function slugOf(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 30)
    .replace(/-$/, "");
}

/** Claude Code session logs (one JSONL file) for the stories' agent work, plus key-less sessions. */
function claudeLog(plans: StoryPlan[], card: RateCard, rng: Rng, strays: { day: string; credits: number }[]): string {
  const lines: string[] = [];
  const session = (opts: {
    branch: string;
    day: string;
    credits: number;
    model: string;
    calls: number;
    person: (typeof PEOPLE)[number];
    odd?: boolean;
  }) => {
    const sessionId = rng.uuid();
    const cwd = `/home/${opts.person.home}/src/payments-api`;
    let clock = Date.parse(`${opts.day}T08:30:00Z`) + Math.floor(rng.next() * 6 * 3_600_000);
    let parent: string | null = null;
    const user = rng.uuid();
    lines.push(
      JSON.stringify({
        parentUuid: null,
        isSidechain: false,
        userType: "external",
        cwd,
        sessionId,
        version: "2.1.260",
        gitBranch: opts.branch,
        type: "user",
        uuid: user,
        timestamp: new Date(clock).toISOString(),
        message: { role: "user", content: "Let's work on this story." },
      }),
    );
    parent = user;
    for (let c = 0; c < opts.calls; c++) {
      clock += 5_000 + Math.floor(rng.next() * 90_000);
      const uuid = rng.uuid();
      const model = opts.odd && c < 2 ? "acme-internal-coder" : opts.model;
      const usage = tokensFor(card, opts.model, (opts.credits * 0.01) / opts.calls, rng);
      lines.push(
        JSON.stringify({
          parentUuid: parent,
          isSidechain: c % 7 === 6,
          userType: "external",
          cwd,
          sessionId,
          version: "2.1.260",
          gitBranch: opts.branch,
          type: "assistant",
          uuid,
          timestamp: new Date(clock).toISOString(),
          requestId: `req_${rng.hex(20)}`,
          message: {
            id: `msg_${rng.hex(20)}`,
            type: "message",
            role: "assistant",
            model,
            content: [{ type: "text", text: "…" }],
            stop_reason: "tool_use",
            usage: { ...usage, service_tier: "standard" },
          },
        }),
      );
      parent = uuid;
    }
  };
  for (const plan of plans) {
    const share = plan.credits * 0.75;
    if (share < 0.5 || plan.days.length === 0) continue;
    const model = MODEL_BY_INTENSITY[plan.intensity ?? "standard"] ?? "claude-sonnet-4-6";
    // One session per spend day, at most four: agent work on a story spans a few days.
    const days = plan.days.slice(0, 4);
    for (let i = 0; i < days.length; i++) {
      const credits = share / days.length;
      session({
        branch: `feature/${plan.key}-${slugOf(plan.title)}`,
        day: days[i]!,
        credits,
        model,
        calls: Math.max(2, Math.min(40, Math.round(credits / 6))),
        person: rng.pick(PEOPLE.slice(0, 3)),
        odd: plan.key === plans[plans.length - 1]?.key && i === 0,
      });
    }
  }
  // Exploratory sessions on main: no key anywhere, so they wait in the inbox for a person.
  for (const stray of strays) {
    session({
      branch: "main",
      day: stray.day,
      credits: stray.credits,
      model: "claude-sonnet-4-6",
      calls: 6,
      person: rng.pick(PEOPLE),
    });
  }
  return `${lines.join("\n")}\n`;
}

const LITELLM_HEADER =
  "request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,startTime,endTime,request_duration_ms,model,model_group,custom_llm_provider,user,team_id,end_user,request_tags,session_id,status";

/** The LiteLLM gateway's spend log: Codex runs tagged story:KEY (a quarter of each story's spend). */
function litellmLog(plans: StoryPlan[], rng: Rng): string {
  const rows = [LITELLM_HEADER];
  for (const plan of plans) {
    const share = plan.credits * 0.25;
    if (share < 0.5 || plan.days.length === 0) continue;
    const sessionId = rng.uuid();
    const calls = Math.max(1, Math.min(12, Math.round(share / 8)));
    const person = rng.pick(PEOPLE);
    for (let c = 0; c < calls; c++) {
      const day = plan.days[c % plan.days.length]!;
      const start = new Date(Date.parse(`${day}T10:00:00Z`) + Math.floor(rng.next() * 7 * 3_600_000));
      const usd = (share * 0.01) / calls;
      const prompt = Math.round((usd * 0.6) / 1.25e-6);
      const completion = Math.max(1, Math.round((usd * 0.4) / 1e-5));
      const end = new Date(start.getTime() + 2_000 + Math.floor(rng.next() * 20_000));
      const tags = `"[""story:${plan.key}"",""tool:codex""]"`;
      rows.push(
        [
          `chatcmpl-${rng.hex(12)}`,
          "acompletion",
          rng.hex(8),
          usd.toFixed(7),
          prompt + completion,
          prompt,
          completion,
          start.toISOString(),
          end.toISOString(),
          end.getTime() - start.getTime(),
          "gpt-5.4",
          "gpt-5.4",
          "openai",
          person.email,
          "team-payments",
          "",
          tags,
          sessionId,
          "success",
        ].join(","),
      );
    }
  }
  return `${rows.join("\n")}\n`;
}

const COPILOT_HEADER =
  "date,username,product,sku,model,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,total_monthly_quota,organization,repository,cost_center_name";

/** GitHub Copilot's AI usage report: per person, day and model — no story, so it lands in the inbox. */
function copilotReport(days: string[], rng: Rng): string {
  const rows = [COPILOT_HEADER];
  const models = ["Claude Sonnet 4.6", "GPT-5.4", "Auto: Claude Haiku 4.5"];
  for (const day of days) {
    for (const person of PEOPLE) {
      if (rng.next() < 0.3) continue;
      const credits = Number((2 + 18 * rng.next() ** 2).toFixed(3));
      const usd = (credits * 0.01).toFixed(5);
      const repository = rng.pick(["acme-pay/payments-api", "acme-pay/checkout-web"]);
      const sku = rng.next() < 0.2 ? "coding_agent_ai_credit" : "copilot_ai_credit";
      rows.push(
        [
          day,
          person.copilot,
          "copilot",
          sku,
          rng.pick(models),
          credits,
          "ai-credits",
          "0.01",
          usd,
          usd,
          "0",
          "1900",
          "acme-pay",
          repository,
          "Payments",
        ].join(","),
      );
    }
  }
  return `${rows.join("\n")}\n`;
}

const BOUGHT = [
  "Merged PR with tests; the agent did the plumbing, we reviewed the edge cases.",
  "A working first version and a list of follow-ups.",
  "Merged after one review round.",
  "Spike answer: the approach works, the estimate for the real thing holds.",
  "Merged PR; most of the spend went into getting the integration tests green.",
];

export async function seedSpend(ctx: DemoContext): Promise<void> {
  const { db, teamId } = ctx;
  const any = await db.selectFrom("spendEntries").select("id").where("teamId", "=", teamId).limit(1).executeTakeFirst();
  if (any) return;
  const team = await db.selectFrom("teams").select(["timeZone"]).where("id", "=", teamId).executeTakeFirstOrThrow();
  const today = todayIn(team.timeZone, new Date());
  const card = await getRateCard(db, teamId);
  const rng = random(412);
  const owner = ctx.members.find((m) => m.role === "owner") ?? ctx.members[0]!;

  // Which stories spend when: the sprint seed's sprints, or (without sprints) the estimated backlog
  // over the last two weeks.
  const sprints = await listDemoSprints(db, teamId);
  const windows: { start: string; end: string; closed: boolean; keys: { key: string; status: string }[] }[] =
    sprints.length
      ? sprints.map((s) => ({
          start: s.start,
          end: s.end < today ? s.end : today,
          closed: s.closed,
          keys: s.stories.filter((st) => st.key).map((st) => ({ key: st.key!, status: st.status })),
        }))
      : [
          {
            start: addDays(today, -13),
            end: today,
            closed: false,
            keys: (await listStories(db, { teamId, limit: 30 }))
              .filter((s) => s.key && s.expectedCredits !== null)
              .slice(0, 10)
              .map((s) => ({ key: s.key!, status: s.status })),
          },
        ];

  const plans: StoryPlan[] = [];
  const seen = new Set<string>();
  for (const w of windows) {
    const days = workdays(w.start, w.end);
    if (days.length === 0) continue;
    for (const { key, status } of w.keys) {
      if (seen.has(key)) continue;
      seen.add(key);
      const story = await getStoryByKey(db, { teamId, key });
      if (!story) continue;
      const expected = story.expectedCredits ?? 60;
      // Work not finished yet has spent part of its budget so far.
      const progress = status === "done" ? 1 : 0.3 + 0.5 * rng.next();
      const credits = expected * spendFactor(rng) * progress;
      const first = Math.floor(rng.next() * Math.max(1, days.length - 3));
      plans.push({
        key,
        title: story.title,
        credits,
        days: days.slice(first, first + 2 + Math.floor(rng.next() * 4)),
        intensity: story.intensity,
      });
    }
  }

  const recent = workdays(addDays(today, -27), today);
  const strays = recent.length
    ? [0.2, 0.55, 0.9].map((f) => ({
        day: recent[Math.floor(f * (recent.length - 1))]!,
        credits: 20 + 60 * rng.next(),
      }))
    : [];
  const files: [string, string][] = [
    ["claude-code-sessions.jsonl", claudeLog(plans, card, rng, strays)],
    ["litellm-spend-logs.csv", litellmLog(plans, rng)],
    ["copilot-ai-usage.csv", copilotReport(recent, rng)],
  ];
  ctx.copilotReport = files[2]![1];
  for (const [fileName, text] of files) {
    const result = await importSpendFile(db, text, { teamId, fileName, via: "seed", userId: owner.id });
    if (result.status !== "imported") {
      throw new Error(
        `demo spend: ${fileName} was rejected: ${result.errors.map((e) => `line ${e.line}: ${e.reason}`).join("; ")}`,
      );
    }
  }

  // Identities: three people mapped, one left for the Identities page to ask about.
  for (const person of PEOPLE.slice(0, 3)) {
    const member = ctx.members.find((m) => m.email === person.email);
    if (member) await mapIdentity(db, { teamId, identity: person.copilot, userId: member.id, createdBy: owner.id });
  }

  // Outcome notes for the done stories of closed sprints, with causes where they drifted.
  const closedKeys = windows
    .filter((w) => w.closed)
    .flatMap((w) => w.keys.filter((k) => k.status === "done").map((k) => k.key));
  const overCauses = CAUSE_TAGS.filter((t) => t.direction === "over").map((t) => t.id);
  const underCauses = CAUSE_TAGS.filter((t) => t.direction === "under").map((t) => t.id);
  const burdens: ReviewBurdenId[] = ["none", "light", "light", "moderate", "heavy"];
  for (const key of closedKeys) {
    const story = await getStoryByKey(db, { teamId, key });
    const plan = plans.find((p) => p.key === key);
    if (!story || !plan) continue;
    const ratio = spendRatio(story.expectedCredits, plan.credits);
    const causeTags: CauseTagId[] = hasDrifted(ratio) ? [rng.pick(ratio! > 1 ? overCauses : underCauses)] : [];
    await saveStoryOutcome(db, {
      teamId,
      storyId: story.id,
      recordedBy: owner.id,
      markDone: false,
      bought: rng.pick(BOUGHT),
      reviewBurden: rng.pick(burdens),
      causeTags,
      note: hasDrifted(ratio) && ratio! > 1 ? "The agent kept retrying a failing migration before anyone looked." : "",
    });
  }
}
