import { describe, expect, it } from "vitest";
import { agentSetup } from "~/domain/agent-setup";

describe("agentSetup", () => {
  const setup = agentSetup({ origin: "https://poker.example.com/", team: "acme", storyKey: "PAY-412" });

  it("points the hook, the exporter and the guard at this server and story", () => {
    expect(setup.hookUrl).toBe("https://poker.example.com/api/v1/teams/acme/hooks/claude?story=PAY-412");
    expect(setup.otelEnv).toContain("OTEL_EXPORTER_OTLP_ENDPOINT=https://poker.example.com/otlp");
    expect(setup.otelEnv).toContain('OTEL_RESOURCE_ATTRIBUTES="story.id=PAY-412"');
    expect(setup.ciStep).toContain('"https://poker.example.com/api/v1/teams/acme/stories/PAY-412/budget?strict=1"');
  });

  it("is valid settings.json with an http hook on PreToolUse and UserPromptSubmit, token from the environment", () => {
    const json = JSON.parse(setup.settingsJson);
    const hook = json.hooks.PreToolUse[0].hooks[0];
    expect(hook).toMatchObject({
      type: "http",
      headers: { Authorization: "Bearer $TOKEN_POKER_TOKEN" },
      allowedEnvVars: ["TOKEN_POKER_TOKEN"],
    });
    expect(json.hooks.UserPromptSubmit[0].hooks[0].url).toBe(setup.hookUrl);
    expect(setup.settingsJson).not.toMatch(/tpk_/);
  });

  it("escapes what a hostile key could do in a shell or a URL", () => {
    const evil = agentSetup({ origin: "https://x", team: "a b", storyKey: 'K-1$(rm -rf ~)"' });
    expect(evil.otelEnv).toContain('"story.id=K-1\\$(rm -rf ~)\\""');
    expect(evil.hookUrl).toContain("story=K-1%24(rm%20-rf%20~)%22");
    expect(evil.hookUrl).toContain("/teams/a%20b/");
  });
});

describe("docs/agents.md", () => {
  it("shows the three snippets exactly as the app generates them", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(new URL("../../docs/agents.md", import.meta.url), "utf8");
    const example = agentSetup({ origin: "https://poker.example.com", team: "acme", storyKey: "PAY-412" });
    expect(doc).toContain(example.settingsJson);
    expect(doc).toContain(example.otelEnv);
    expect(doc).toContain(example.ciStep);
  });
});
