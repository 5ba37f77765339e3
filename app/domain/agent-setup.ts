// Copyable setup for agents (story page, settings, docs/agents.md): Claude Code's HTTP hook in
// settings.json, the OTEL_* environment that sends its spend, and a CI step that asks the budget
// guard before an agent run. Pure: server origin, team and story in, text out. Tokens are never
// put in: the snippets read TOKEN_POKER_TOKEN from the environment.
import { shellDoubleQuote } from "~/domain/spend-cap";

export interface SetupInput {
  /** e.g. "https://poker.example.com" (no trailing slash). */
  origin: string;
  team: string;
  /** The story key, when the snippet is for one story (per worktree). */
  storyKey: string | null;
}

export interface AgentSetup {
  hookUrl: string;
  budgetUrl: string;
  otlpEndpoint: string;
  /** `.claude/settings.local.json` for a worktree (the hook names its story in the URL). */
  settingsJson: string;
  /** Shell exports for Claude Code's OpenTelemetry (per-call events and metrics). */
  otelEnv: string;
  /** A CI step (GitHub Actions syntax) that stops the job when the guard says stop. */
  ciStep: string;
}

export function agentSetup(input: SetupInput): AgentSetup {
  const origin = input.origin.replace(/\/+$/, "");
  const team = encodeURIComponent(input.team);
  const key = input.storyKey;
  const hookUrl = `${origin}/api/v1/teams/${team}/hooks/claude${key ? `?story=${encodeURIComponent(key)}` : ""}`;
  const budgetUrl = `${origin}/api/v1/teams/${team}/stories/${encodeURIComponent(key ?? "PAY-412")}/budget`;
  const otlpEndpoint = `${origin}/otlp`;
  const hook = {
    type: "http",
    url: hookUrl,
    headers: { Authorization: "Bearer $TOKEN_POKER_TOKEN" },
    allowedEnvVars: ["TOKEN_POKER_TOKEN"],
    timeout: 5,
  };
  const settings = {
    hooks: {
      PreToolUse: [{ matcher: "*", hooks: [hook] }],
      UserPromptSubmit: [{ hooks: [hook] }],
    },
  };
  const env = [
    "export CLAUDE_CODE_ENABLE_TELEMETRY=1",
    "export OTEL_LOGS_EXPORTER=otlp",
    "export OTEL_METRICS_EXPORTER=otlp",
    "export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
    `export OTEL_EXPORTER_OTLP_ENDPOINT=${otlpEndpoint}`,
    'export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer $TOKEN_POKER_TOKEN"',
    ...(key ? [`export OTEL_RESOURCE_ATTRIBUTES=${shellDoubleQuote(`story.id=${key}`)}`] : []),
  ].join("\n");
  const ciStep = [
    "- name: Budget guard",
    "  env:",
    "    TOKEN_POKER_TOKEN: ${{ secrets.TOKEN_POKER_TOKEN }}",
    "  run: |",
    `    curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN_POKER_TOKEN" \\`,
    `      ${shellDoubleQuote(`${budgetUrl}?strict=1`)}`,
  ].join("\n");
  return { hookUrl, budgetUrl, otlpEndpoint, settingsJson: JSON.stringify(settings, null, 2), otelEnv: env, ciStep };
}
