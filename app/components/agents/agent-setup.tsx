// The three setup snippets (Claude Code's HTTP hook, the OTEL_* environment, a CI guard step) as
// read-only text to copy; a Copy button once JavaScript is there.
import { useState } from "react";
import { useHydrated } from "~/components/ui/use-hydrated";
import type { AgentSetup } from "~/domain/agent-setup";

function CopyBlock({ id, label, text, hint }: { id: string; label: string; text: string; hint: string }) {
  const hydrated = useHydrated();
  const [copied, setCopied] = useState(false);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <p className="muted">{hint}</p>
      <textarea
        id={id}
        className="copy-box"
        readOnly
        value={text}
        rows={Math.min(16, text.split("\n").length)}
        spellCheck={false}
        onFocus={(e) => e.currentTarget.select()}
      />
      {hydrated ? (
        <div>
          <button
            type="button"
            className="btn btn-sm"
            aria-label={`Copy the ${label}`}
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(text);
                setCopied(true);
                setTimeout(() => setCopied(false), 2000);
              } catch {
                document.getElementById(id)?.focus();
              }
            }}
          >
            {copied ? "Copied" : "Copy"}
          </button>
        </div>
      ) : null}
    </div>
  );
}

export function AgentSetupSnippets({ setup, idPrefix = "setup" }: { setup: AgentSetup; idPrefix?: string }) {
  return (
    <div className="stack">
      <p className="muted">
        Put a team or ingest token in <code>TOKEN_POKER_TOKEN</code> (Settings → API tokens). Claude Code treats a
        timeout or an unreachable server as “continue”: the guard stops an agent only when this server answers.
      </p>
      <CopyBlock
        id={`${idPrefix}-hook`}
        label="Claude Code hook (.claude/settings.local.json)"
        text={setup.settingsJson}
        hint="Blocks tool calls when the budget guard says stop, and tells the agent what is left at each prompt."
      />
      <CopyBlock
        id={`${idPrefix}-otel`}
        label="OpenTelemetry environment"
        text={setup.otelEnv}
        hint="Claude Code then streams each model call's cost here; the story's spend updates live."
      />
      <CopyBlock
        id={`${idPrefix}-ci`}
        label="CI step"
        text={setup.ciStep}
        hint="Fails the job before an agent run when the guard says stop."
      />
    </div>
  );
}
