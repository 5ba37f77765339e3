// Actual spend: imports (files, the JSON API, the demo seed), the import log with undo, attribution
// to stories (key in the data → session mapping → a person's assignment), identities, and the
// figures other pages read (per story, per day, unattributed).
//
// How an import runs, and why:
//   1. a row in spend_imports (status "running"), with an advisory lock on it held for as long as
//      the import runs — a crashed import is told from a live one by that (see `runImport`);
//   2. the parser's entries go into spend_staging in batches — each batch is its own short
//      statement, so on the embedded database (one connection) live poker rooms keep being served
//      between batches instead of waiting behind one long transaction; each row gets a merge
//      bucket (app/domain/spend/merge-chunks.ts), and the event loop a turn every few hundred rows;
//   3. rejected (atomic mode and a bad row, or nothing usable): the staged rows are deleted, the log
//      says why, spend_entries never saw a row;
//   4. accepted: one transaction marks overlapping rows, moves the rest with INSERT … SELECT … ON
//      CONFLICT a chunk of staged rows at a time, and completes the log — all or nothing. Between
//      chunks the event loop gets a turn: on the embedded database each statement runs on the
//      server's own thread, and one statement for a 200,000-row file froze every request for seconds.
// Attribution is resolved when entries are read (see `withStory`), never stored, so a row whose story
// key matches no story yet attaches the moment a story with that key exists, and a renamed key or a
// new session mapping takes effect everywhere at once.

import { sql } from "kysely";
import {
  actualsByStory,
  actualsOfAllStories,
  attributedBy,
  attributedEntries,
  dailyAttributedSpend,
  attributedStoryId,
  refreshRollups,
  refreshRollupsReaching,
  rollupDaysReaching,
  unattributedEntries,
  unattributedFromRollups,
  waitingKeyTotals,
} from "~/models/attributed-spend.server";
import { checkOrganisationAlerts } from "~/models/organisation-alert.server";
import { checkBurnAlerts } from "~/models/sprint-alert.server";
import type { SpendImportVia, SpendSource } from "../../db/schema";
import { MAX_CREDITS, MAX_IMPORT_TOTAL, MAX_USD } from "~/domain/form-fields";
import { safeKeyPattern } from "~/domain/key-pattern";
import { entryProblem } from "~/domain/spend/field-readers";
import { apiEntryEvents } from "~/domain/spend/api-entries";
import {
  AGENT_SOURCES,
  type FormatEvent,
  type FormatName,
  type ParseEvent,
  type ParseIssue,
  type SkippedLine,
  type SpendEntry,
} from "~/domain/spend/entry";
import {
  MAX_LISTED_ERRORS,
  describeDetails,
  mergeSkipped,
  NO_DETAILS,
  readDetails,
  type ImportDetails,
  type ImportResult,
} from "~/domain/spend/import-result";
import { DecimalSum, MERGE_BUCKETS, mergeBucket, planMergeChunks, type BucketRange } from "~/domain/spend/merge-chunks";
import type { GenericMapping } from "~/domain/spend/parse-context";
import { parseSpend, type SpendInput } from "~/domain/spend/parse";
import { findRate, priceTokens, roundMoney, usdToCredits } from "~/domain/spend/rate-card";
import { getRateCard } from "~/models/rate.server";
import { isEmbedded, withOwnSession, type DB } from "~/utils/db.server";
import { breathe } from "~/utils/breathe.server";
import { logError } from "~/utils/log.server";
import { singleton } from "~/utils/singleton.server";
import { announceSpend } from "~/utils/spend-live.server";

// ---------------------------------------------------------------------------------------------
// Imports
// ---------------------------------------------------------------------------------------------

const AGENT_SOURCE_SET: ReadonlySet<string> = new Set(AGENT_SOURCES);

/**
 * Rows per staging batch and staged rows per merge statement (about: whole buckets, see
 * app/domain/spend/merge-chunks.ts). On the embedded database one such statement is the longest
 * the server stops answering during an import, so they are small there; on PostgreSQL the
 * statement runs in the database's process, and fewer, larger ones cost less in all. (Embedded
 * merges of 500 rows held the thread 80–130 ms each on a 200,000-row import; 250 keep it under 80.)
 */
export const STAGING_BATCH = { embedded: 500, postgres: 2000 };
export const MERGE_CHUNK = { embedded: 250, postgres: 20_000 };

/** Thrown when an input is over a limit (rows, bytes): the import is dropped, nothing is kept. */
export class SpendLimitError extends Error {
  constructor(
    readonly limit: "rows" | "bytes",
    message: string,
  ) {
    super(message);
    this.name = "SpendLimitError";
  }
}

export interface ImportTarget {
  teamId: number;
  fileName: string;
  via: SpendImportVia;
  userId?: number | null;
  tokenId?: number | null;
  /** Import the valid rows and list the bad ones, instead of rejecting the whole file. */
  skipInvalid?: boolean;
  /** Refuse (SpendLimitError) past this many entries. */
  maxRows?: number;
  batchSize?: number;
  /** Staged rows per merge statement (tests make it small to cross chunk edges). */
  mergeChunk?: number;
}

export interface FileImportOptions extends ImportTarget {
  format?: FormatName;
  mapping?: GenericMapping;
}

/** Imports one spend file (any `SpendInput`: a stream, bytes, text). */
export async function importSpendFile(db: DB, input: SpendInput, options: FileImportOptions): Promise<ImportResult> {
  const [team, rateCard] = await Promise.all([teamSettings(db, options.teamId), getRateCard(db, options.teamId)]);
  const events = parseSpend(input, {
    format: options.format,
    rateCard,
    keyPattern: safeKeyPattern(team.keyPattern),
    mapping: options.mapping,
    // Every bad line is counted (the list shows the first 20); atomic mode stops staging at the first.
    maxIssues: Number.MAX_SAFE_INTEGER,
    // Repeats within the file are sorted out when the staged rows are merged (see `runImport`): a
    // set of every key seen would grow with the file.
    dedupeWithinFile: false,
  });
  return afterSpendChanged(db, options.teamId, await runImport(db, options, events, null));
}

/**
 * New spend may push a running sprint past 75/90/100 %: check the burn alerts (each threshold is
 * sent once) without holding up the import's answer on a slow webhook.
 */
function afterSpendChanged<T>(db: DB, teamId: number, result: T): T {
  // …and the organisation's pool and the team's allocation (75/90/100 % of the month, issue 17).
  const check = Promise.all([checkBurnAlerts(db, { teamId }), checkOrganisationAlerts(db, { teamId })])
    .then(() => undefined)
    .catch((error: unknown) => logError("[spend] burn alert check failed:", error))
    .finally(() => pendingChecks.delete(check));
  pendingChecks.add(check);
  // Open dashboards, burn-ups and story pages reload (app/utils/spend-live.server.ts).
  announceSpend(teamId);
  return result;
}

/**
 * Imports entries a caller already read (OpenTelemetry exports): the same staging, dedupe, overlap
 * and merge as a file, the same burn alerts and live updates after it.
 */
export async function importSpendEntries(
  db: DB,
  entries: readonly SpendEntry[],
  options: ImportTarget & { format: string },
): Promise<ImportResult> {
  if (options.maxRows !== undefined && entries.length > options.maxRows) {
    throw new SpendLimitError("rows", `${entries.length} entries is over the limit of ${options.maxRows} per request`);
  }
  const seen = new Map<string, number>();
  const events: FormatEvent[] = entries.map((entry) => {
    const first = seen.get(entry.dedupeKey);
    if (first !== undefined)
      return {
        kind: "skipped",
        skipped: { line: entry.line, reason: "duplicate of an earlier record", duplicateOf: first },
      };
    seen.set(entry.dedupeKey, entry.line);
    return { kind: "entry", entry };
  });
  return afterSpendChanged(db, options.teamId, await runImport(db, options, toAsync(events), options.format));
}

const pendingChecks = new Set<Promise<void>>();

/**
 * Waits for the burn alert checks that imports started: a command-line run calls it before it
 * closes the database (the checks would otherwise fail with "PGlite is closing").
 */
export async function settleSpendChecks(): Promise<void> {
  while (pendingChecks.size > 0) await Promise.all([...pendingChecks]);
}

/** Imports entries pushed as a JSON array (the API's body); `line` in errors is the 1-based position. */
export async function importSpendJson(db: DB, items: readonly unknown[], options: ImportTarget): Promise<ImportResult> {
  if (options.maxRows !== undefined && items.length > options.maxRows) {
    throw new SpendLimitError("rows", `${items.length} entries is over the limit of ${options.maxRows} per request`);
  }
  const [team, rateCard] = await Promise.all([teamSettings(db, options.teamId), getRateCard(db, options.teamId)]);
  const events = apiEntryEvents(items, { rateCard, keyPattern: safeKeyPattern(team.keyPattern) });
  return afterSpendChanged(db, options.teamId, await runImport(db, options, toAsync(events), "api"));
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

function teamSettings(db: DB, teamId: number) {
  return db
    .selectFrom("teams")
    .select(["keyPattern", "creditValueUsd"])
    .where("id", "=", teamId)
    .executeTakeFirstOrThrow();
}

const CSV_FORMATS = new Set(["copilot-usage", "copilot-premium", "litellm", "generic-csv"]);

// An import's log row says "running" until it finishes; if its process dies (kill -9, a crash, a
// power cut) it never will. So a session of the import's own holds an advisory lock on its id for
// as long as it runs: a running import whose lock is free died with its process, and the next
// import or start-up marks it failed (`recoverInterruptedImports`). On PostgreSQL that session is a
// connection of its own, which lives and dies with the instance, wherever it runs. The embedded
// database is one session in one process (the folder lock sees to that), where every lock is this
// process's own: there, "alive" is what this process is running — kept here on both engines.
// The lock's key: the import's id, within a space of the schema's own (advisory locks are per
// database, and the tests put several schemas in one).
const IMPORT_LOCK_SPACE = sql`hashtext('spend_imports:' || current_schema())`;
const importLockKey = (importId: number | ReturnType<typeof sql.ref>) =>
  sql`${IMPORT_LOCK_SPACE}, (${importId}::bigint % 2147483647)::int`;
/** This process's imports: those running, and how many are between inserting their row and registering it. */
const here = singleton("spendImportsHere", () => ({ running: new Set<number>(), starting: 0 }));

async function runImport(
  db: DB,
  target: ImportTarget,
  events: AsyncIterable<ParseEvent | FormatEvent>,
  knownFormat: string | null,
): Promise<ImportResult> {
  await recoverInterruptedImports(db, { teamId: target.teamId });
  return withOwnSession(db, (session) => runClaimedImport(db, session, target, events, knownFormat));
}

async function runClaimedImport(
  db: DB,
  session: DB,
  target: ImportTarget,
  events: AsyncIterable<ParseEvent | FormatEvent>,
  knownFormat: string | null,
): Promise<ImportResult> {
  let importId: number;
  here.starting++;
  try {
    // The row and its lock in one statement: no one ever sees the row without the lock held.
    const created = await sql<{ id: number }>`
      with created as (
        insert into spend_imports (team_id, user_id, token_id, via, file_name, format, skip_invalid)
        values (${target.teamId}, ${target.userId ?? null}, ${target.tokenId ?? null}, ${target.via},
                ${target.fileName.slice(0, 300) || "(unnamed)"}, ${knownFormat}, ${target.skipInvalid ?? false})
        returning id
      )
      select id, pg_advisory_lock(${importLockKey(sql.ref("id"))}) from created`.execute(session);
    importId = Number(created.rows[0]!.id);
    here.running.add(importId);
  } finally {
    here.starting--;
  }
  try {
    return await stageAndMerge(db, target, events, knownFormat, importId);
  } finally {
    here.running.delete(importId);
    await sql`select pg_advisory_unlock(${importLockKey(importId)})`.execute(session).catch(() => {});
  }
}

async function stageAndMerge(
  db: DB,
  target: ImportTarget,
  events: AsyncIterable<ParseEvent | FormatEvent>,
  knownFormat: string | null,
  importId: number,
): Promise<ImportResult> {
  const { teamId } = target;
  const skipInvalid = target.skipInvalid ?? false;
  const embeddedDb = isEmbedded(db);
  const batchSize = target.batchSize ?? STAGING_BATCH[embeddedDb ? "embedded" : "postgres"];
  const mergeChunk = target.mergeChunk ?? MERGE_CHUNK[embeddedDb ? "embedded" : "postgres"];
  let format = knownFormat;
  let entries = 0;
  let inFileDuplicates = 0;
  let issues = 0;
  const errors: ParseIssue[] = [];
  let ignoredCount = 0;
  const notesFromFile: string[] = [];
  const ignored: SkippedLine[] = [];
  let staging = true;
  let batch: SpendEntry[] = [];
  // Staged rows per merge bucket: the merge's chunks are planned from these.
  const rowsPerBucket = new Uint32Array(MERGE_BUCKETS);
  // One batch in flight while the parser reads the next: parsing and writing overlap.
  let inFlight: Promise<void> | null = null;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    if (inFlight) await inFlight;
    inFlight = insertStaging(db, importId, rows, rowsPerBucket);
    // Its failure is taken up by the next `await inFlight`; this only keeps Node from calling it unhandled.
    inFlight.catch(() => {});
  };
  // Parsing runs on promises alone (no timer, no socket between entries): let the event loop
  // through every few hundred entries, so a large file does not hold up other requests meanwhile.
  let sinceBreath = 0;
  // Whether any entry came from an agent source (see onePathWarning).
  let agentSourced = false;

  let totalCredits = 0;
  let totalUsd = 0;
  const issue = (found: ParseIssue) => {
    issues++;
    if (errors.length < MAX_LISTED_ERRORS) errors.push(found);
    // Atomic: the file will be rejected, so nothing more is staged; parsing goes on to count
    // the rows and list the other bad lines. A transcript is written while the agent runs (a
    // truncated last line is normal): its bad lines are skipped, named in the summary.
    if (!skipInvalid && format !== "claude-jsonl") {
      staging = false;
      batch = [];
    }
  };

  try {
    for await (const event of events) {
      if (event.kind === "format") {
        format = event.format;
      } else if (event.kind === "entry") {
        // Amounts, days and text every source must respect, and a ceiling on the import's total:
        // an entry past them is a bad line like any other (so `skipInvalid` keeps the rest).
        const entry = event.entry;
        const problem =
          entryProblem(entry) ??
          ((entry.credits ?? 0) + totalCredits > MAX_IMPORT_TOTAL || (entry.costUsd ?? 0) + totalUsd > MAX_IMPORT_TOTAL
            ? `this entry brings the import's total over ${MAX_IMPORT_TOTAL.toExponential()} credits or USD: split the import`
            : null);
        if (problem) {
          issue({ line: entry.line, reason: problem });
          continue;
        }
        totalCredits += entry.credits ?? 0;
        totalUsd += entry.costUsd ?? 0;
        entries++;
        if (!agentSourced && AGENT_SOURCE_SET.has(entry.source)) agentSourced = true;
        if (++sinceBreath >= 250) {
          sinceBreath = 0;
          await breathe();
        }
        if (target.maxRows !== undefined && entries + inFileDuplicates > target.maxRows) {
          throw new SpendLimitError("rows", `more than ${target.maxRows} entries in one file`);
        }
        if (staging) {
          batch.push(event.entry);
          if (batch.length >= batchSize) await flush();
        }
      } else if (event.kind === "issue") {
        issue(event.issue);
      } else if (event.kind === "note") {
        if (notesFromFile.length < 10) notesFromFile.push(event.note);
      } else if (event.skipped.duplicateOf !== undefined) {
        inFileDuplicates++;
      } else {
        ignoredCount++;
        if (ignored.length < MAX_LISTED_ERRORS) ignored.push(event.skipped);
      }
    }
    if (staging) await flush();
    if (inFlight) await inFlight;
  } catch (error) {
    // Let a batch still being written land first, so the clean-up removes it too.
    await (inFlight as Promise<void> | null)?.catch(() => {});
    await abandonImport(db, teamId, importId, error, planMergeChunks(rowsPerBucket, mergeChunk));
    throw error;
  }

  // A problem with the file as a whole (unrecognised, empty, a bad header, broken JSON) is not a
  // rejected row: the file yielded no entries at all.
  const first = errors[0];
  const fileLevel =
    format === null ||
    (entries === 0 &&
      inFileDuplicates === 0 &&
      issues === 1 &&
      first !== undefined &&
      (format === "ccusage" || (CSV_FORMATS.has(format) && first.line === 1) || /empty/.test(first.reason)));
  const badLines = fileLevel ? 0 : issues;
  const lenient = skipInvalid || format === "claude-jsonl";
  const rejectedFile = issues > 0 && (fileLevel || !lenient || entries === 0);

  const chunks = planMergeChunks(rowsPerBucket, mergeChunk);
  if (rejectedFile) {
    await clearStaging(db, importId, chunks);
    const rows = entries + inFileDuplicates + badLines;
    const result: ImportResult = {
      importId,
      status: "rejected",
      file: target.fileName,
      format,
      rows,
      imported: 0,
      updated: 0,
      duplicates: 0,
      overlapping: 0,
      rejected: rows,
      unattributed: 0,
      unpriced: 0,
      unpricedModels: [],
      credits: 0,
      byStoryKey: {},
      ...NO_DETAILS,
      errors,
      notes: [],
      warnings: [],
    };
    await db
      .updateTable("spendImports")
      .set({
        status: "rejected",
        format,
        rows,
        rejected: rows,
        errors: JSON.stringify(errors),
        finishedAt: new Date(),
      })
      .where("id", "=", importId)
      .where("teamId", "=", teamId)
      .execute();
    return result;
  }

  // The lines left out, as data: unreadable ones (the file still went in) and rows that are not spend.
  const skipped = mergeSkipped(badLines > 0 ? errors : [], ignored, badLines + ignoredCount);

  // One transaction: mark overlaps, move the rows, complete the log — all or nothing. Each step goes
  // a chunk of staged rows at a time, and lets the event loop run between chunks (see MERGE_CHUNK).
  // Overlaps are marked for the whole file before any row moves: a row's overlap is with spend
  // that was there before this import.
  const merge = () =>
    db.transaction().execute(async (trx) => {
      const notes: string[] = [...notesFromFile];
      // One import per team at a time in this step, so two imports of overlapping sources cannot
      // both see "no other source for this session" and both add it.
      await sql`select pg_advisory_xact_lock(4004, ${teamId}::int)`.execute(trx);
      let overlapping = 0;
      for (const chunk of chunks) {
        overlapping += await markOverlaps(trx, teamId, importId, chunk);
        await breathe();
      }
      const totals = new MergeTotals();
      const days = new Set<string>();
      for (const chunk of chunks) {
        if (format === "copilot-usage" || format === "copilot-premium") {
          await renumberOccurrences(trx, importId, chunk);
          await breathe();
        }
        const merged = await mergeStaging(trx, teamId, importId, chunk, format === "claude-jsonl");
        totals.add(merged);
        for (const day of merged.days) days.add(day);
        await breathe();
      }
      await refreshRollups(trx, teamId, days);
      const counts = totals.total();
      // Only when this import brought something: a re-import of duplicates changes nothing.
      // (A file with no agent entries cannot be one of two paths: no need to read its staged rows.)
      const pathWarning =
        agentSourced && counts.imported + counts.updated > 0 ? await onePathWarning(trx, teamId, importId) : null;
      if (pathWarning) notes.push(pathWarning);
      counts.overlapping = overlapping;
      // Whatever was staged and neither added, updated nor overlapping was there already (or
      // repeated an earlier line of the file).
      const duplicates = entries - counts.overlapping - counts.imported - counts.updated + inFileDuplicates;
      const details: ImportDetails = {
        skipped,
        pricedFromFile: counts.sourcePricedModels,
        pricedFromRateCard: counts.rateCardModels,
      };
      const completed = await trx
        .updateTable("spendImports")
        .set({
          status: "imported",
          format,
          rows: entries + inFileDuplicates + badLines,
          imported: counts.imported,
          updated: counts.updated,
          duplicates,
          overlapping: counts.overlapping,
          rejected: badLines,
          unattributed: counts.unattributed,
          unpriced: counts.unpriced,
          credits: counts.credits,
          byStoryKey: JSON.stringify(counts.byStoryKey),
          unpricedModels: counts.unpricedModels,
          errors: JSON.stringify(errors),
          // The notes only: the details' sentences are made from `details` when read.
          warnings: JSON.stringify(notes),
          details: JSON.stringify(details),
          finishedAt: new Date(),
        })
        .where("id", "=", importId)
        .where("teamId", "=", teamId)
        // Only a running import completes: one given up for dead (its staged rows gone, so this
        // merge saw only part of them) rolls back instead of keeping half a file.
        .where("status", "=", "running")
        .executeTakeFirst();
      if (Number(completed.numUpdatedRows) !== 1)
        throw new Error("the import was given up for interrupted before it finished");
      return { ...counts, duplicates, notes, details };
    });

  let merged: MergeCounts & { notes: string[]; details: ImportDetails };
  try {
    merged = await merge();
  } catch (error) {
    await abandonImport(db, teamId, importId, error, chunks);
    throw error;
  }
  // Outside the transaction: staged rows of a finished import are never read again.
  await clearStaging(db, importId, chunks);

  const result: ImportResult = {
    importId,
    status: "imported",
    file: target.fileName,
    format,
    rows: entries + inFileDuplicates + badLines,
    imported: merged.imported,
    updated: merged.updated,
    duplicates: merged.duplicates,
    overlapping: merged.overlapping,
    rejected: badLines,
    unattributed: merged.unattributed,
    unpriced: merged.unpriced,
    unpricedModels: merged.unpricedModels,
    credits: merged.credits,
    byStoryKey: merged.byStoryKey,
    ...merged.details,
    errors,
    notes: merged.notes,
    warnings: [],
  };
  result.warnings = [...merged.notes, ...describeDetails(result)];
  return result;
}

interface MergeCounts {
  /** Models of the imported or updated entries, by where their price came from. */
  sourcePricedModels: string[];
  rateCardModels: string[];
  imported: number;
  updated: number;
  duplicates: number;
  overlapping: number;
  unattributed: number;
  unpriced: number;
  unpricedModels: string[];
  credits: number;
  byStoryKey: Record<string, number>;
}

const ENTRY_COLUMNS = [
  "occurred_at",
  "day",
  "source",
  "model",
  "model_id",
  "input_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "output_tokens",
  "cost_usd",
  "credits",
  "priced_by",
  "pool_credits",
  "paid_credits",
  "external_user",
  "session_id",
  "repository",
  "story_key",
  "aggregated",
  "dedupe_key",
  "cache_write1h_tokens",
  "fast",
  "usage_rank",
  "product",
] as const;

// What makes an aggregated row "the same values": everything the source states. A rate-card price
// is left out — it follows the rate card, not the file.
const COMPARED = [
  "occurred_at",
  "day",
  "model",
  "input_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "output_tokens",
  "pool_credits",
  "paid_credits",
  "external_user",
  "session_id",
  "repository",
  "story_key",
  "cache_write1h_tokens",
  "fast",
  "product",
];

function comparedRow(table: "spend_entries" | "excluded") {
  const columns = COMPARED.map((c) => `${table}.${c}`);
  columns.push(`case when ${table}.priced_by = 'source' then ${table}.cost_usd end`);
  columns.push(`case when ${table}.priced_by = 'source' then ${table}.credits end`);
  return sql.raw(`(${columns.join(", ")})`);
}

// The day an entry is booked on is the team's day: a call at 23:30 in Auckland belongs to that
// day's burn, not to the UTC day. Date-only sources (Copilot, ccusage daily) keep their date; they
// arrive as midnight UTC on the stated day.
const TEAM_DAY = `case when occurred_at = (day::timestamp at time zone 'UTC') then day
  else (occurred_at at time zone coalesce((select time_zone from teams where id = {team}), 'UTC'))::date end`;

/**
 * Copilot rows that share day, user, model and SKU all count: each is keyed by those values and its
 * occurrence number among them (the parser's `#n`), renumbered here in order of the rows' values so a
 * reordered copy of a report keys every row as before, and a re-import changes nothing.
 */
async function renumberOccurrences(trx: DB, importId: number, chunk: BucketRange): Promise<void> {
  await sql`
    update spend_staging s set dedupe_key = n.base || '#' || n.occurrence
    from (
      select ctid as row_id, base, row_number() over (
               partition by base
               order by credits, cost_usd, pool_credits, paid_credits, input_tokens, output_tokens,
                        cache_read_tokens, cache_write_tokens, external_user, line) as occurrence
      from (select ctid, *, regexp_replace(dedupe_key, '#[0-9]+$', '') as base
            from spend_staging where ${inChunk(importId, chunk)}) keyed
    ) n
    where ${inChunk(importId, chunk, "s")} and s.ctid = n.row_id`.execute(trx);
}

/** A chunk's staged rows (see app/domain/spend/merge-chunks.ts). */
function inChunk(importId: number, chunk: BucketRange, alias?: string) {
  const column = (name: string) => sql.ref(alias ? `${alias}.${name}` : name);
  return sql`${column("import_id")} = ${importId} and ${column("merge_bucket")} between ${chunk.from} and ${chunk.to}`;
}

/** Marks the chunk's staged rows whose session already has spend from another source; returns how many. */
async function markOverlaps(trx: DB, teamId: number, importId: number, chunk: BucketRange): Promise<number> {
  const overlap = await sql`
    update spend_staging s set overlapping = true
    where ${inChunk(importId, chunk, "s")} and s.session_id is not null
      and exists (select 1 from spend_entries e
                  where e.team_id = ${teamId} and e.session_id = s.session_id and e.source <> s.source)`.execute(trx);
  return Number(overlap.numAffectedRows ?? 0);
}

/** Deletes an import's staged rows a chunk at a time, with the event loop let through between. */
async function clearStaging(db: DB, importId: number, chunks: readonly BucketRange[]): Promise<void> {
  for (const chunk of chunks) {
    await sql`delete from spend_staging where ${inChunk(importId, chunk)}`.execute(db);
    await breathe();
  }
}

/** The import's counts, added up chunk by chunk. */
class MergeTotals {
  readonly counts: Omit<MergeCounts, "credits" | "byStoryKey"> = {
    sourcePricedModels: [],
    rateCardModels: [],
    imported: 0,
    updated: 0,
    duplicates: 0,
    overlapping: 0,
    unattributed: 0,
    unpriced: 0,
    unpricedModels: [],
  };
  private readonly credits = new DecimalSum();
  private readonly byStoryKey = new Map<string, DecimalSum>();

  add(chunk: ChunkCounts): void {
    const union = (a: string[], b: string[]) => (b.length ? [...new Set([...a, ...b])].sort() : a);
    const c = this.counts;
    c.imported += chunk.imported;
    c.updated += chunk.updated;
    c.unattributed += chunk.unattributed;
    c.unpriced += chunk.unpriced;
    c.unpricedModels = union(c.unpricedModels, chunk.unpricedModels);
    c.sourcePricedModels = union(c.sourcePricedModels, chunk.sourcePricedModels);
    c.rateCardModels = union(c.rateCardModels, chunk.rateCardModels);
    this.credits.add(chunk.credits);
    for (const [key, credits] of Object.entries(chunk.byStoryKey)) {
      const sum = this.byStoryKey.get(key) ?? new DecimalSum();
      sum.add(credits);
      this.byStoryKey.set(key, sum);
    }
  }

  total(): MergeCounts {
    const byStoryKey: Record<string, number> = {};
    for (const [key, sum] of [...this.byStoryKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      byStoryKey[key] = roundMoney(sum.toNumber());
    return { ...this.counts, credits: roundMoney(this.credits.toNumber()), byStoryKey };
  }
}

/** One chunk's counts: its sums exact, as the database's decimal text (see DecimalSum). */
type ChunkCounts = Omit<MergeCounts, "credits" | "byStoryKey"> & {
  credits: string;
  byStoryKey: Record<string, string>;
  /** The days of the entries the chunk wrote (before and after): their rollups are rewritten. */
  days: string[];
};

/** Moves one chunk of staged rows into spend_entries. */
async function mergeStaging(
  trx: DB,
  teamId: number,
  importId: number,
  chunk: BucketRange,
  keepVersions: boolean,
): Promise<ChunkCounts> {
  const columns = sql.raw(ENTRY_COLUMNS.join(", "));
  const selected = sql.join(
    ENTRY_COLUMNS.map((c) => (c === "day" ? sql.raw(TEAM_DAY.replace("{team}", String(Number(teamId)))) : sql.raw(c))),
  );
  const updates = sql.raw(
    ENTRY_COLUMNS.filter((c) => c !== "dedupe_key" && c !== "source")
      .map((c) => `${c} = excluded.${c}`)
      .join(", "),
  );
  // Repeated keys within the file (a single INSERT … ON CONFLICT DO UPDATE cannot meet a row twice):
  // each key's most complete copy (highest usage rank), else its first line. Repeats share a bucket,
  // so they are in the same chunk, and a chunk is small enough to sort.
  const staged = sql`(select distinct on (dedupe_key) * from spend_staging
           where ${inChunk(importId, chunk)} and not overlapping
           order by dedupe_key, usage_rank desc nulls last, line) as staged`;
  // Event rows a tool rewrites as they grow (Claude Code's streamed calls) are replaced by a more
  // complete copy; what they were is kept, so undoing this import puts it back.
  const saved = keepVersions
    ? sql`saved as (
        insert into spend_entry_versions (team_id, entry_id, import_id, previous)
        select e.team_id, e.id, ${importId}, to_jsonb(e)
        from ${staged} join spend_entries e on e.team_id = ${teamId} and e.dedupe_key = staged.dedupe_key
        where not e.aggregated and not staged.aggregated and staged.usage_rank > e.usage_rank
        on conflict (entry_id, import_id) do nothing
      ),`
    : sql``;
  const result = await sql<{
    imported: number;
    updated: number;
    credits: string;
    unpriced: number;
    unattributed: number;
    bykey: Record<string, string> | null;
    unpricedmodels: string[] | null;
    sourcemodels: string[] | null;
    ratecardmodels: string[] | null;
    days: string[] | null;
  }>`
    with ${saved} ins as (
      insert into spend_entries (team_id, import_id, ${columns})
      select ${teamId}, import_id, ${selected}
      from ${staged}
      on conflict (team_id, dedupe_key) do update
        set ${updates}, import_id = excluded.import_id, updated_at = now()
        where (spend_entries.aggregated and excluded.aggregated
               and ${comparedRow("spend_entries")} is distinct from ${comparedRow("excluded")})
           or (not spend_entries.aggregated and not excluded.aggregated
               and excluded.usage_rank > spend_entries.usage_rank)
      returning id, day, (xmax = 0) as inserted, credits, story_key, session_id, model, priced_by
    )
    select
      (count(*) filter (where inserted))::int as imported,
      (count(*) filter (where not inserted))::int as updated,
      coalesce(sum(credits), 0)::text as credits,
      (count(*) filter (where credits is null))::int as unpriced,
      (count(*) filter (where inserted and story_key is null and not exists (
        select 1 from spend_session_stories m where m.team_id = ${teamId} and m.session_id = ins.session_id)))::int as unattributed,
      (select jsonb_object_agg(k, c) from (
        select story_key as k, coalesce(sum(credits), 0)::text as c from ins where story_key is not null group by story_key) x) as bykey,
      (select array_agg(distinct coalesce(model, '(no model)') order by coalesce(model, '(no model)')) from ins where credits is null) as unpricedmodels,
      (select array_agg(distinct coalesce(model, '(no model)') order by coalesce(model, '(no model)'))
         from ins where priced_by = 'source') as sourcemodels,
      (select array_agg(distinct coalesce(model, '(no model)') order by coalesce(model, '(no model)'))
         from ins where priced_by = 'rate-card') as ratecardmodels,
      -- The days whose rollups change: the rows' days, and an updated row's day before (this
      -- statement's own read of spend_entries still sees the rows as they were).
      (select array_agg(distinct d::text) from (
        select day as d from ins
        union all select e.day from ins u join spend_entries e on e.id = u.id where not u.inserted) x) as days
    from ins`.execute(trx);
  const row = result.rows[0]!;
  const byStoryKey: Record<string, string> = {};
  for (const [key, value] of Object.entries(row.bykey ?? {})) byStoryKey[key] = value;
  return {
    imported: Number(row.imported),
    updated: Number(row.updated),
    duplicates: 0,
    overlapping: 0,
    unattributed: Number(row.unattributed),
    unpriced: Number(row.unpriced),
    unpricedModels: row.unpricedmodels ?? [],
    sourcePricedModels: row.sourcemodels ?? [],
    rateCardModels: row.ratecardmodels ?? [],
    credits: row.credits,
    byStoryKey,
    days: row.days ?? [],
  };
}

/**
 * The same work can reach the team by two paths (Claude Code's log, its ccusage summary, a LiteLLM
 * gateway, an agent hook). Sessions tell them apart; rows without a session id cannot be matched,
 * so when another agent source already has entries on the same days, say so.
 */
async function onePathWarning(trx: DB, teamId: number, importId: number): Promise<string | null> {
  const agentSources = sql.join(AGENT_SOURCES.map((s) => sql`${s}`));
  const result = await sql<{ source: string; sessionless: number }>`
    with mine as (
      select distinct day, source, (session_id is null) as sessionless
      from spend_staging where import_id = ${importId} and not overlapping and source in (${agentSources})
    )
    select e.source, count(*)::int as sessionless
    from spend_entries e
    where e.team_id = ${teamId}
      and e.source in (${agentSources})
      and e.source not in (select source from mine)
      and e.day in (select day from mine)
      and (e.session_id is null or exists (select 1 from mine where mine.sessionless and mine.day = e.day))
    group by e.source
    order by e.source`.execute(trx);
  if (result.rows.length === 0) return null;
  const sources = result.rows.map((r) => r.source);
  const others =
    sources.length > 1 ? `${sources.slice(0, -1).join(", ")} and ${sources[sources.length - 1]}` : sources[0];
  return (
    `These entries cannot all be matched against the ${others} entries already here for the same days, because some on ` +
    `one side or the other have no session id. If the same work reaches Token Poker by two paths (say Claude Code's logs ` +
    `and a LiteLLM gateway), it is counted twice: import one path per tool.`
  );
}

async function insertStaging(
  db: DB,
  importId: number,
  entries: SpendEntry[],
  rowsPerBucket: Uint32Array,
): Promise<void> {
  const rows = entries.map((e) => ({
    import_id: importId,
    line: e.line,
    occurred_at: e.occurredAt,
    day: e.day,
    source: e.source,
    model: e.model,
    model_id: e.modelId,
    input_tokens: e.inputTokens,
    cache_read_tokens: e.cacheReadTokens,
    cache_write_tokens: e.cacheWriteTokens,
    output_tokens: e.outputTokens,
    cache_write1h_tokens: e.cacheWrite1hTokens ?? 0,
    fast: e.fast ?? false,
    usage_rank: e.usageRank ?? null,
    product: e.product ?? null,
    cost_usd: e.costUsd,
    credits: e.credits,
    priced_by: e.pricedBy,
    pool_credits: e.poolCredits,
    paid_credits: e.paidCredits,
    external_user: e.externalUser,
    session_id: e.sessionId,
    repository: e.repository,
    story_key: e.storyKey,
    aggregated: e.aggregated,
    dedupe_key: e.dedupeKey,
    overlapping: false,
    merge_bucket: countBucket(rowsPerBucket, mergeBucket(e.dedupeKey)),
  }));
  // One parameter per batch: json_populate_recordset is quick on both engines and avoids the
  // 65,535-parameter limit of a multi-row VALUES list.
  await sql`insert into spend_staging select * from json_populate_recordset(null::spend_staging, ${JSON.stringify(rows)}::json)`.execute(
    db,
  );
}

function countBucket(rowsPerBucket: Uint32Array, bucket: number): number {
  rowsPerBucket[bucket]!++;
  return bucket;
}

async function abandonImport(
  db: DB,
  teamId: number,
  importId: number,
  error: unknown,
  chunks: readonly BucketRange[] = [],
): Promise<void> {
  const reason = error instanceof Error ? error.message : String(error);
  try {
    await clearStaging(db, importId, chunks);
    // Whatever the plan did not cover (a batch that failed half-way): one last sweep.
    await db.deleteFrom("spendStaging").where("importId", "=", importId).execute();
    await db
      .updateTable("spendImports")
      .set({ status: "failed", errors: JSON.stringify([{ line: 1, reason }]), finishedAt: new Date() })
      .where("id", "=", importId)
      .where("teamId", "=", teamId)
      .execute();
  } catch {
    // The database itself failed; the next import's clean-up takes care of the leftovers.
  }
}

/**
 * Imports that will never finish — their process died mid-way, so no session holds their lock —
 * are marked failed and their staged rows dropped; so are rows a finished import left staged (its
 * process died between the merge and the clean-up). Runs before every import and at start-up.
 * Returns how many imports it marked failed.
 */
export async function recoverInterruptedImports(db: DB, scope: { teamId?: number } = {}): Promise<number> {
  const running = await db
    .selectFrom("spendImports")
    .select("id")
    .where("status", "=", "running")
    .$if(scope.teamId !== undefined, (q) => q.where("teamId", "=", scope.teamId!))
    .execute();
  // On the embedded database only this process's registry tells the living, and one of its imports
  // may have a row but not be registered yet: then leave the check to the next time.
  const suspects = here.starting > 0 ? [] : running.map((r) => Number(r.id)).filter((id) => !here.running.has(id));
  let recovered = 0;
  const check = async (conn: DB) => {
    for (const id of suspects) {
      const { rows } = await sql<{ free: boolean }>`select pg_try_advisory_lock(${importLockKey(id)}) as free`.execute(
        conn,
      );
      if (!rows[0]?.free) continue; // alive in another instance
      try {
        const marked = await conn
          .updateTable("spendImports")
          .set({ status: "failed", finishedAt: new Date(), errors: JSON.stringify([{ line: 1, reason: INTERRUPTED }]) })
          .where("id", "=", id)
          .where("status", "=", "running")
          .executeTakeFirst();
        if (Number(marked.numUpdatedRows) === 1) recovered++;
      } finally {
        await sql`select pg_advisory_unlock(${importLockKey(id)})`.execute(conn);
      }
    }
  };
  // A session lock is taken and given back in the same session.
  if (suspects.length > 0) await withOwnSession(db, check);
  await db
    .deleteFrom("spendStaging")
    .where("importId", "in", (eb) =>
      eb
        .selectFrom("spendImports")
        .select("id")
        .where("status", "!=", "running")
        .$if(scope.teamId !== undefined, (q) => q.where("teamId", "=", scope.teamId!)),
    )
    .execute();
  return recovered;
}

const INTERRUPTED =
  "interrupted: the server stopped before the import finished, and nothing of it was kept; import the file again";

// ---------------------------------------------------------------------------------------------
// Import log and undo
// ---------------------------------------------------------------------------------------------

export function listImports(db: DB, input: { teamId: number; limit?: number }) {
  return db
    .selectFrom("spendImports as i")
    .leftJoin("users as u", "u.id", "i.userId")
    .leftJoin("teamApiTokens as t", "t.id", "i.tokenId")
    .select([
      "i.id",
      "i.via",
      "i.fileName",
      "i.format",
      "i.status",
      "i.skipInvalid",
      "i.rows",
      "i.imported",
      "i.updated",
      "i.duplicates",
      "i.overlapping",
      "i.rejected",
      "i.unattributed",
      "i.unpriced",
      "i.credits",
      "i.byStoryKey",
      "i.unpricedModels",
      "i.errors",
      "i.warnings",
      "i.startedAt",
      "i.finishedAt",
      "i.undoneAt",
      "u.name as userName",
      "t.name as tokenName",
    ])
    .where("i.teamId", "=", input.teamId)
    .orderBy("i.startedAt", "desc")
    .orderBy("i.id", "desc")
    .limit(input.limit ?? 50)
    .execute();
}

/** Finished imports as the result summary shows them (the page reads its results from the log). */
export async function getImportResults(
  db: DB,
  input: { teamId: number; importIds: number[] },
): Promise<(ImportResult & { undone: boolean })[]> {
  if (input.importIds.length === 0) return [];
  const rows = await db
    .selectFrom("spendImports")
    .selectAll()
    .where("teamId", "=", input.teamId)
    .where("id", "in", input.importIds.slice(0, 50))
    .orderBy("id")
    .execute();
  return rows.map((r) => {
    const result: ImportResult = {
      importId: r.id,
      status: r.status === "imported" ? "imported" : "rejected",
      file: r.fileName,
      format: r.format,
      rows: r.rows,
      imported: r.imported,
      updated: r.updated,
      duplicates: r.duplicates,
      overlapping: r.overlapping,
      rejected: r.rejected,
      unattributed: r.unattributed,
      unpriced: r.unpriced,
      unpricedModels: r.unpricedModels,
      credits: r.credits,
      byStoryKey: r.byStoryKey,
      ...readDetails(r.details),
      errors: r.errors,
      notes: r.warnings,
      warnings: [],
    };
    // Imports from before 0026 kept every sentence in `warnings` and have no details to describe.
    result.warnings = [...r.warnings, ...describeDetails(result)];
    return { ...result, undone: r.undoneAt !== null };
  });
}

export class UndoError extends Error {}

/**
 * Undoes an import: removes every entry whose current values came from it — the entries it added,
 * and the running totals (Copilot, ccusage) it last updated. An updated total goes away whole: the
 * values it had before are not kept, so re-import the earlier report to bring them back. Totals a
 * later import updated belong to that later import and stay. Claude Code calls that this import
 * replaced with a more complete copy (a grown transcript) go back to what the earlier import wrote
 * (`restored`); a person's story assignment stays either way.
 */
export async function undoImport(db: DB, input: { teamId: number; importId: number; userId: number | null }) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("spendImports")
      .select(["status", "undoneAt"])
      .where("teamId", "=", input.teamId)
      .where("id", "=", input.importId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return null;
    if (row.status !== "imported") throw new UndoError("Only a finished import can be undone.");
    if (row.undoneAt) throw new UndoError("This import was undone already.");
    // The import's entries first, the rollups' lock after (in rollupDaysReaching): the order every
    // other change takes them in (an assignment, a re-import's merge: entries, then the refresh).
    // The other way round, an undo holding the lock and waiting for an entry such a change had
    // locked deadlocked with it.
    await trx
      .selectFrom("spendEntries")
      .select("id")
      .where("teamId", "=", input.teamId)
      .where("importId", "=", input.importId)
      .forUpdate()
      .execute();
    // The days of what goes (the entries the import wrote now) and of what comes back.
    const days = await rollupDaysReaching(trx, input.teamId, { importId: input.importId });
    const previousDays = await sql<{ day: string }>`
      select distinct v.previous->>'day' as day from spend_entry_versions v
      where v.team_id = ${input.teamId} and v.import_id = ${input.importId}`.execute(trx);
    const restoredColumns = [...ENTRY_COLUMNS.filter((c) => c !== "dedupe_key" && c !== "source"), "import_id"];
    const restored = await sql`
      update spend_entries e
      set ${sql.raw(restoredColumns.map((c) => `${c} = p.${c}`).join(", "))}, updated_at = now()
      from spend_entry_versions v, lateral jsonb_populate_record(null::spend_entries, v.previous) p
      where v.team_id = ${input.teamId} and v.import_id = ${input.importId}
        and e.id = v.entry_id and e.team_id = ${input.teamId} and e.import_id = ${input.importId}`.execute(trx);
    await trx
      .deleteFrom("spendEntryVersions")
      .where("teamId", "=", input.teamId)
      .where("importId", "=", input.importId)
      .execute();
    const removed = await trx
      .deleteFrom("spendEntries")
      .where("teamId", "=", input.teamId)
      .where("importId", "=", input.importId)
      .executeTakeFirst();
    await trx
      .updateTable("spendImports")
      .set({ undoneAt: new Date(), undoneBy: input.userId })
      .where("teamId", "=", input.teamId)
      .where("id", "=", input.importId)
      .execute();
    await refreshRollups(trx, input.teamId, [...days, ...previousDays.rows.map((r) => r.day)]);
    return { removed: Number(removed.numDeletedRows), restored: Number(restored.numAffectedRows ?? 0) };
  });
}

// ---------------------------------------------------------------------------------------------
// Pricing
// ---------------------------------------------------------------------------------------------

/**
 * Prices the team's unpriced entries with the current rate card: call it after a rate is added.
 * Prices a source stated are never touched. Returns how many entries got a price.
 */
export async function repriceUnpricedEntries(db: DB, teamId: number): Promise<number> {
  if (!db.isTransaction) return db.transaction().execute((trx) => repriceUnpricedEntries(trx, teamId));
  const card = await getRateCard(db, teamId);
  let priced = 0;
  let lastId = 0;
  // One transaction (above): the prices and the rollups that add them up change together.
  const days = new Set<string>();
  for (;;) {
    const rows = await db
      .selectFrom("spendEntries")
      .select([
        "id",
        "model",
        "occurredAt",
        "inputTokens",
        "cacheReadTokens",
        "cacheWriteTokens",
        "cacheWrite1hTokens",
        "outputTokens",
        "fast",
      ])
      .where("teamId", "=", teamId)
      .where("credits", "is", null)
      .where("pricedBy", "is", null)
      .where("id", ">", lastId)
      .orderBy("id")
      .limit(1000)
      .execute();
    if (rows.length === 0) {
      await refreshRollups(db, teamId, days);
      return priced;
    }
    lastId = rows[rows.length - 1]!.id;
    const updates: { id: number; model_id: string; cost_usd: number; credits: number }[] = [];
    for (const r of rows) {
      const at = new Date(r.occurredAt).toISOString();
      const rate = findRate(card, r.model, at);
      const usd = rate ? priceTokens(card, r.model, r, at) : null;
      if (!rate || usd === null) continue;
      updates.push({ id: r.id, model_id: rate.id, cost_usd: usd, credits: usdToCredits(usd, card.creditValueUsd) });
    }
    if (updates.length === 0) continue;
    const result = await sql<{ day: string }>`
      update spend_entries e
      set model_id = v.model_id, cost_usd = v.cost_usd, credits = v.credits, priced_by = 'rate-card', updated_at = now()
      from json_to_recordset(${JSON.stringify(updates)}::json) as v(id bigint, model_id text, cost_usd numeric, credits numeric)
      where e.id = v.id and e.team_id = ${teamId} and e.credits is null
      returning e.day`.execute(db);
    for (const r of result.rows) days.add(r.day);
    priced += result.rows.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading entries with their story
// ---------------------------------------------------------------------------------------------

// Which story an entry counts for is answered in attributed-spend.server.ts, and only there.
const withStory = attributedEntries;

function withMember<T extends ReturnType<typeof withStory>>(query: T) {
  return query
    .leftJoin("spendIdentities as si", (join) =>
      join.onRef("si.teamId", "=", "e.teamId").on("si.identity", "=", sql<string>`lower(btrim(e.external_user))`),
    )
    .leftJoin("users as mu", "mu.id", "si.userId");
}

export interface InboxFilters {
  /** "u:<userId>" (a member, through their mapped identities), "x:<identity>" (unmapped), "none". */
  member?: string;
  repository?: string;
  model?: string;
  from?: string;
  to?: string;
}

export const INBOX_SORTS = {
  day: "e.occurredAt",
  credits: "e.credits",
  model: "e.model",
  repository: "e.repository",
} as const;
export type InboxSort = keyof typeof INBOX_SORTS;

function inboxQuery(db: DB, teamId: number, f: InboxFilters) {
  // Every condition on the entry itself (a member through a semi-join on their identities), so the
  // filtered lists and totals stay on the inbox's partial index.
  const identity = sql<string>`lower(btrim(e.external_user))`;
  let query = unattributedEntries(db, teamId);
  if (f.member === "none") query = query.where("e.externalUser", "is", null);
  else if (f.member?.startsWith("u:"))
    query = query.where(
      identity,
      "in",
      db
        .selectFrom("spendIdentities")
        .select("identity")
        .where("teamId", "=", teamId)
        .where("userId", "=", Number(f.member.slice(2)) || 0),
    );
  else if (f.member?.startsWith("x:")) query = query.where(identity, "=", f.member.slice(2));
  if (f.repository) query = query.where("e.repository", "=", f.repository);
  if (f.model) query = query.where("e.model", "=", f.model);
  if (f.from) query = query.where("e.day", ">=", f.from);
  if (f.to) query = query.where("e.day", "<=", f.to);
  return query;
}

/** The Unattributed inbox: entries with no story key, no mapped session and no assignment. */
export async function listUnattributed(
  db: DB,
  input: { teamId: number; filters?: InboxFilters; sort?: InboxSort; desc?: boolean; limit?: number; offset?: number },
) {
  const f = input.filters ?? {};
  const column = INBOX_SORTS[input.sort ?? "day"];
  const desc = input.sort ? !!input.desc : true;
  // The page's ids first, from the index alone; then only those rows are read in full.
  const page = inboxQuery(db, input.teamId, f)
    .select("e.id")
    .orderBy(column, (ob) => (desc ? ob.desc().nullsLast() : ob.asc().nullsLast()))
    .orderBy("e.id", "desc")
    .limit(input.limit ?? 500)
    .offset(input.offset ?? 0);
  const [rows, totals] = await Promise.all([
    db
      .selectFrom("spendEntries as e")
      .innerJoin(page.as("p"), "p.id", "e.id")
      .leftJoin("spendIdentities as si", (join) =>
        join.onRef("si.teamId", "=", "e.teamId").on("si.identity", "=", sql<string>`lower(btrim(e.external_user))`),
      )
      .leftJoin("users as mu", "mu.id", "si.userId")
      .select([
        "e.id",
        "e.occurredAt",
        "e.day",
        "e.source",
        "e.model",
        "e.externalUser",
        "e.sessionId",
        "e.repository",
        "e.credits",
        "e.costUsd",
        "mu.name as memberName",
      ])
      .select(sql<number>`e.input_tokens + e.cache_read_tokens + e.cache_write_tokens + e.output_tokens`.as("tokens"))
      .orderBy(column, (ob) => (desc ? ob.desc().nullsLast() : ob.asc().nullsLast()))
      .orderBy("e.id", "desc")
      .execute(),
    inboxQuery(db, input.teamId, f)
      .select((eb) => [
        eb.fn.countAll<number>().as("entries"),
        eb.fn.coalesce(eb.fn.sum<number>("e.credits"), sql<number>`0`).as("credits"),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: { entries: Number(totals.entries), credits: roundMoney(Number(totals.credits)) } };
}

/** Values for the inbox's filters, from the unattributed entries themselves. */
export async function getInboxFilterOptions(db: DB, teamId: number) {
  // One pass over the inbox's entries (index-only), then the three lists from its distinct
  // combinations, each in the database's order.
  const combos = unattributedEntries(db, teamId)
    .select(["e.repository", "e.model", sql<string | null>`lower(btrim(e.external_user))`.as("identity")])
    .distinct();
  const { rows } = await sql<{
    kind: "repository" | "model" | "person";
    value: string | null;
    userId: number | null;
    name: string | null;
  }>`
    with d as materialized (${combos})
    select 'repository' as kind, repository as value, null::bigint as user_id, null::text as name
      from d where repository is not null group by repository
    union all
    select 'model', model, null, null from d where model is not null group by model
    union all
    select 'person', p.identity, si.user_id, mu.name
      from (select identity from d group by identity) p
      left join spend_identities si on si.team_id = ${teamId} and si.identity = p.identity
      left join users mu on mu.id = si.user_id
    order by 1, 2`.execute(db);
  const members = new Map<number, string>();
  const unmapped = new Set<string>();
  let anonymous = false;
  for (const p of rows) {
    if (p.kind !== "person") continue;
    if (p.userId !== null && p.name) members.set(Number(p.userId), p.name);
    else if (p.value) unmapped.add(p.value);
    else anonymous = true;
  }
  // Alphabetical, never by amount: the filter finds people, it does not rank them.
  return {
    repositories: rows.filter((r) => r.kind === "repository").map((r) => r.value!),
    models: rows.filter((r) => r.kind === "model").map((r) => r.value!),
    members: [...members]
      .map(([id, name]) => ({ value: `u:${id}`, label: name }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    identities: [...unmapped].sort().map((identity) => ({ value: `x:${identity}`, label: identity })),
    anonymous,
  };
}

export class AssignError extends Error {}

/**
 * Assigns entries to a story (the inbox's bulk action). With `mapSessions`, their sessions are
 * mapped too, so the entries those sessions bring later follow on their own.
 */
export async function assignEntries(
  db: DB,
  input: { teamId: number; entryIds: number[]; storyId: number; mapSessions: boolean; userId: number | null },
) {
  if (input.entryIds.length === 0) return { assigned: 0, sessions: 0 };
  return db.transaction().execute(async (trx) => {
    const story = await trx
      .selectFrom("stories")
      .select("id")
      .where("teamId", "=", input.teamId)
      .where("id", "=", input.storyId)
      .executeTakeFirst();
    if (!story) throw new AssignError("That story does not exist in this team.");
    const result = await trx
      .updateTable("spendEntries")
      .set({ storyId: input.storyId, updatedAt: new Date() })
      .where("teamId", "=", input.teamId)
      .where("id", "in", input.entryIds)
      .executeTakeFirst();
    let sessions = 0;
    if (input.mapSessions) {
      const rows = await trx
        .selectFrom("spendEntries")
        .select("sessionId")
        .distinct()
        .where("teamId", "=", input.teamId)
        .where("id", "in", input.entryIds)
        .where("sessionId", "is not", null)
        .execute();
      for (const r of rows) {
        await setSessionStory(trx, {
          teamId: input.teamId,
          sessionId: r.sessionId!,
          storyId: input.storyId,
          userId: input.userId,
        });
        sessions++;
      }
    }
    // Mapped sessions refreshed their own days above; the entries' days here.
    await refreshRollupsReaching(trx, input.teamId, { entryIds: input.entryIds });
    return { assigned: Number(result.numUpdatedRows), sessions };
  });
}

/** Maps a session to a story: all of its entries, now and later, count for that story. */
export async function setSessionStory(
  db: DB,
  input: { teamId: number; sessionId: string; storyId: number; userId: number | null },
): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => setSessionStory(trx, input));
  await db
    .insertInto("spendSessionStories")
    .values({ teamId: input.teamId, sessionId: input.sessionId, storyId: input.storyId, createdBy: input.userId })
    .onConflict((oc) =>
      oc.columns(["teamId", "sessionId"]).doUpdateSet({ storyId: input.storyId, createdBy: input.userId }),
    )
    .execute();
  await refreshRollupsReaching(db, input.teamId, { sessionIds: [input.sessionId] });
}

export async function removeSessionStory(db: DB, input: { teamId: number; sessionId: string }): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => removeSessionStory(trx, input));
  await db
    .deleteFrom("spendSessionStories")
    .where("teamId", "=", input.teamId)
    .where("sessionId", "=", input.sessionId)
    .execute();
  await refreshRollupsReaching(db, input.teamId, { sessionIds: [input.sessionId] });
}

// ---------------------------------------------------------------------------------------------
// Per story, per day, overview
// ---------------------------------------------------------------------------------------------

/** A story's entries (whatever attributed them) with totals, newest first. */
export async function getStorySpend(db: DB, input: { teamId: number; storyId: number }) {
  const entriesQuery = withMember(withStory(db, input.teamId))
    .where(attributedStoryId, "=", input.storyId)
    .select([
      "e.id",
      "e.occurredAt",
      "e.day",
      "e.source",
      "e.model",
      "e.externalUser",
      "e.sessionId",
      "e.repository",
      "e.storyKey",
      "e.credits",
      "e.costUsd",
      "e.note",
      "mu.name as memberName",
    ])
    .select(attributedBy.as("attributedBy"))
    .select(sql<number>`e.input_tokens + e.cache_read_tokens + e.cache_write_tokens + e.output_tokens`.as("tokens"))
    .orderBy("e.occurredAt", "desc")
    .orderBy("e.id", "desc")
    .limit(1000)
    .execute();
  const [entries, totals, sessions] = await Promise.all([
    entriesQuery,
    getActualCreditsByStory(db, { teamId: input.teamId, storyIds: [input.storyId] }),
    db
      .selectFrom("spendSessionStories")
      .select(["sessionId", "createdAt"])
      .where("teamId", "=", input.teamId)
      .where("storyId", "=", input.storyId)
      .orderBy("createdAt", "desc")
      .execute(),
  ]);
  return { entries, sessions, total: totals[0] ?? { storyId: input.storyId, credits: 0, entries: 0, unpriced: 0 } };
}

/**
 * Actual credits per story (the sum of its entries, however attributed); unpriced entries are
 * counted apart. Stories without entries are absent. For sprints, drift and the retrospective.
 */
export async function getActualCreditsByStory(db: DB, input: { teamId: number; storyIds?: number[] }) {
  if (input.storyIds && input.storyIds.length === 0) return [];
  const actuals = input.storyIds
    ? await actualsByStory(db, { teamId: input.teamId, storyIds: input.storyIds })
    : await actualsOfAllStories(db, input.teamId);
  return [...actuals].map(([storyId, a]) => ({
    storyId,
    credits: roundMoney(a.credits ?? 0),
    entries: a.entries,
    unpriced: a.unpriced,
  }));
}

/** Credits per day (for burn-ups), optionally only what counts for the given stories. */
export async function getDailySpend(db: DB, input: { teamId: number; from: string; to: string; storyIds?: number[] }) {
  if (input.storyIds) {
    const days = await dailyAttributedSpend(db, { ...input, storyIds: input.storyIds });
    return days.map((d) => ({ day: d.day, credits: roundMoney(d.credits) }));
  }
  // The team's whole spend per day: one row a day (migration 0027), not every entry.
  const rows = await db
    .selectFrom("spendDayTotals")
    .where("teamId", "=", input.teamId)
    .where("day", ">=", input.from)
    .where("day", "<=", input.to)
    .select(["day", sql<number>`coalesce(credits, 0)`.as("credits")])
    .orderBy("day")
    .execute();
  return rows.map((r) => ({ day: r.day, credits: roundMoney(Number(r.credits)) }));
}

/** The spend page's header figures. */
export async function getSpendOverview(db: DB, teamId: number) {
  // Narrow reads instead of one pass joining every entry to its story: the team's totals (its day
  // rollups: one row a day, not one an entry), the inbox's entries (their partial index) and the
  // waiting keys (a loose scan of the key index).
  const [totals, nobodys, waiting, unpricedModels, lastImport] = await Promise.all([
    db
      .selectFrom("spendDayTotals")
      .where("teamId", "=", teamId)
      .select([
        sql<number>`coalesce(sum(entries), 0)`.as("entries"),
        sql<number>`coalesce(sum(credits), 0)`.as("credits"),
        sql<number>`coalesce(sum(unpriced), 0)`.as("unpricedEntries"),
      ])
      .executeTakeFirstOrThrow(),
    unattributedEntries(db, teamId)
      .select([sql<number>`count(*)`.as("entries"), sql<number>`coalesce(sum(e.credits), 0)`.as("credits")])
      .executeTakeFirstOrThrow(),
    waitingKeyTotals(db, teamId, 50),
    db
      .selectFrom("spendEntries")
      .select(["model", sql<number>`count(*)`.as("entries")])
      .where("teamId", "=", teamId)
      .where("credits", "is", null)
      .groupBy("model")
      .orderBy("model")
      .execute(),
    db
      .selectFrom("spendImports")
      .select(["startedAt", "fileName", "status"])
      .where("teamId", "=", teamId)
      .orderBy("startedAt", "desc")
      .limit(1)
      .executeTakeFirst(),
  ]);
  return {
    entries: Number(totals.entries),
    credits: roundMoney(Number(totals.credits)),
    unattributed: {
      entries: Number(nobodys.entries),
      credits: roundMoney(Number(nobodys.credits)),
    },
    unpriced: {
      entries: Number(totals.unpricedEntries),
      models: unpricedModels.map((m) => ({ model: m.model ?? "(no model)", entries: Number(m.entries) })),
    },
    waiting: waiting.map((w) => ({ ...w, credits: roundMoney(w.credits) })),
    lastImport: lastImport ?? null,
  };
}

/** For the dashboard card: what still needs a story (from the rollups). */
export async function getUnattributedSummary(db: DB, teamId: number) {
  const summary = await unattributedFromRollups(db, teamId);
  return { ...summary, credits: roundMoney(summary.credits) };
}

// ---------------------------------------------------------------------------------------------
// By hand
// ---------------------------------------------------------------------------------------------

export class ManualEntryError extends Error {}

/** A spend entry typed in on a story (credits, or USD converted at the team's credit value). */
export async function addManualEntry(
  db: DB,
  input: {
    teamId: number;
    storyId: number;
    userId: number | null;
    day: string;
    credits?: number | null;
    costUsd?: number | null;
    model?: string | null;
    note?: string | null;
  },
) {
  const [team, story] = await Promise.all([
    teamSettings(db, input.teamId),
    db
      .selectFrom("stories")
      .select("id")
      .where("teamId", "=", input.teamId)
      .where("id", "=", input.storyId)
      .executeTakeFirst(),
  ]);
  if (!story) throw new ManualEntryError("That story does not exist in this team.");
  const credits =
    input.credits !== null && input.credits !== undefined
      ? roundMoney(input.credits)
      : input.costUsd !== null && input.costUsd !== undefined
        ? usdToCredits(input.costUsd, team.creditValueUsd)
        : null;
  if (credits === null) throw new ManualEntryError("Give the credits or the cost in USD.");
  const costUsd =
    input.costUsd !== null && input.costUsd !== undefined
      ? roundMoney(input.costUsd)
      : roundMoney(credits * team.creditValueUsd);
  // The same ceilings as every import (form-fields.ts): a tiny credit value must not turn $1e7 into 1e307 credits.
  if (
    !Number.isFinite(credits) ||
    credits < 0 ||
    credits > MAX_CREDITS ||
    !Number.isFinite(costUsd) ||
    costUsd > MAX_USD
  ) {
    throw new ManualEntryError(`One entry can hold at most ${MAX_CREDITS.toLocaleString("en-US")} credits.`);
  }
  return db.transaction().execute(async (trx) => {
    const entry = await trx
      .insertInto("spendEntries")
      .values({
        teamId: input.teamId,
        occurredAt: `${input.day}T12:00:00.000Z`,
        day: input.day,
        source: "manual",
        model: input.model || null,
        modelId: null,
        inputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        outputTokens: 0,
        costUsd,
        credits,
        pricedBy: "source",
        poolCredits: null,
        paidCredits: null,
        externalUser: null,
        sessionId: null,
        repository: null,
        storyKey: null,
        storyId: input.storyId,
        aggregated: false,
        dedupeKey: `manual:${crypto.randomUUID()}`,
        importId: null,
        note: input.note || null,
        createdBy: input.userId,
      })
      .returning(["id", "credits"])
      .executeTakeFirstOrThrow();
    await refreshRollups(trx, input.teamId, [input.day]);
    return entry;
  });
}

/** Removes an entry typed in by hand (imported entries leave through their import's undo). */
export async function deleteManualEntry(db: DB, input: { teamId: number; entryId: number }) {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("spendEntries")
      .where("teamId", "=", input.teamId)
      .where("id", "=", input.entryId)
      .where("source", "=", "manual" satisfies SpendSource)
      .returning("day")
      .execute();
    await refreshRollups(
      trx,
      input.teamId,
      removed.map((r) => r.day),
    );
    return removed.length === 1;
  });
}

// ---------------------------------------------------------------------------------------------
// Identities
// ---------------------------------------------------------------------------------------------

export function normalizeIdentity(value: string): string {
  return value.trim().toLowerCase();
}

/** Mapped identities with their member, and the identities seen in entries that nobody mapped yet. */
export async function listIdentities(db: DB, teamId: number) {
  const [mapped, unknown] = await Promise.all([
    db
      .selectFrom("spendIdentities as si")
      .innerJoin("users as u", "u.id", "si.userId")
      .select(["si.identity", "si.userId", "u.name", "u.email", "si.createdAt"])
      .select((eb) =>
        eb
          .selectFrom("spendEntries as e")
          .select(sql<number>`count(*)`.as("n"))
          .whereRef("e.teamId", "=", "si.teamId")
          .where(sql<string>`lower(btrim(e.external_user))`, "=", eb.ref("si.identity"))
          .as("entries"),
      )
      .where("si.teamId", "=", teamId)
      .orderBy("si.identity")
      .execute(),
    db
      .selectFrom("spendEntries as e")
      .select([
        sql<string>`lower(btrim(e.external_user))`.as("identity"),
        sql<number>`count(*)`.as("entries"),
        sql<string>`max(e.day)`.as("lastSeen"),
      ])
      .where("e.teamId", "=", teamId)
      .where("e.externalUser", "is not", null)
      .where(sql<string>`btrim(e.external_user)`, "<>", "")
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("spendIdentities as si")
              .select("si.identity")
              .whereRef("si.teamId", "=", "e.teamId")
              .where("si.identity", "=", sql<string>`lower(btrim(e.external_user))`),
          ),
        ),
      )
      .groupBy(sql`lower(btrim(e.external_user))`)
      // Alphabetical: this list is for mapping, not a ranking of who spent most.
      .orderBy(sql`lower(btrim(e.external_user))`)
      .execute(),
  ]);
  return {
    mapped: mapped.map((m) => ({ ...m, entries: Number(m.entries ?? 0) })),
    unknown: unknown.map((u) => ({ ...u, entries: Number(u.entries) })),
  };
}

export class IdentityError extends Error {}

/**
 * Who maps: a manager (`canManageOthers`) maps any identity to any member and may move it; anyone
 * else maps only to themself, and only an identity nobody else holds (else a member could take a
 * colleague's spend by naming the colleague's tool login as their own). Routes always pass the
 * signed-in actor; only the operator's own scripts (the demo seed) leave it out.
 */
export interface IdentityActor {
  userId: number;
  canManageOthers: boolean;
}

export async function mapIdentity(
  db: DB,
  input: { teamId: number; identity: string; userId: number; createdBy: number | null; actor?: IdentityActor },
) {
  const identity = normalizeIdentity(input.identity);
  if (!identity) throw new IdentityError("Give the user name or e-mail the tool writes.");
  const actor = input.actor ?? { userId: input.userId, canManageOthers: true };
  if (!actor.canManageOthers && input.userId !== actor.userId) {
    throw new IdentityError("Only a manager maps a name to someone else; you can map names to yourself.");
  }
  const member = await db
    .selectFrom("memberships")
    .select("userId")
    .where("teamId", "=", input.teamId)
    .where("userId", "=", input.userId)
    .executeTakeFirst();
  if (!member) throw new IdentityError("That person is not a member of this team.");
  // One statement: the conflict update applies only where the actor may take the row over, so two
  // members racing for one identity cannot both win.
  const written = await db
    .insertInto("spendIdentities")
    .values({ teamId: input.teamId, identity, userId: input.userId, createdBy: input.createdBy })
    .onConflict((oc) => {
      const update = oc
        .columns(["teamId", "identity"])
        .doUpdateSet({ userId: input.userId, createdBy: input.createdBy });
      return actor.canManageOthers ? update : update.where("spendIdentities.userId", "=", actor.userId);
    })
    .returning("userId")
    .executeTakeFirst();
  if (!written) throw new IdentityError(`“${identity}” is already mapped to another member; ask a manager to move it.`);
}

export async function unmapIdentity(db: DB, input: { teamId: number; identity: string; actor?: IdentityActor }) {
  const actor = input.actor ?? { userId: 0, canManageOthers: true };
  let query = db
    .deleteFrom("spendIdentities")
    .where("teamId", "=", input.teamId)
    .where("identity", "=", normalizeIdentity(input.identity));
  if (!actor.canManageOthers) query = query.where("userId", "=", actor.userId);
  const result = await query.executeTakeFirst();
  if (!actor.canManageOthers && Number(result.numDeletedRows) === 0) {
    const held = await db
      .selectFrom("spendIdentities")
      .select("userId")
      .where("teamId", "=", input.teamId)
      .where("identity", "=", normalizeIdentity(input.identity))
      .executeTakeFirst();
    if (held) throw new IdentityError("Only a manager unmaps a name mapped to someone else.");
  }
}

/** Sessions seen in a team's entries that no story claims yet (for the story page's session picker). */
export function listUnmappedSessions(db: DB, input: { teamId: number; limit?: number }) {
  return withStory(db, input.teamId)
    .where("e.sessionId", "is not", null)
    .where("ss.storyId", "is", null)
    .select([
      "e.sessionId",
      sql<string>`min(e.day)`.as("firstDay"),
      sql<string>`max(e.day)`.as("lastDay"),
      sql<number>`count(*)`.as("entries"),
      sql<string | null>`min(e.repository)`.as("repository"),
    ])
    .groupBy("e.sessionId")
    .orderBy(sql`max(e.day)`, "desc")
    .limit(input.limit ?? 100)
    .execute();
}
