// Claude Code's local session log (~/.claude/projects/<project>/<session>.jsonl): one JSON object
// per line. Only `type: "assistant"` lines carry `message.usage`; every such line is one API call —
// sidechain lines are sub-agent calls and cost money too. The log has no cost, so the team's rate
// card prices it. Resumed sessions (and multi-block replies) repeat a call's line with the same
// `message.id` + `requestId`; `parseSpend` reports the repeats as duplicates and keeps the first.

import type { FormatEvent, SpendEntry } from "~/domain/spend/entry";
import type { ParseContext } from "~/domain/spend/parse-context";
import { issueEvent, priceFromRateCard } from "~/domain/spend/parse-context";
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
} from "~/domain/spend/values";

export async function* parseClaudeJsonl(text: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<FormatEvent> {
  let sawContent = false;
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
      const entry = assistantEntry(value, line, ctx);
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

/** The entry for one log line, or null for lines that are not billable calls. */
function assistantEntry(line: Record<string, unknown>, lineNumber: number, ctx: ParseContext): SpendEntry | null {
  if (line.type !== "assistant") return null;
  const message = line.message;
  if (!isRecord(message)) return null;
  const usage = message.usage;
  if (usage === undefined || usage === null) return null;
  if (!isRecord(usage)) throw new FieldError("message.usage is not an object");

  const model = optionalString(message.model);
  // Claude Code writes "<synthetic>" messages (local errors, interruptions) with zero usage.
  if (model === "<synthetic>") return null;

  const tokens = {
    inputTokens: tokenCount(jsonDecimal(usage.input_tokens, "input_tokens"), "input_tokens"),
    cacheReadTokens: tokenCount(
      jsonDecimal(usage.cache_read_input_tokens, "cache_read_input_tokens"),
      "cache_read_input_tokens"
    ),
    cacheWriteTokens: tokenCount(
      jsonDecimal(usage.cache_creation_input_tokens, "cache_creation_input_tokens"),
      "cache_creation_input_tokens"
    ),
    outputTokens: tokenCount(jsonDecimal(usage.output_tokens, "output_tokens"), "output_tokens"),
  };

  if (line.timestamp !== undefined && typeof line.timestamp !== "string") {
    throw new FieldError(`timestamp is not a string: ${show(line.timestamp)}`);
  }
  const when = requireWhen(line.timestamp as string | undefined, "timestamp");

  const messageId = optionalString(message.id);
  const requestId = optionalString(line.requestId);
  const uuid = optionalString(line.uuid);
  if (!messageId && !requestId && !uuid) throw new FieldError("assistant line has no message.id, requestId or uuid");
  const key = messageId || requestId ? [messageId, requestId] : ["uuid", uuid];

  const price = priceFromRateCard(ctx, model, tokens, when.occurredAt);
  return {
    line: lineNumber,
    source: ctx.format,
    dedupeKey: dedupeKey(ctx.format, key),
    occurredAt: when.occurredAt,
    day: when.day,
    model,
    ...tokens,
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
