// ccusage JSON reports: `daily`, `weekly`, `monthly`, `session`, `session --id …` and `blocks`, with
// or without `--breakdown`, in the `{ "daily": [...] }` wrapper or the documented
// `{ "type": "daily", "data": [...], "summary": {...} }` envelope, per-project (`--instances`,
// `{ "projects": { name: [...] } }`), and the per-agent reports (claude, codex, amp, opencode, pi).
// These are small summaries, so the document is buffered (up to a cap) and parsed whole. One entry
// per record × model breakdown; the report's own cost (`cost` / `totalCost` / `costUSD`) wins — a
// record's cost is shared among breakdowns that state none — and the rate card prices the rest. A
// cost of 0 on a record with tokens is no price (`--no-cost`, or a model ccusage could not price).
// Codex reports with `cachedInputTokens` count those inside `inputTokens`: taken out, not counted twice.

import type { FormatEvent, SpendEntry } from "~/domain/spend/entry";
import type { ParseContext, Price } from "~/domain/spend/parse-context";
import { issueEvent, priceFromRateCard, priceFromUsd } from "~/domain/spend/parse-context";
import type { TokenCounts } from "~/domain/spend/rate-card";
import { repositoryFromPath } from "~/domain/spend/claude-jsonl";
import {
  FieldError,
  dedupeKey,
  errorMessage,
  isRecord,
  jsonDecimal,
  parseWhen,
  show,
  tokenCount,
  type When,
} from "~/domain/spend/field-readers";

type RecordKind = "session" | "day" | "week" | "month" | "request" | "block";

/** Wrapper keys → what their records are. */
const LIST_KEYS: Record<string, RecordKind | undefined> = {
  sessions: "session",
  session: "session",
  daily: "day",
  weekly: "week",
  monthly: "month",
  entries: "request",
  blocks: "block",
  data: undefined,
};

/** The envelope's `type` → what its `data` records are. */
const ENVELOPE_KINDS: Record<string, RecordKind> = {
  daily: "day",
  weekly: "week",
  monthly: "month",
  session: "session",
  blocks: "block",
};

const BLOCKS_NOTE =
  "This is a ccusage blocks report: usage in 5-hour billing windows, not days or sessions. Each block is " +
  "imported as one entry per model on the day the block started, priced by the block's own cost; gap " +
  "blocks are left out, and a block still active is updated when a later report is imported. Blocks " +
  "and daily or session reports of the same work overlap: import one kind.";

export async function* parseCcusage(text: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<FormatEvent> {
  const pieces: string[] = [];
  let length = 0;
  for await (const chunk of text) {
    length += chunk.length;
    if (length > ctx.maxJsonChars) {
      yield issueEvent(1, `the JSON document is larger than ${ctx.maxJsonChars} characters`);
      return;
    }
    pieces.push(chunk);
  }
  const source = pieces.join("");
  if (source.trim() === "") {
    yield issueEvent(1, "the file is empty");
    return;
  }
  let root: unknown;
  try {
    root = JSON.parse(source);
  } catch (error) {
    const message = errorMessage(error);
    yield issueEvent(jsonErrorLine(source, message), `not valid JSON (truncated file?): ${message}`);
    return;
  }

  const lines = new LineLocator(source);
  const offsets = locateValues(source, 5);
  const lineOf = (path: string): number => {
    const offset = offsets.get(path);
    return offset === undefined ? 1 : lines.lineAt(offset);
  };

  const lists = recordLists(root);
  if (lists === null) {
    yield issueEvent(1, "no ccusage records found (expected daily, weekly, monthly, session or blocks)");
    return;
  }
  if (lists.some((list) => list.kind === "block")) yield { kind: "note", note: BLOCKS_NOTE };

  for (const list of lists) {
    for (let i = 0; i < list.items.length; i++) {
      const item = list.items[i];
      const path = `${list.path}${list.path ? "/" : ""}${i}`;
      const line = lineOf(path);
      if (!isRecord(item)) {
        yield issueEvent(line, "record is not a JSON object");
        continue;
      }
      try {
        for (const event of recordEntries(item, list, path, line, lineOf, ctx)) yield event;
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        yield issueEvent(line, error.message);
      }
    }
  }
}

interface RecordList {
  path: string;
  items: unknown[];
  kind: RecordKind | undefined;
  project: string | null;
  /** For `session --id` output: the session all entries belong to. */
  sessionId: string | null;
}

function recordLists(root: unknown): RecordList[] | null {
  if (Array.isArray(root)) return [{ path: "", items: root, kind: undefined, project: null, sessionId: null }];
  if (!isRecord(root)) return null;
  const lists: RecordList[] = [];
  // The envelope: { type: "daily", data: [...], summary: {...} }.
  const envelope = typeof root.type === "string" ? ENVELOPE_KINDS[root.type] : undefined;
  if (envelope && Array.isArray(root.data)) {
    return [{ path: "data", items: root.data, kind: envelope, project: null, sessionId: null }];
  }
  for (const [key, kind] of Object.entries(LIST_KEYS)) {
    const value = root[key];
    if (!Array.isArray(value)) continue;
    const sessionId = kind === "request" && typeof root.sessionId === "string" ? root.sessionId : null;
    lists.push({ path: escapePath(key), items: value, kind, project: null, sessionId });
  }
  // `daily --instances`: { projects: { "<project>": [ daily records ] } }
  if (isRecord(root.projects)) {
    for (const [project, value] of Object.entries(root.projects)) {
      if (isRecord(value)) {
        // A per-agent or per-report object inside a project: { daily: [...] } and the like.
        for (const inner of recordLists(value) ?? []) {
          lists.push({ ...inner, path: `projects/${escapePath(project)}/${inner.path}`, project });
        }
      } else if (Array.isArray(value)) {
        lists.push({
          path: `projects/${escapePath(project)}`,
          items: value,
          kind: undefined,
          project,
          sessionId: null,
        });
      }
    }
  }
  return lists.length > 0 ? lists : null;
}

const COST_KEYS = ["cost", "totalCost", "costUSD", "costUsd", "total_cost", "cost_usd"];
type CountField = "inputTokens" | "outputTokens" | "cacheWriteTokens" | "cacheReadTokens";
const TOKEN_KEYS: Record<CountField, string[]> = {
  inputTokens: ["inputTokens", "input_tokens", "input"],
  outputTokens: ["outputTokens", "output_tokens", "output"],
  cacheWriteTokens: [
    "cacheCreationTokens",
    "cacheCreationInputTokens",
    "cache_creation_input_tokens",
    "cacheWriteTokens",
    "cache_creation_tokens",
  ],
  cacheReadTokens: [
    "cacheReadTokens",
    "cacheReadInputTokens",
    "cache_read_input_tokens",
    "cachedInputTokens",
    "cache_read_tokens",
  ],
};

function first(record: Record<string, unknown>, keys: readonly string[]): { key: string; value: unknown } | null {
  for (const key of keys) {
    if (record[key] !== undefined && record[key] !== null) return { key, value: record[key] };
  }
  return null;
}

function readTokens(record: Record<string, unknown>): TokenCounts {
  // Blocks keep their counts in `tokenCounts`.
  const source = isRecord(record.tokenCounts) ? record.tokenCounts : record;
  const counts = { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 };
  let cacheKey: string | null = null;
  for (const [field, keys] of Object.entries(TOKEN_KEYS) as [CountField, string[]][]) {
    const found = first(source, keys);
    counts[field] = found ? tokenCount(jsonDecimal(found.value, found.key), found.key) : 0;
    if (field === "cacheReadTokens") cacheKey = found?.key ?? null;
  }
  // Codex (`cachedInputTokens`): its inputTokens include the cached ones.
  if (cacheKey === "cachedInputTokens") counts.inputTokens = Math.max(0, counts.inputTokens - counts.cacheReadTokens);
  return counts;
}

/** The cost a record states; a zero on a record with tokens is no price (`--no-cost`, an unpriced model). */
function readCost(record: Record<string, unknown>, tokens: TokenCounts): number | null {
  const found = first(record, COST_KEYS);
  if (!found) return null;
  const cost = jsonDecimal(found.value, found.key);
  const total = tokens.inputTokens + tokens.outputTokens + tokens.cacheReadTokens + tokens.cacheWriteTokens;
  return cost === 0 && total > 0 ? null : cost;
}

function str(value: unknown): string | null {
  if (typeof value === "string") return value.trim() || null;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

function whenOf(value: unknown, name: string): When {
  const raw = str(value);
  if (!raw) throw new FieldError(`${name} is missing`);
  const when = parseWhen(raw);
  if (!when) throw new FieldError(`${name} is not a date or timestamp: ${show(value)}`);
  return when;
}

interface Period {
  kind: RecordKind;
  id: string;
  when: When;
  sessionId: string | null;
}

function periodOf(record: Record<string, unknown>, list: RecordList): Period {
  const metadata = isRecord(record.metadata) ? record.metadata : {};
  const kind: RecordKind | undefined =
    list.kind ??
    (record.sessionId !== undefined
      ? "session"
      : record.date !== undefined
        ? "day"
        : record.week !== undefined
          ? "week"
          : record.month !== undefined
            ? "month"
            : record.timestamp !== undefined
              ? "request"
              : record.blockStart !== undefined || record.startTime !== undefined
                ? "block"
                : undefined);
  switch (kind) {
    case "session": {
      const id = str(record.sessionId) ?? str(record.session) ?? str(record.period);
      if (!id) throw new FieldError("session record has no sessionId");
      const time =
        record.lastActivity ?? metadata.lastActivity ?? record.firstActivity ?? record.date ?? record.timestamp;
      if (time === undefined || time === null) {
        // ccusage's per-agent session reports (`ccusage opencode session --json`, …) print no dates.
        throw new FieldError(
          "session record has no lastActivity (nor any other date): ccusage's per-agent session reports carry " +
            "no dates, so their spend cannot be put on a day; import the same agent's daily report instead",
        );
      }
      return { kind, id, when: whenOf(time, "lastActivity"), sessionId: id };
    }
    case "day":
    case "week":
    case "month": {
      const field = kind === "day" ? "date" : kind;
      const raw = record[field] ?? record.period ?? record.date;
      const when = whenOf(raw, field);
      return { kind, id: str(raw) ?? when.day, when, sessionId: null };
    }
    case "block": {
      const raw = record.blockStart ?? record.startTime;
      const when = whenOf(raw, "startTime");
      return { kind, id: str(record.id) ?? when.occurredAt, when, sessionId: null };
    }
    case "request": {
      const when = whenOf(record.timestamp, "timestamp");
      const sessionId = list.sessionId ?? str(record.sessionId);
      return { kind, id: when.occurredAt, when, sessionId };
    }
    default:
      throw new FieldError("record has neither sessionId, date, week, month nor timestamp");
  }
}

interface Breakdown {
  path: string | null;
  model: string | null;
  record: Record<string, unknown>;
}

function breakdownsOf(record: Record<string, unknown>, path: string): Breakdown[] {
  const list = record.modelBreakdowns ?? record.breakdowns ?? record.models;
  if (Array.isArray(list) && list.length > 0 && list.every(isRecord)) {
    const key =
      record.modelBreakdowns !== undefined
        ? "modelBreakdowns"
        : record.breakdowns !== undefined
          ? "breakdowns"
          : "models";
    return list.map((item, i) => ({
      path: `${path}/${key}/${i}`,
      model: str(item.modelName) ?? str(item.model) ?? str(item.name),
      record: item,
    }));
  }
  // @ccusage/codex style: { models: { "gpt-5": { inputTokens, … } } }; `--breakdown`: { breakdown: { … } }.
  for (const key of ["breakdown", "models"]) {
    const map = record[key];
    if (isRecord(map) && Object.keys(map).length > 0 && Object.values(map).every(isRecord)) {
      return Object.entries(map).map(([model, item]) => ({
        path: `${path}/${key}/${escapePath(model)}`,
        model,
        record: item as Record<string, unknown>,
      }));
    }
  }
  // No breakdown: the record itself, attributed to its only model when it names exactly one.
  const used = Array.isArray(record.modelsUsed) ? record.modelsUsed : Array.isArray(record.models) ? record.models : [];
  const model = str(record.model) ?? (used.length === 1 ? str(used[0]) : null);
  return [{ path: null, model, record }];
}

function* recordEntries(
  record: Record<string, unknown>,
  list: RecordList,
  path: string,
  recordLine: number,
  lineOf: (path: string) => number,
  ctx: ParseContext,
): Generator<FormatEvent> {
  if (record.isGap === true) return; // a blocks report's idle window
  const period = periodOf(record, list);
  const project = list.project ?? str(record.project) ?? str(record.projectPath) ?? str(record.directory);
  const breakdowns = breakdownsOf(record, path);
  const read: { breakdown: Breakdown; line: number; tokens: TokenCounts; cost: number | null }[] = [];
  for (const breakdown of breakdowns) {
    const line = breakdown.path ? lineOf(breakdown.path) : recordLine;
    try {
      const tokens = readTokens(breakdown.record);
      read.push({ breakdown, line, tokens, cost: readCost(breakdown.record, tokens) });
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      yield issueEvent(line, error.message);
    }
  }
  // Breakdowns that state no cost share what the record states (Codex: a cost per day, none per model).
  const recordTokens = read.length === 1 && read[0]?.breakdown.record === record ? null : readTokens(record);
  const recordCost = recordTokens ? readCost(record, recordTokens) : null;
  const shares = recordCost !== null ? costShares(read, recordCost, ctx, period.when.occurredAt) : null;
  for (const [i, { breakdown, line, tokens, cost }] of read.entries()) {
    const stated = cost ?? shares?.[i] ?? null;
    const price: Price =
      stated !== null
        ? priceFromUsd(ctx, breakdown.model, stated)
        : priceFromRateCard(ctx, breakdown.model, tokens, period.when.occurredAt);
    const keyParts =
      period.kind === "session"
        ? ["session", period.id, breakdown.model]
        : period.kind === "request"
          ? ["request", period.sessionId, period.id, breakdown.model]
          : [period.kind, period.id, list.project, breakdown.model];
    const entry: SpendEntry = {
      line,
      source: ctx.format,
      dedupeKey: dedupeKey(ctx.format, keyParts),
      occurredAt: period.when.occurredAt,
      day: period.when.day,
      model: breakdown.model,
      ...tokens,
      ...price,
      poolCredits: null,
      paidCredits: null,
      externalUser: null,
      sessionId: period.sessionId,
      repository: repositoryFromPath(project),
      storyKey: null,
      aggregated: period.kind !== "request",
    };
    yield { kind: "entry", entry };
  }
}

/**
 * A record's cost split among breakdowns without their own: in proportion to what the rate card
 * would charge each (by tokens where the card does not know a model), so the parts add up to it.
 */
function costShares(
  read: { breakdown: Breakdown; tokens: TokenCounts; cost: number | null }[],
  recordCost: number,
  ctx: ParseContext,
  at: string,
): (number | null)[] | null {
  const open = read.filter((r) => r.cost === null);
  if (open.length === 0) return null;
  const statedSum = read.reduce((sum, r) => sum + (r.cost ?? 0), 0);
  const rest = Math.max(0, recordCost - statedSum);
  const weights = open.map((r) => priceFromRateCard(ctx, r.breakdown.model, r.tokens, at).costUsd);
  const byPrice = weights.every((w) => w !== null) && weights.some((w) => (w ?? 0) > 0);
  const weightOf = (r: (typeof read)[number], i: number) =>
    byPrice
      ? (weights[i] ?? 0)
      : r.tokens.inputTokens + r.tokens.outputTokens + r.tokens.cacheReadTokens + r.tokens.cacheWriteTokens;
  const total = open.reduce((sum, r, i) => sum + weightOf(r, i), 0);
  let k = 0;
  return read.map((r) => {
    if (r.cost !== null) return null;
    const i = k++;
    return total > 0 ? (rest * weightOf(r, i)) / total : rest / open.length;
  });
}

// ---------------------------------------------------------------------------------------------
// Line numbers inside a JSON document
// ---------------------------------------------------------------------------------------------

/** The 1-based line of a value in a valid JSON document by its path ("data/3"); 1 when not found. */
export function jsonLineFinder(source: string, maxDepth: number): (path: string) => number {
  const lines = new LineLocator(source);
  const offsets = locateValues(source, maxDepth);
  return (path) => {
    const offset = offsets.get(path);
    return offset === undefined ? 1 : lines.lineAt(offset);
  };
}

function escapePath(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** 1-based line of a character offset, by binary search over line starts. */
class LineLocator {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/** The line a `JSON.parse` error message points at ("… (line 3 column 5)" or "… at position 120"). */
function jsonErrorLine(source: string, message: string): number {
  const line = /line (\d+)/.exec(message);
  if (line) return Number(line[1]);
  const position = /position (\d+)/.exec(message);
  if (position) return new LineLocator(source).lineAt(Number(position[1]));
  // "Unexpected end of JSON input": the last line with content.
  return new LineLocator(source).lineAt(Math.max(0, source.trimEnd().length - 1));
}

/**
 * Start offsets of the values in an already valid JSON document, by path ("sessions/0/modelBreakdowns/1"),
 * down to `maxDepth` levels. Iterative, so deep nesting cannot overflow the stack.
 */
export function locateValues(source: string, maxDepth: number): Map<string, number> {
  const offsets = new Map<string, number>();
  interface Frame {
    array: boolean;
    path: string | null;
    index: number;
    key: string | null;
  }
  const stack: Frame[] = [];
  let i = 0;
  const n = source.length;

  const skipString = (): string => {
    // source[i] is the opening quote.
    const start = i;
    i++;
    while (i < n) {
      const c = source.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 34) break;
      else i++;
    }
    i++;
    try {
      return JSON.parse(source.slice(start, i)) as string;
    } catch {
      return "";
    }
  };

  while (i < n) {
    const c = source[i];
    if (c === " " || c === "\n" || c === "\r" || c === "\t" || c === "," || c === ":") {
      i++;
      continue;
    }
    const frame = stack[stack.length - 1];
    if (c === "}" || c === "]") {
      stack.pop();
      i++;
      continue;
    }
    if (frame && !frame.array && frame.key === null) {
      // An object key.
      frame.key = c === '"' ? skipString() : "";
      if (c !== '"') i++;
      continue;
    }
    // A value starts here.
    let path: string | null;
    if (!frame) path = "";
    else if (frame.path === null || stack.length > maxDepth) path = null;
    else {
      const step = frame.array ? String(frame.index) : escapePath(frame.key ?? "");
      path = frame.path === "" ? step : `${frame.path}/${step}`;
    }
    if (path !== null) offsets.set(path, i);
    if (frame) {
      if (frame.array) frame.index++;
      else frame.key = null;
    }
    if (c === "{" || c === "[") {
      stack.push({ array: c === "[", path, index: 0, key: null });
      i++;
    } else if (c === '"') {
      skipString();
    } else {
      while (i < n && !",}] \n\r\t".includes(source[i] ?? ",")) i++;
    }
  }
  return offsets;
}
