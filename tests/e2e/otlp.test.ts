// Agents in the loop, end to end against the built server: the OpenTelemetry JS SDK's own exporters
// (standing in for Claude Code, which uses the same SDK) push logs, metrics and traces over
// OTLP/HTTP — JSON and protobuf, gzip — into a team; the open story page shows the spend without a
// reload; the budget guard (API and Claude Code HTTP hook) stops a hard-stop story past p80 and lets
// it continue after a manager's extension. On the embedded database, and on PostgreSQL when
// DATABASE_URL is set.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgresDatabase } from "../../scripts/lib/fresh-database";
import { chromiumPath, launchBrowser } from "../helpers/browser";
import { shareLogin } from "../helpers/poker-fixture";
import { startTestServer, type HttpClient, type TestServer } from "../helpers/server";
import { createTeam, joinWithRole, signUp } from "../helpers/team-fixture";

const claudeSample = readFileSync("tests/fixtures/samples/claude-code-otlp-logs.json", "utf8");
const databaseUrl = process.env.DATABASE_URL || "";

async function createToken(
  client: HttpClient,
  slug: string,
  name: string,
  scope: "team" | "ingest" = "team",
  userId = "",
) {
  const res = await client.post(`/t/${slug}/settings/tokens`, { intent: "create", name, scope, userId });
  expect(res.status).toBe(200);
  return /tpk_[A-Za-z0-9_-]+/.exec(await res.text())![0];
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates PAY-412 (50 expected / 75 p80) and a running hard-stop sprint holding it. */
async function storyInHardStopSprint(owner: HttpClient, slug: string) {
  const created = await owner.post(`/t/${slug}/backlog/new`, {
    intent: "create",
    key: "PAY-412",
    title: "Retry payments",
  });
  const storyId = /\/stories\/(\d+)$/.exec(created.headers.get("location") ?? "")![1]!;
  expect(
    (
      await owner.post(`/t/${slug}/stories/${storyId}`, {
        intent: "estimate",
        intensity: "standard",
        autonomy: "pair",
        risk: "low",
      })
    ).status,
  ).toBe(200);
  const today = new Date().toISOString().slice(0, 10);
  const sprint = await owner.post(`/t/${slug}/sprints/new`, {
    name: "Guarded",
    goal: "",
    start: today,
    end: today,
    capacityKind: "credits",
    capacityCredits: "100000",
    reservePercent: "0",
    commitBasis: "expected",
    exhaustionPolicy: "hard-stop",
  });
  const sprintId = /\/sprints\/(\d+)$/.exec(sprint.headers.get("location") ?? "")![1]!;
  expect((await owner.post(`/t/${slug}/sprints/${sprintId}?index`, { intent: "commit", storyId })).status).toBe(200);
  return { storyId, sprintId };
}

function suite(engine: string, env: () => Record<string, string>) {
  describe(`OTLP receiver and budget guard (${engine})`, () => {
    let server: TestServer;
    let owner: HttpClient & { email: string };
    let token: string;
    let ingest: string;
    const slug = `agents-${randomBytes(3).toString("hex")}`;
    let storyId: string;
    let sprintId: string;

    const budget = async (key = "PAY-412", auth = token) => {
      const res = await fetch(new URL(`/api/v1/teams/${slug}/stories/${key}/budget`, server.url), {
        headers: { Authorization: `Bearer ${auth}` },
      });
      return {
        status: res.status,
        body: (await res.json()) as Record<string, unknown> & { spent: number; decision: string; reason: string },
      };
    };
    const hook = async (event: Record<string, unknown>, query = "", auth = ingest) => {
      const res = await fetch(new URL(`/api/v1/teams/${slug}/hooks/claude${query}`, server.url), {
        method: "POST",
        headers: { Authorization: `Bearer ${auth}`, "Content-Type": "application/json" },
        body: JSON.stringify(event),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const post = (path: string, body: BodyInit, headers: Record<string, string>) =>
      fetch(new URL(path, server.url), {
        method: "POST",
        body,
        headers: { Authorization: `Bearer ${token}`, ...headers },
      });

    beforeAll(async () => {
      server = await startTestServer({ env: env() });
      owner = await signUp(server.url, "Olu Owner");
      await createTeam(owner, "Agents", slug);
      token = await createToken(owner, slug, "CI");
      ingest = await createToken(owner, slug, "Olu's laptop", "ingest");
      ({ storyId, sprintId } = await storyInHardStopSprint(owner, slug));
    });
    afterAll(async () => server?.stop());

    it("takes Claude Code's recorded log export (OTLP/JSON, gzip): one entry per api_request, nothing of the prompt", async () => {
      const res = await post("/otlp/v1/logs", gzipSync(claudeSample), {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({});
      const { body } = await budget();
      expect(body.spent).toBe(3.265);
      // A retried export changes nothing.
      expect((await post("/otlp/v1/logs", claudeSample, { "Content-Type": "application/json" })).status).toBe(200);
      expect((await budget()).body.spent).toBe(3.265);
      const page = await (await owner.request(`/t/${slug}/stories/${storyId}/spend`)).text();
      expect(page).not.toContain("hunter2");
      expect(page).toContain("otlp");
    });

    it("answers as OTLP says: 401, 415, 400, 413, and partial success for records it cannot read", async () => {
      expect(
        (
          await fetch(new URL("/otlp/v1/logs", server.url), {
            method: "POST",
            body: "{}",
            headers: { "Content-Type": "application/json" },
          })
        ).status,
      ).toBe(401);
      expect(
        (await post("/otlp/v1/logs", "{}", { Authorization: "Bearer tpk_nope", "Content-Type": "application/json" }))
          .status,
      ).toBe(401);
      expect((await post("/otlp/v1/logs", "{}", { "Content-Type": "text/plain" })).status).toBe(415);
      expect(
        (await post("/otlp/v1/logs", "{}", { "Content-Type": "application/json", "Content-Encoding": "br" })).status,
      ).toBe(415);
      expect((await post("/otlp/v1/logs", "{not json", { "Content-Type": "application/json" })).status).toBe(400);
      expect(
        (await post("/otlp/v1/logs", Buffer.from([0xff, 0xff, 0xff]), { "Content-Type": "application/x-protobuf" }))
          .status,
      ).toBe(400);
      expect(
        (
          await post("/otlp/v1/logs", Buffer.from("not gzip"), {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
          })
        ).status,
      ).toBe(400);
      // A gzip bomb: 40 MiB of spaces in well under the limit on the wire.
      const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, " "));
      expect(
        (await post("/otlp/v1/logs", bomb, { "Content-Type": "application/json", "Content-Encoding": "gzip" })).status,
      ).toBe(413);
      const partial = await post(
        "/otlp/v1/logs",
        JSON.stringify({
          resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "claude_code.api_request" } }] }] }],
        }),
        { "Content-Type": "application/json" },
      );
      expect(partial.status).toBe(200);
      expect(await partial.json()).toEqual({
        partialSuccess: { rejectedLogRecords: "1", errorMessage: expect.stringMatching(/no timestamp/) },
      });
      expect((await fetch(new URL("/otlp/v1/logs", server.url))).status).toBe(405);
    });

    it("takes the SDK's protobuf log and JSON trace exporters, attributed by story.id", async () => {
      const before = (await budget()).body.spent;
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({ "service.name": "claude-code", "story.id": "PAY-412" }),
        processors: [
          new SimpleLogRecordProcessor(
            new ProtoLogExporter({
              url: `${server.url}/otlp/v1/logs`,
              headers: { Authorization: `Bearer ${ingest}` },
              compression: "gzip" as never,
            }),
          ),
        ],
      });
      provider.getLogger("com.anthropic.claude_code.events").emit({
        body: "claude_code.api_request",
        timestamp: Date.now(),
        attributes: {
          "event.name": "api_request",
          "event.sequence": 1,
          "session.id": "proto-1",
          model: "claude-sonnet-4-6",
          cost_usd: 0.1,
          input_tokens: 10,
          output_tokens: 5,
        },
      });
      await provider.forceFlush();
      await provider.shutdown();
      await until(
        () => budget(),
        (b) => b.body.spent >= before + 10,
      );

      const tracer = new BasicTracerProvider({
        resource: resourceFromAttributes({ "story.id": "PAY-412" }),
        spanProcessors: [
          new SimpleSpanProcessor(
            new JsonTraceExporter({
              url: `${server.url}/otlp/v1/traces`,
              headers: { Authorization: `Bearer ${ingest}` },
            }),
          ),
        ],
      });
      const span = tracer.getTracer("agent").startSpan("chat claude-sonnet-4-6", {
        attributes: {
          "gen_ai.request.model": "claude-sonnet-4-6",
          "gen_ai.usage.input_tokens": 100_000,
          "gen_ai.usage.output_tokens": 0,
        },
      });
      span.end();
      await tracer.forceFlush();
      await tracer.shutdown();
      // 100k input tokens of Sonnet at $3/Mtok = $0.30 = 30 credits.
      const after = await until(
        () => budget(),
        (b) => b.body.spent >= before + 40,
      );
      expect(after.body.spent).toBeCloseTo(before + 40, 5);
    });

    it("uses metrics only for sessions without per-call events, and drops them once events arrive", async () => {
      const before = (await budget()).body.spent;
      const exporter = new ProtoMetricExporter({
        url: `${server.url}/otlp/v1/metrics`,
        headers: { Authorization: `Bearer ${ingest}` },
      });
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
      const meters = new MeterProvider({
        resource: resourceFromAttributes({ "story.id": "PAY-412" }),
        readers: [reader],
      });
      const cost = meters.getMeter("com.anthropic.claude_code").createCounter("claude_code.cost.usage");
      cost.add(0.25, { "session.id": "metric-only", model: "claude-sonnet-4-6" });
      cost.add(0.5, { "session.id": "both", model: "claude-sonnet-4-6" });
      await meters.forceFlush();
      // Cumulative totals re-sent (and grown) replace themselves: 0.25 + 0.25 = 0.5 for metric-only.
      cost.add(0.25, { "session.id": "metric-only", model: "claude-sonnet-4-6" });
      await meters.forceFlush();
      await meters.shutdown();
      await until(
        () => budget(),
        (b) => b.body.spent >= before + 100,
      );
      expect((await budget()).body.spent).toBeCloseTo(before + 100, 5);

      // Session "both" now sends its per-call events: its metric entry goes, the event counts.
      const event = JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: "story.id", value: { stringValue: "PAY-412" } }] },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                    body: { stringValue: "claude_code.api_request" },
                    attributes: [
                      { key: "session.id", value: { stringValue: "both" } },
                      { key: "event.sequence", value: { intValue: "1" } },
                      { key: "cost_usd", value: { stringValue: "0.2" } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      });
      expect((await post("/otlp/v1/logs", event, { "Content-Type": "application/json" })).status).toBe(200);
      expect((await budget()).body.spent).toBeCloseTo(before + 50 + 20, 5);
    });

    it("shows arriving spend on the open story page without a reload", async ({ skip }) => {
      if (!chromiumPath()) skip();
      const browser = await launchBrowser();
      try {
        const context = await browser.newContext();
        await shareLogin(context, owner);
        const page = await context.newPage();
        await page.goto(`${server.url}/t/${slug}/stories/${storyId}`);
        const spent = page.getByTestId("budget-spent");
        const shown = await spent.textContent();
        // Wait until the page listens, then push one more call.
        await page.waitForSelector("html[data-live-spend=open]", { state: "attached" });
        const provider = new LoggerProvider({
          resource: resourceFromAttributes({ "story.id": "PAY-412" }),
          processors: [
            new SimpleLogRecordProcessor(
              new JsonLogExporter({
                url: `${server.url}/otlp/v1/logs`,
                headers: { Authorization: `Bearer ${ingest}` },
              }),
            ),
          ],
        });
        provider.getLogger("claude").emit({
          body: "claude_code.api_request",
          timestamp: Date.now(),
          attributes: { "session.id": "live-1", "event.sequence": 1, cost_usd: "0.05" },
        });
        await provider.forceFlush();
        await provider.shutdown();
        await page.waitForFunction(
          ([before]) => document.querySelector('[data-testid="budget-spent"]')?.textContent !== before,
          [shown],
        );
        expect(Number((await spent.textContent())!.replace(/,/g, ""))).toBeGreaterThan(
          Number(shown!.replace(/,/g, "")),
        );
      } finally {
        await browser.close();
      }
    });

    it("stops a hard-stop story past p80, and lets it continue after a manager's extension", async () => {
      const past = await budget();
      expect(past.body.spent).toBeGreaterThan(75);
      expect(past.body).toMatchObject({
        decision: "stop",
        estimate: { expected: 50, p80: 75 },
        sprint: { policy: "hard-stop" },
      });
      expect(past.body.reason).toMatch(/past p80 75 credits/);
      const strict = await fetch(new URL(`/api/v1/teams/${slug}/stories/PAY-412/budget?strict=1`, server.url), {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(strict.status).toBe(409);

      const blocked = await hook(
        {
          session_id: "agent-7",
          hook_event_name: "PreToolUse",
          tool_name: "Bash",
          tool_input: { command: "cat secrets" },
        },
        "?story=PAY-412",
      );
      expect(blocked.status).toBe(200);
      expect(blocked.body).toMatchObject({ decision: "block", hookSpecificOutput: { permissionDecision: "deny" } });
      // The session is now the story's: a hook call without the key finds it.
      expect((await hook({ session_id: "agent-7", hook_event_name: "PreToolUse" })).body).toMatchObject({
        decision: "block",
      });
      // Unknown session: the team fails open by default.
      expect((await hook({ session_id: "stranger", hook_event_name: "PreToolUse" })).body).toEqual({});

      const extended = await owner.post(`/t/${slug}/stories/${storyId}`, {
        intent: "extend-budget",
        credits: "200",
        reason: "Flaky provider retries",
      });
      expect(extended.status).toBe(200);
      expect((await budget()).body.decision).toBe("continue");
      const next = await hook({ session_id: "agent-7", hook_event_name: "UserPromptSubmit", prompt: "go on" });
      expect(next.body).toMatchObject({
        hookSpecificOutput: {
          hookEventName: "UserPromptSubmit",
          additionalContext: expect.stringMatching(/credits left/),
        },
      });
      expect(next.body).not.toHaveProperty("decision");
    });

    it("lists a stopped story in the sprint's approval queue, where a manager extends it", async ({ skip }) => {
      if (!chromiumPath()) skip();
      // 3 USD more is 300 credits: past p80 + the 200 extended before.
      const call = JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: "story.id", value: { stringValue: "PAY-412" } }] },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                    body: { stringValue: "claude_code.api_request" },
                    attributes: [
                      { key: "session.id", value: { stringValue: "queue-1" } },
                      { key: "event.sequence", value: { stringValue: "1" } },
                      { key: "cost_usd", value: { stringValue: "3" } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      });
      expect((await post("/otlp/v1/logs", call, { "Content-Type": "application/json" })).status).toBe(200);
      expect((await budget()).body.decision).toBe("stop");
      const browser = await launchBrowser();
      try {
        const context = await browser.newContext();
        await shareLogin(context, owner);
        const page = await context.newPage();
        await page.goto(`${server.url}/t/${slug}/sprints/${sprintId}`);
        const queue = page.getByRole("region", { name: /Stopped by the budget guard/ });
        await queue.getByText("PAY-412", { exact: true }).waitFor();
        await queue.getByLabel(/Credits to add to PAY-412/).fill("500");
        await queue.getByLabel(/Reason for PAY-412/).fill("Migration needs a second pass");
        await queue.getByRole("button", { name: "Extend budget" }).click();
        await page.getByText(/Budget extended by 500 credits/).waitFor();
        await expect.poll(() => queue.count()).toBe(0);
        expect((await budget()).body.decision).toBe("continue");
      } finally {
        await browser.close();
      }
    });

    it("keeps ingest tokens push-only, and fails closed when the team says so", async () => {
      expect((await budget("PAY-412", ingest)).status).toBe(403);
      expect((await budget("NOPE-1")).status).toBe(404);
      expect((await owner.post(`/t/${slug}/settings/tokens`, { intent: "guard", failClosed: "on" })).status).toBe(200);
      expect((await hook({ session_id: "stranger", hook_event_name: "PreToolUse" })).body).toMatchObject({
        decision: "block",
        reason: expect.stringMatching(/fails closed/),
      });
      const member = await joinWithRole(owner, slug, "member", "Mo Member");
      expect(
        (await member.post(`/t/${slug}/stories/${storyId}`, { intent: "extend-budget", credits: "1", reason: "x" }))
          .status,
      ).toBe(403);
    });
  });
}

suite("embedded", () => ({}));

describe.skipIf(!databaseUrl)("on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    database = await freshPostgresDatabase(databaseUrl, "e2e");
    Object.assign(env, { DATABASE_URL: database!.url, SESSION_SECRET: randomBytes(24).toString("hex") });
  });
  afterAll(async () => database?.drop());
  suite("PostgreSQL", () => env);
});
