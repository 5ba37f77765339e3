// Commands that cap an agent run at the estimate's p80. Each is a read-only field (select on focus,
// works without JS) with a Copy button once JS is there.
import { useState } from "react";
import { useHydrated } from "~/components/ui/use-hydrated";
import type { SpendCap } from "~/domain/spend-cap";
import { formatCredits, formatUsd } from "~/domain/credits";

function CopyCommand({ id, label, command }: { id: string; label: string; command: string }) {
  const hydrated = useHydrated();
  const [copied, setCopied] = useState(false);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          id={id}
          className="copy-box"
          readOnly
          value={command}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
        />
        {hydrated ? (
          <button
            type="button"
            className="btn btn-sm"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(command);
                setCopied(true);
                setTimeout(() => setCopied(false), 2000);
              } catch {
                document.getElementById(id)?.focus();
              }
            }}
            aria-label={`Copy the ${label} command`}
          >
            {copied ? "Copied" : "Copy"}
          </button>
        ) : null}
      </div>
    </div>
  );
}

export function SpendCapCommands({ cap, creditValueUsd }: { cap: SpendCap; creditValueUsd: number }) {
  return (
    <div className="stack">
      <p className="muted">
        Cap one agent run at this story's p80: {formatCredits(cap.credits)} credits = {formatUsd(cap.usd)} at{" "}
        {formatUsd(creditValueUsd)} per credit. A run that needs more stops, and the overrun becomes a conversation
        instead of a surprise.
      </p>
      <CopyCommand id="cap-claude" label="Claude Code" command={cap.claude} />
      <CopyCommand id="cap-copilot" label="Copilot CLI" command={cap.copilot} />
    </div>
  );
}
