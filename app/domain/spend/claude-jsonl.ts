// Claude Code's local session log (~/.claude/projects/<project>/<session>.jsonl): one JSON object
// per line. Lines with `message.usage` are API calls — `type: "assistant"` lines, and lines with no
// `type` at all (older Claude Code versions) that name a model. Sidechain lines are sub-agent calls
// and cost money too. Prices: a line's own `costUSD` (older versions wrote one) is the tool's price
// and is used as it is; otherwise the team's rate card prices the tokens, with 1-hour cache writes
// (`usage.cache_creation.ephemeral_1h_input_tokens`) at the 1-hour price and fast mode
// (`usage.speed: "fast"`) at the card's multiplier.
//
// Claude Code writes one call several times while it streams (same `message.id` + `requestId`,
// growing `usage.output_tokens`), and a sub-agent may replay a parent's message with a new
// `requestId` and `isSidechain: true`. All copies of a call share one dedupe key, and each carries a
// `usageRank`: the main-chain copy beats a sidechain replay, then the larger token total wins, then
// fast mode — ccusage's `should_replace_deduped_entry` rule. `parseSpend` and the import keep the
// highest rank. A transcript is written while the agent runs: a bad line (a truncated last line) is
// an issue for that line only, and the import skips it rather than rejecting the file.

import type { FormatEvent, SpendEntry } from "~/domain/spend/entry";
import type { ParseContext } from "~/domain/spend/parse-context";
import { issueEvent, priceFromRateCard, priceFromUsd } from "~/domain/spend/parse-context";
import { splitLines } from "~/domain/spend/text-stream";
import {
  FieldError,
  dedupeKey,
  errorMessage,
  isRecord,
  jsonDecimal,
  requireWhen,
  show,
  storyKeyIn,
  tokenCount,
} from "~/domain/spend/field-readers";

export async function* parseClaudeJsonl(text: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<FormatEvent> {
  let sawContent = false;
  // message.id → the dedupe key and sidechain flag of its first line, to spot sidechain replays.
  const messages = new Map<string, { key: string; sidechain: boolean }>();
  for await (const { line, text: content, tooLong } of splitLines(text, ctx.maxLineChars)) {
    if (tooLong) {
      sawContent = true;
      yield issueEvent(line, `line is longer than ${ctx.maxLineChars} characters`);
      continue;
    }
    if (content.trim() === "") continue;
    sawContent = true;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      yield issueEvent(line, `not valid JSON (truncated line?): ${errorMessage(error)}`);
      continue;
    }
    if (!isRecord(value)) {
      yield issueEvent(line, "not a JSON object");
      continue;
    }
    try {
      const entry = assistantEntry(value, line, ctx, messages);
      if (entry) yield { kind: "entry", entry };
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      yield issueEvent(line, error.message);
    }
  }
  if (!sawContent) yield issueEvent(1, "the file is empty");
}

function optionalString(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

const TWO_64 = 1n << 64n;

/** The rank of a copy of a call: main chain over sidechain, then the larger token total, then fast mode. */
export function claudeUsageRank(sidechain: boolean, totalTokens: number, fast: boolean): string {
  return ((sidechain ? 0n : TWO_64) + BigInt(totalTokens) * 2n + (fast ? 1n : 0n)).toString();
}

function optionalCount(record: Record<string, unknown>, name: string, label: string): number {
  return tokenCount(jsonDecimal(record[name], label), label);
}

/** The entry for one log line, or null for lines that are not billable calls. */
function assistantEntry(
  line: Record<string, unknown>,
  lineNumber: number,
  ctx: ParseContext,
  messages: Map<string, { key: string; sidechain: boolean }>,
): SpendEntry | null {
  const message = line.message;
  if (!isRecord(message)) return null;
  const model = optionalString(message.model);
  if (line.type !== "assistant") {
    // Older Claude Code versions wrote calls without a `type`: read those that name a model.
    if (line.type !== undefined || model === null) return null;
  }
  const usage = message.usage;
  if (usage === undefined || usage === null) return null;
  if (!isRecord(usage)) throw new FieldError("message.usage is not an object");

  // Claude Code writes "<synthetic>" messages (local errors, interruptions) with zero usage.
  if (model === "<synthetic>") return null;

  const written = optionalCount(usage, "cache_creation_input_tokens", "cache_creation_input_tokens");
  let cacheWriteTokens = written;
  let cacheWrite1hTokens = 0;
  const breakdown = usage.cache_creation;
  if (breakdown !== undefined && breakdown !== null) {
    if (!isRecord(breakdown)) throw new FieldError("message.usage.cache_creation is not an object");
    const short = optionalCount(breakdown, "ephemeral_5m_input_tokens", "cache_creation.ephemeral_5m_input_tokens");
    cacheWrite1hTokens = optionalCount(
      breakdown,
      "ephemeral_1h_input_tokens",
      "cache_creation.ephemeral_1h_input_tokens",
    );
    // The breakdown, where present, is what was written (ccusage reads it the same way).
    cacheWriteTokens = short + cacheWrite1hTokens;
  }
  const fast = usage.speed === "fast";
  const tokens = {
    inputTokens: optionalCount(usage, "input_tokens", "input_tokens"),
    cacheReadTokens: optionalCount(usage, "cache_read_input_tokens", "cache_read_input_tokens"),
    cacheWriteTokens,
    cacheWrite1hTokens,
    outputTokens: optionalCount(usage, "output_tokens", "output_tokens"),
    fast,
  };

  if (line.timestamp !== undefined && typeof line.timestamp !== "string") {
    throw new FieldError(`timestamp is not a string: ${show(line.timestamp)}`);
  }
  const when = requireWhen(line.timestamp as string | undefined, "timestamp");

  const messageId = optionalString(message.id);
  const requestId = optionalString(line.requestId);
  const uuid = optionalString(line.uuid);
  if (!messageId && !requestId && !uuid) throw new FieldError("assistant line has no message.id, requestId or uuid");
  const sidechain = line.isSidechain === true;
  let key = dedupeKey(ctx.format, messageId || requestId ? [messageId, requestId] : ["uuid", uuid]);
  if (messageId) {
    const first = messages.get(messageId);
    // A sidechain line repeating a message id under another request id replays that call.
    if (first && first.key !== key && (sidechain || first.sidechain)) key = first.key;
    else if (!first) messages.set(messageId, { key, sidechain });
  }

  const total = tokens.inputTokens + tokens.cacheReadTokens + tokens.cacheWriteTokens + tokens.outputTokens;
  // The tool's own price where the line states one (ccusage's "auto" mode); a zero is no price.
  const stated = typeof line.costUSD === "number" && Number.isFinite(line.costUSD) && line.costUSD > 0;
  const price = stated
    ? priceFromUsd(ctx, model, line.costUSD as number)
    : priceFromRateCard(ctx, model, tokens, when.occurredAt);
  return {
    line: lineNumber,
    source: ctx.format,
    dedupeKey: key,
    occurredAt: when.occurredAt,
    day: when.day,
    model,
    inputTokens: tokens.inputTokens,
    cacheReadTokens: tokens.cacheReadTokens,
    cacheWriteTokens: tokens.cacheWriteTokens,
    cacheWrite1hTokens,
    outputTokens: tokens.outputTokens,
    fast,
    usageRank: claudeUsageRank(sidechain, total, fast),
    ...price,
    poolCredits: null,
    paidCredits: null,
    externalUser: null,
    sessionId: optionalString(line.sessionId),
    repository: repositoryFromPath(optionalString(line.cwd)),
    storyKey: storyKeyIn(optionalString(line.gitBranch), ctx.keyPattern),
    aggregated: false,
  };
}

/** Best guess of a repository from a working directory: its last path segment. */
export function repositoryFromPath(path: string | null): string | null {
  if (!path) return null;
  const parts = path.split(/[\\/]+/).filter((p) => p !== "");
  return parts[parts.length - 1] ?? null;
}
