// OpenTelemetry (OTLP) export requests → spend entries. Plain values in (the OTLP/JSON shape; the
// protobuf decoder turns binary requests into the same shape), `SpendEntry` values out, so the one
// import pipeline prices, dedupes and attributes them like every other source.
//
// What becomes an entry:
//   - a Claude Code `claude_code.api_request` log event: one entry per model call;
//   - a GenAI semantic-convention span or log event with token usage (`gen_ai.usage.*`);
//   - the Claude Code metrics `claude_code.cost.usage` / `claude_code.token.usage`, one entry per
//     session, model and interval — used only for sessions that send no per-call events (the caller
//     keeps that rule across requests; this module says which sessions each request's events name).
// Only the fields that price and attribute a call are read: prompt text, tool arguments, tool output
// and response bodies never leave this module, whatever the exporter was told to include.

import type { SpendEntry } from "~/domain/spend/entry";
import { apiEntryToSpend, type SpendApiEntry } from "~/domain/spend/api-entries";
import type { RateCard } from "~/domain/spend/rate-card";
import { compileKeyPattern, type KeyMatcher } from "~/domain/key-pattern";
import { dedupeKey } from "~/domain/spend/field-readers";

// ---- the OTLP/JSON shape (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) ----

export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: string | number | null;
  doubleValue?: number | string | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: unknown;
}
export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}
interface Resource {
  attributes?: KeyValue[] | null;
}
export interface LogRecord {
  timeUnixNano?: string | number | null;
  observedTimeUnixNano?: string | number | null;
  body?: AnyValue | null;
  attributes?: KeyValue[] | null;
  eventName?: string | null;
  traceId?: string | null;
  spanId?: string | null;
}
export interface LogsRequest {
  resourceLogs?: { resource?: Resource | null; scopeLogs?: { logRecords?: LogRecord[] | null }[] | null }[] | null;
}
export interface Span {
  traceId?: string | null;
  spanId?: string | null;
  name?: string | null;
  startTimeUnixNano?: string | number | null;
  endTimeUnixNano?: string | number | null;
  attributes?: KeyValue[] | null;
  events?: { timeUnixNano?: string | number | null; name?: string | null; attributes?: KeyValue[] | null }[] | null;
}
export interface TracesRequest {
  resourceSpans?: { resource?: Resource | null; scopeSpans?: { spans?: Span[] | null }[] | null }[] | null;
}
export interface NumberDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: string | number | null;
  timeUnixNano?: string | number | null;
  asDouble?: number | string | null;
  asInt?: string | number | null;
}
export interface Metric {
  name?: string | null;
  sum?: { dataPoints?: NumberDataPoint[] | null; aggregationTemporality?: number | string | null } | null;
  gauge?: { dataPoints?: NumberDataPoint[] | null } | null;
}
export interface MetricsRequest {
  resourceMetrics?: { resource?: Resource | null; scopeMetrics?: { metrics?: Metric[] | null }[] | null }[] | null;
}

export type Scalar = string | number | boolean;

/** Text with control characters (NUL above all: PostgreSQL text cannot hold it) turned to spaces. */
export function withoutControlChars(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, " ");
}
export type Attributes = ReadonlyMap<string, Scalar>;

/** How many records one request may carry (a bigger batch is refused, not cut). */
export const MAX_RECORDS = 10_000;
/** A string attribute longer than this is not one we price or attribute by: it is skipped. */
const MAX_ATTRIBUTE_CHARS = 1_000;

/** Flattens OTLP attributes to scalars; nested values (and anything long, like a prompt) are dropped. */
export function attributeMap(
  list: readonly KeyValue[] | null | undefined,
  into = new Map<string, Scalar>(),
): Map<string, Scalar> {
  if (!Array.isArray(list)) return into;
  for (const kv of list.slice(0, 500)) {
    if (!kv || typeof kv.key !== "string" || kv.key.length > 200) continue;
    const v = scalar(kv.value);
    if (v !== null) into.set(kv.key, v);
  }
  return into;
}

function scalar(value: AnyValue | null | undefined): Scalar | null {
  if (!value || typeof value !== "object") return null;
  if (typeof value.stringValue === "string") {
    // Control characters (NUL above all: PostgreSQL text cannot hold it) never reach storage.
    return value.stringValue.length <= MAX_ATTRIBUTE_CHARS ? withoutControlChars(value.stringValue) : null;
  }
  if (typeof value.boolValue === "boolean") return value.boolValue;
  if (value.intValue !== undefined && value.intValue !== null) return finite(value.intValue);
  if (value.doubleValue !== undefined && value.doubleValue !== null) return finite(value.doubleValue);
  return null;
}

function finite(raw: unknown): number | null {
  const n =
    typeof raw === "number"
      ? raw
      : typeof raw === "string" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw.trim())
        ? Number(raw)
        : NaN;
  return Number.isFinite(n) ? n : null;
}

/** A string attribute (numbers are given as their text), trimmed; null when absent or empty. */
function str(attrs: Attributes, ...keys: string[]): string | null {
  for (const key of keys) {
    const v = attrs.get(key);
    if (v === undefined || typeof v === "boolean") continue;
    const s = String(v).trim();
    if (s) return s;
  }
  return null;
}

/** A non-negative number attribute (Claude Code sends some counts as strings). */
function num(attrs: Attributes, ...keys: string[]): number | null {
  for (const key of keys) {
    const v = attrs.get(key);
    const n = typeof v === "number" ? v : typeof v === "string" ? finite(v) : null;
    if (n !== null && n >= 0 && n <= Number.MAX_SAFE_INTEGER) return n;
  }
  return null;
}

const count = (attrs: Attributes, ...keys: string[]) => {
  const n = num(attrs, ...keys);
  return n === null ? null : Math.round(n);
};

/** Nanoseconds since the epoch (string or number) → ISO timestamp; null for 0, junk or out of range. */
export function nanosToIso(raw: string | number | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const text = String(raw).trim();
  if (!/^\d{1,20}$/.test(text)) return null;
  const ms = Number(BigInt(text) / 1_000_000n);
  // 2000-01-01 … 2100-01-01: a zero or garbage time is not a time a call happened.
  if (ms < 946_684_800_000 || ms > 4_102_444_800_000) return null;
  return new Date(ms).toISOString();
}

function isoAttr(attrs: Attributes, key: string): string | null {
  const v = str(attrs, key);
  if (!v || v.length > 40) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

// ---- what every record is read for ----------------------------------------------------------

export interface OtlpOptions {
  rateCard: RateCard;
  keyPattern?: string;
  creditValueUsd?: number;
  /** Who the entries belong to when no `user.email` / `user.account_uuid` says (a person's ingest token). */
  defaultUser?: string | null;
}

export interface OtlpRejected {
  /** 1-based position of the record in the request (records counted in request order). */
  record: number;
  reason: string;
}

export interface OtlpResult {
  entries: SpendEntry[];
  /** Records that looked like spend but could not be read (partial success). */
  rejected: OtlpRejected[];
  /** Records that are not spend (other events, spans without usage): accepted, nothing stored. */
  ignored: number;
  /** Sessions whose per-call events this request carried (they never use metrics from now on). */
  eventSessions: string[];
}

const BRANCH_KEYS = ["vcs.ref.head.name", "vcs.repository.ref.name", "git.branch", "vcs.branch", "branch"];
const REPOSITORY_KEYS = ["vcs.repository.name", "repository", "vcs.repository.url.full", "git.repository"];

interface Context {
  keyPattern: KeyMatcher;
  options: OtlpOptions & { creditValueUsd: number };
}

function attribution(attrs: Attributes) {
  return {
    story: str(attrs, "story.id", "story.key", "story"),
    git_branch: str(attrs, ...BRANCH_KEYS),
    repository: str(attrs, ...REPOSITORY_KEYS),
    session_id: str(attrs, "session.id", "gen_ai.conversation.id", "conversation.id"),
    user: str(attrs, "user.email", "user.account_uuid", "enduser.id", "user.id"),
  };
}

function toEntry(
  ctx: Context,
  record: number,
  identity: (string | null)[],
  fields: Omit<SpendApiEntry, "id" | "tags" | "attributes" | "aggregate" | "credits"> & { aggregate?: boolean },
): SpendEntry | string {
  const entry: SpendApiEntry = { id: "otlp", ...fields, user: fields.user ?? ctx.options.defaultUser ?? null };
  const spend = apiEntryToSpend(entry, record, { ...ctx.options, keyPattern: ctx.keyPattern });
  if (typeof spend === "string") return spend;
  // A story key must look like one: free text in `story.id` would attribute nothing and fill the inbox.
  const storyKey = spend.storyKey && spend.storyKey.length <= 100 ? spend.storyKey : null;
  return { ...spend, source: "otlp", dedupeKey: dedupeKey("otlp", identity), storyKey };
}

function context(options: OtlpOptions): Context {
  return {
    keyPattern: compileKeyPattern(options.keyPattern),
    options: { ...options, creditValueUsd: options.creditValueUsd ?? options.rateCard.creditValueUsd },
  };
}

function merged(resource: Attributes, own: Attributes): Map<string, Scalar> {
  // The record's own attributes win over its resource's (an event can name its story).
  return new Map([...resource, ...own]);
}

const CLAUDE_API_REQUEST = "claude_code.api_request";

function eventName(record: LogRecord, attrs: Attributes): string | null {
  if (typeof record.eventName === "string" && record.eventName) return record.eventName;
  const body = record.body && typeof record.body.stringValue === "string" ? record.body.stringValue : null;
  if (body && body.length < 100 && /^[\w.]+$/.test(body)) return body;
  const name = str(attrs, "event.name");
  return name ? (name.includes(".") ? name : `claude_code.${name}`) : null;
}

const hasGenAiUsage = (attrs: Attributes) =>
  attrs.has("gen_ai.usage.input_tokens") ||
  attrs.has("gen_ai.usage.output_tokens") ||
  attrs.has("gen_ai.usage.prompt_tokens");

function genAiFields(attrs: Attributes) {
  return {
    model: str(attrs, "gen_ai.response.model", "gen_ai.request.model"),
    input_tokens: count(attrs, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
    output_tokens: count(attrs, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
    cache_read_tokens: count(attrs, "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens"),
    cache_write_tokens: count(
      attrs,
      "gen_ai.usage.cache_creation.input_tokens",
      "gen_ai.usage.cache_creation_input_tokens",
    ),
    cost_usd: num(attrs, "gen_ai.usage.cost", "cost_usd"),
  };
}

/** Logs: Claude Code's api_request events and GenAI events with usage. */
export function logsToSpend(request: LogsRequest, options: OtlpOptions): OtlpResult {
  const ctx = context(options);
  const result: OtlpResult = { entries: [], rejected: [], ignored: 0, eventSessions: [] };
  const sessions = new Set<string>();
  let n = 0;
  for (const rl of list(request?.resourceLogs)) {
    const resource = attributeMap(rl?.resource?.attributes);
    for (const sl of list(rl?.scopeLogs)) {
      for (const record of list(sl?.logRecords)) {
        n++;
        const attrs = merged(resource, attributeMap(record?.attributes));
        const name = eventName(record ?? {}, attrs);
        const isClaude = name === CLAUDE_API_REQUEST;
        if (!isClaude && !hasGenAiUsage(attrs)) {
          result.ignored++;
          continue;
        }
        const at =
          nanosToIso(record?.timeUnixNano) ??
          isoAttr(attrs, "event.timestamp") ??
          nanosToIso(record?.observedTimeUnixNano);
        if (!at) {
          result.rejected.push({ record: n, reason: "the event has no timestamp" });
          continue;
        }
        const who = attribution(attrs);
        const fields = isClaude
          ? {
              model: str(attrs, "model"),
              input_tokens: count(attrs, "input_tokens"),
              output_tokens: count(attrs, "output_tokens"),
              cache_read_tokens: count(attrs, "cache_read_tokens"),
              cache_write_tokens: count(attrs, "cache_creation_tokens"),
              cost_usd: num(attrs, "cost_usd"),
            }
          : genAiFields(attrs);
        // A stable identity, so a retried export is a duplicate: Claude Code numbers each session's
        // events (event.sequence); without it, the call's own values identify it.
        const sequence = str(attrs, "event.sequence");
        const identity = sequence
          ? ["log", who.session_id, sequence]
          : record?.spanId && record?.traceId && !isClaude
            ? ["span", String(record.traceId), String(record.spanId), name]
            : [
                "log",
                who.session_id,
                at,
                str(attrs, "prompt.id"),
                fields.model,
                String(fields.input_tokens),
                String(fields.output_tokens),
                String(fields.cache_read_tokens),
                String(fields.cache_write_tokens),
                String(fields.cost_usd),
              ];
        const entry = toEntry(ctx, n, identity, { occurred_at: at, ...who, ...fields });
        if (typeof entry === "string") result.rejected.push({ record: n, reason: entry });
        else {
          result.entries.push(entry);
          if (entry.sessionId) sessions.add(entry.sessionId);
        }
      }
    }
  }
  result.eventSessions = [...sessions];
  return result;
}

/** Traces: GenAI spans with token usage (one span = one model call). */
export function tracesToSpend(request: TracesRequest, options: OtlpOptions): OtlpResult {
  const ctx = context(options);
  const result: OtlpResult = { entries: [], rejected: [], ignored: 0, eventSessions: [] };
  const sessions = new Set<string>();
  let n = 0;
  for (const rs of list(request?.resourceSpans)) {
    const resource = attributeMap(rs?.resource?.attributes);
    for (const ss of list(rs?.scopeSpans)) {
      for (const span of list(ss?.spans)) {
        n++;
        const attrs = merged(resource, attributeMap(span?.attributes));
        if (!hasGenAiUsage(attrs)) {
          result.ignored++;
          continue;
        }
        const at = nanosToIso(span?.startTimeUnixNano) ?? nanosToIso(span?.endTimeUnixNano);
        if (!at || !span?.spanId) {
          result.rejected.push({ record: n, reason: !at ? "the span has no start time" : "the span has no span id" });
          continue;
        }
        const who = attribution(attrs);
        const entry = toEntry(ctx, n, ["span", String(span.traceId ?? ""), String(span.spanId)], {
          occurred_at: at,
          ...who,
          ...genAiFields(attrs),
        });
        if (typeof entry === "string") result.rejected.push({ record: n, reason: entry });
        else {
          result.entries.push(entry);
          if (entry.sessionId) sessions.add(entry.sessionId);
        }
      }
    }
  }
  result.eventSessions = [...sessions];
  return result;
}

const COST_METRIC = "claude_code.cost.usage";
const TOKEN_METRIC = "claude_code.token.usage";
const TOKEN_TYPES: Record<string, "input_tokens" | "output_tokens" | "cache_read_tokens" | "cache_write_tokens"> = {
  input: "input_tokens",
  output: "output_tokens",
  cacheRead: "cache_read_tokens",
  cacheCreation: "cache_write_tokens",
};
/** AGGREGATION_TEMPORALITY_CUMULATIVE: the point is a running total since its start time. */
const CUMULATIVE = 2;

export interface MetricsResult extends OtlpResult {
  /** Sessions this request's metric entries are for (the caller drops those already on events). */
  metricSessions: string[];
}

/**
 * Metrics: Claude Code's cost and token counters, folded into one entry per session, model and
 * interval. A delta point is its own entry; a cumulative point is a running total that replaces
 * itself as it grows (an aggregated entry), so re-sent totals never add up twice.
 */
export function metricsToSpend(request: MetricsRequest, options: OtlpOptions): MetricsResult {
  const ctx = context(options);
  const result: MetricsResult = { entries: [], rejected: [], ignored: 0, eventSessions: [], metricSessions: [] };
  interface Fold {
    record: number;
    at: string;
    cumulative: boolean;
    identity: (string | null)[];
    who: ReturnType<typeof attribution>;
    model: string | null;
    cost_usd: number | null;
    input_tokens: number;
    output_tokens: number;
    cache_read_tokens: number;
    cache_write_tokens: number;
  }
  const folds = new Map<string, Fold>();
  let n = 0;
  for (const rm of list(request?.resourceMetrics)) {
    const resource = attributeMap(rm?.resource?.attributes);
    for (const sm of list(rm?.scopeMetrics)) {
      for (const metric of list(sm?.metrics)) {
        const name = metric?.name;
        const points = list(metric?.sum?.dataPoints);
        if ((name !== COST_METRIC && name !== TOKEN_METRIC) || points.length === 0) {
          n += Math.max(1, points.length + list(metric?.gauge?.dataPoints).length);
          result.ignored++;
          continue;
        }
        const cumulative = Number(metric?.sum?.aggregationTemporality) === CUMULATIVE;
        for (const point of points) {
          n++;
          const attrs = merged(resource, attributeMap(point?.attributes));
          const value = finite(point?.asDouble ?? point?.asInt ?? null);
          const at = nanosToIso(point?.timeUnixNano);
          if (value === null || value < 0 || !at) {
            result.rejected.push({
              record: n,
              reason: value === null || value < 0 ? "the data point has no valid value" : "the data point has no time",
            });
            continue;
          }
          const who = attribution(attrs);
          const model = str(attrs, "model");
          const start = nanosToIso(point?.startTimeUnixNano);
          const identity = ["metric", who.session_id, model, start, cumulative ? null : at];
          const key = JSON.stringify(identity);
          let fold = folds.get(key);
          if (!fold) {
            fold = {
              record: n,
              at,
              cumulative,
              identity,
              who,
              model,
              cost_usd: null,
              input_tokens: 0,
              output_tokens: 0,
              cache_read_tokens: 0,
              cache_write_tokens: 0,
            };
            folds.set(key, fold);
          }
          if (at > fold.at) fold.at = at;
          if (name === COST_METRIC) fold.cost_usd = (fold.cost_usd ?? 0) + value;
          else {
            const column = TOKEN_TYPES[str(attrs, "type") ?? ""];
            if (column) fold[column] += Math.round(value);
          }
        }
      }
    }
  }
  const sessions = new Set<string>();
  for (const fold of folds.values()) {
    const entry = toEntry(ctx, fold.record, fold.identity, {
      occurred_at: fold.at,
      ...fold.who,
      model: fold.model,
      cost_usd: fold.cost_usd,
      input_tokens: fold.input_tokens,
      output_tokens: fold.output_tokens,
      cache_read_tokens: fold.cache_read_tokens,
      cache_write_tokens: fold.cache_write_tokens,
      aggregate: fold.cumulative,
    });
    if (typeof entry === "string") result.rejected.push({ record: fold.record, reason: entry });
    else {
      result.entries.push(entry);
      if (entry.sessionId) sessions.add(entry.sessionId);
    }
  }
  result.metricSessions = [...sessions];
  return result;
}

function list<T>(value: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** How many records a request holds, counted before any is read (for the size limit). */
export function recordCount(signal: "logs" | "metrics" | "traces", request: unknown): number {
  const r = request as LogsRequest & TracesRequest & MetricsRequest;
  let total = 0;
  if (signal === "logs")
    for (const rl of list(r?.resourceLogs)) for (const sl of list(rl?.scopeLogs)) total += list(sl?.logRecords).length;
  if (signal === "traces")
    for (const rs of list(r?.resourceSpans)) for (const ss of list(rs?.scopeSpans)) total += list(ss?.spans).length;
  if (signal === "metrics") {
    for (const rm of list(r?.resourceMetrics)) {
      for (const sm of list(rm?.scopeMetrics)) {
        for (const m of list(sm?.metrics)) total += list(m?.sum?.dataPoints).length + list(m?.gauge?.dataPoints).length;
      }
    }
  }
  return total;
}
