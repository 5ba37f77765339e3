import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import type { ImportResult } from "~/domain/spend/import-result";
import { summaryJson } from "~/domain/spend/import-result";
import { addRate } from "~/models/rate.server";
import {
  addManualEntry,
  assignEntries,
  getActualCreditsByStory,
  getDailySpend,
  getImportResults,
  getSpendOverview,
  getStorySpend,
  getUnattributedSummary,
  importSpendFile,
  importSpendJson,
  listIdentities,
  listImports,
  listUnattributed,
  mapIdentity,
  repriceUnpricedEntries,
  setSessionStory,
  SpendLimitError,
  undoImport,
  type FileImportOptions,
} from "~/models/spend.server";
import { createStory, updateStory } from "~/models/story.server";
import { addMember, updateTeamSettings } from "~/models/team.server";
import type { DB } from "~/utils/db.server";
import { seedBacklog } from "../../scripts/seed/backlog";
import { seedSpend } from "../../scripts/seed/spend";
import { seedSprints } from "../../scripts/seed/sprints";
import { describeDb } from "../helpers/db";
import { makeTeam, makeUser } from "../helpers/factories";

const samples = new URL("../fixtures/samples/", import.meta.url);
const sample = (name: string) => new Uint8Array(readFileSync(new URL(name, samples)));
const sampleText = (name: string) => readFileSync(new URL(name, samples), "utf8");

async function entryCount(db: DB, teamId: number) {
  const row = await db
    .selectFrom("spendEntries")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("teamId", "=", teamId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function stagedCount(db: DB) {
  const row = await db
    .selectFrom("spendStaging")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const story = (key: string | null, title = key ?? "Untitled") => ({
  key,
  title,
  link: null,
  labels: [],
  description: "",
});

/** The CLI's JSON line for a result, parsed back: what a script reading `--json` sees. */
const line = (r: ImportResult) => JSON.parse(summaryJson(r));

describeDb("spend imports", (t) => {
  const importInto = (teamId: number, name: string, options: Partial<FileImportOptions> = {}) =>
    importSpendFile(t.db, sample(name), { teamId, fileName: name, via: "cli", ...options });

  it.each([
    // file, format, rows, credits, by story key, unattributed, [priced from the file, from the rate card]
    [
      "copilot-ai-usage.csv",
      "copilot-usage",
      4,
      894.409,
      {},
      4,
      [["Auto: Claude Haiku 4.5", "Claude Sonnet 4.6", "Code Review model", "GPT-5.4"], []],
    ],
    [
      "copilot-premium-requests.csv",
      "copilot-premium",
      3,
      210,
      {},
      3,
      [["Claude Opus 4.7", "Claude Sonnet 4.6", "Coding Agent model"], []],
    ],
    [
      "claude-code-session.jsonl",
      "claude-jsonl",
      3,
      7.6907,
      { "PAY-412": 7.6907 },
      0,
      [[], ["claude-haiku-4-5-20251001", "claude-sonnet-4-6"]],
    ],
    ["ccusage-session.json", "ccusage", 4, 1835.77, {}, 4, [["claude-opus-4-7", "claude-sonnet-4-6"], []]],
    [
      "litellm-spend-logs.csv",
      "litellm",
      3,
      11.4899,
      { "PAY-412": 3.2324, "PAY-415": 8.2575, "WEB-77": 0 },
      0,
      [["claude-opus-4-7", "claude-sonnet-4-6", "gpt-5.4"], []],
    ],
    [
      "generic-spend.csv",
      "generic-csv",
      3,
      16.1032,
      { "PAY-412": 7.5257, "PAY-415": 8.2575, "WEB-77": 0.32 },
      0,
      [["claude-haiku-4-5", "claude-sonnet-4-6", "gpt-5.4"], []],
    ],
  ] as const)(
    "imports %s into a fresh team with the expected counts and credits",
    async (name, format, rows, credits, byKey, unattributed, [fromFile, fromRateCard]) => {
      const { team } = await makeTeam(t.db);
      const result = await importInto(team.id, name);
      expect(line(result)).toEqual({
        file: name,
        format,
        rows,
        imported: rows,
        updated: 0,
        duplicates: 0,
        overlapping: 0,
        rejected: 0,
        unattributed,
        unpriced: 0,
        credits,
        byStoryKey: byKey,
        skipped: { count: 0, lines: [] },
        pricedFromFile: fromFile,
        pricedFromRateCard: fromRateCard,
        unpricedModels: [],
        errors: [],
      });
      expect(await entryCount(t.db, team.id)).toBe(rows);
      expect(await stagedCount(t.db)).toBe(0);

      // Idempotent: the same file again changes nothing.
      const again = await importInto(team.id, name);
      expect(line(again)).toMatchObject({
        rows,
        imported: 0,
        updated: 0,
        duplicates: rows,
        credits: 0,
        byStoryKey: {},
      });
      expect(await entryCount(t.db, team.id)).toBe(rows);
    },
  );

  it("detects the overlap between the samples when they go into one team (first source for a session wins)", async () => {
    const { team } = await makeTeam(t.db);
    const jsonl = await importInto(team.id, "claude-code-session.jsonl");
    expect(jsonl).toMatchObject({ imported: 3, overlapping: 0 });

    // Session 9b3c… is in the JSONL already: its two ccusage breakdowns are the same work.
    const ccusage = await importInto(team.id, "ccusage-session.json");
    expect(line(ccusage)).toMatchObject({ rows: 4, imported: 2, overlapping: 2, duplicates: 0, credits: 541.54 });

    // LiteLLM: the 9b3c… call came through the JSONL, e41a… through ccusage; c7e0… is new.
    const litellm = await importInto(team.id, "litellm-spend-logs.csv");
    expect(line(litellm)).toMatchObject({
      rows: 3,
      imported: 1,
      overlapping: 2,
      credits: 8.2575,
      byStoryKey: { "PAY-415": 8.2575 },
    });

    // The team's CSV has no session ids: it cannot be matched, and the import says so.
    const generic = await importInto(team.id, "generic-spend.csv");
    expect(generic).toMatchObject({ imported: 3, overlapping: 0 });
    expect(generic.warnings.join(" ")).toMatch(/one path per tool/);

    // Copilot is another tool's bill: no overlap, no warning.
    const copilot = await importInto(team.id, "copilot-ai-usage.csv");
    expect(copilot).toMatchObject({ imported: 4, overlapping: 0, warnings: [] });
    expect(await entryCount(t.db, team.id)).toBe(3 + 2 + 1 + 3 + 4);
  });

  it("replaces aggregated rows whose values grew (updated), and never changes event rows", async () => {
    const { team } = await makeTeam(t.db);
    const original = sampleText("copilot-ai-usage.csv");
    await importSpendFile(t.db, original, { teamId: team.id, fileName: "a.csv", via: "upload" });

    // Later the same day the report has grown for dana-k's Sonnet row; columns come in another order.
    const [header, ...rows] = original.trimEnd().split("\n");
    // Its aic_quantity / aic_gross_amount grow too: those are the row's AI credits (issue 14).
    const grown = rows.map((r) =>
      r
        .replace("378.159,ai-credits,0.01,3.78159,3.78159", "400,ai-credits,0.01,4,4")
        .replace(",378.159,3.78159,", ",400,4,"),
    );
    const columns = header!.split(",");
    const order = columns.map((_, i) => i).reverse();
    const reorder = (l: string) => {
      const cells = l.split(",");
      return order.map((i) => cells[i]).join(",");
    };
    const reordered = [reorder(header!), ...grown.map(reorder)].join("\r\n");
    const second = await importSpendFile(t.db, reordered, { teamId: team.id, fileName: "b.csv", via: "upload" });
    expect(line(second)).toMatchObject({ rows: 4, imported: 0, updated: 1, duplicates: 3, credits: 400 });
    const entries = await t.db
      .selectFrom("spendEntries")
      .select(["credits", "importId"])
      .where("teamId", "=", team.id)
      .execute();
    expect(entries.reduce((s, e) => s + (e.credits ?? 0), 0)).toBeCloseTo(894.409 - 378.159 + 400, 6);

    // Event sources never change: a LiteLLM row with the same request id and another spend is a duplicate.
    const litellm = sampleText("litellm-spend-logs.csv");
    await importSpendFile(t.db, litellm, { teamId: team.id, fileName: "l.csv", via: "upload" });
    const changed = litellm.replace("0.0323241", "9.99");
    const again = await importSpendFile(t.db, changed, { teamId: team.id, fileName: "l2.csv", via: "upload" });
    expect(again).toMatchObject({ imported: 0, updated: 0, duplicates: 3 });

    // Undo of the second Copilot import removes the total it last updated — and says so in its doc.
    const undone = await undoImport(t.db, { teamId: team.id, importId: second.importId!, userId: null });
    expect(undone).toEqual({ removed: 1, restored: 0 });
    expect(await entryCount(t.db, team.id)).toBe(3 + 3);
  });

  // Issue 14: Claude Code writes a call several times while it streams; the most complete copy wins,
  // in one file and across imports, and undoing the later import puts the earlier copy back.
  it("keeps the most complete copy of a streamed call; a grown transcript updates it; undo restores it", async () => {
    const { team } = await makeTeam(t.db);
    const call = (output: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        type: "assistant",
        timestamp: "2026-11-24T10:00:00.000Z",
        sessionId: "s-grow",
        requestId: "req-1",
        message: {
          id: "msg-1",
          model: "claude-sonnet-4-6",
          usage: { input_tokens: 10, output_tokens: output, cache_read_input_tokens: 1000, ...extra },
        },
      });
    const outputOf = async () =>
      await t.db
        .selectFrom("spendEntries")
        .select(["id", "outputTokens", "storyId", "credits"])
        .where("teamId", "=", team.id)
        .execute();

    // While streaming: 1, then 1,502 output tokens; the file's most complete copy is imported.
    const early = await importSpendFile(t.db, [call(1), call(1502)].join("\n"), {
      teamId: team.id,
      fileName: "a.jsonl",
      via: "cli",
    });
    expect(line(early)).toMatchObject({ rows: 2, imported: 1, duplicates: 1 });
    expect((await outputOf()).map((e) => e.outputTokens)).toEqual([1502]);
    expect(early.warnings.join(" ")).toMatch(/Priced from the rate card: claude-sonnet-4-6/);

    // A person assigns it to a story.
    const spike = await createStory(t.db, { teamId: team.id, ...story(null, "Spike") });
    const [entry] = await outputOf();
    await assignEntries(t.db, {
      teamId: team.id,
      entryIds: [entry!.id],
      storyId: spike.id,
      mapSessions: false,
      userId: null,
    });

    // The transcript grew: the same call now has 2,400 output tokens. Updated, not a duplicate.
    const grown = await importSpendFile(t.db, [call(1), call(1502), call(2400)].join("\n"), {
      teamId: team.id,
      fileName: "b.jsonl",
      via: "cli",
    });
    expect(line(grown)).toMatchObject({ rows: 3, imported: 0, updated: 1, duplicates: 2 });
    const after = await outputOf();
    expect(after).toEqual([expect.objectContaining({ id: entry!.id, outputTokens: 2400, storyId: spike.id })]);
    expect(after[0]!.credits!).toBeGreaterThan(entry!.credits!);

    // The same transcript again changes nothing; an older, shorter copy never shrinks the entry.
    expect(
      line(await importSpendFile(t.db, call(2400), { teamId: team.id, fileName: "c.jsonl", via: "cli" })),
    ).toMatchObject({ updated: 0, duplicates: 1 });
    expect(
      line(await importSpendFile(t.db, call(5), { teamId: team.id, fileName: "d.jsonl", via: "cli" })),
    ).toMatchObject({ updated: 0, duplicates: 1 });

    // Undoing the grown import puts back what the first import wrote, story assignment kept.
    expect(await undoImport(t.db, { teamId: team.id, importId: grown.importId!, userId: null })).toEqual({
      removed: 0,
      restored: 1,
    });
    expect(await outputOf()).toEqual([
      expect.objectContaining({ id: entry!.id, outputTokens: 1502, storyId: spike.id, credits: entry!.credits }),
    ]);
    // Undoing the first import then removes it.
    expect(await undoImport(t.db, { teamId: team.id, importId: early.importId!, userId: null })).toEqual({
      removed: 1,
      restored: 0,
    });
    expect(await entryCount(t.db, team.id)).toBe(0);
  });

  it("imports the copies of a Copilot report's same-key rows, and a re-import or reordered copy changes nothing", async () => {
    const { team } = await makeTeam(t.db);
    const header = "date,username,product,sku,model,quantity,unit_type,gross_amount";
    const rows = [
      "5/29/26,mona,copilot,copilot_ai_credit,GPT-5.2,10,ai-credits,0.1",
      "5/29/26,mona,copilot,copilot_ai_credit,GPT-5.2,10,ai-credits,0.1",
      "5/29/26,mona,copilot,copilot_ai_credit,GPT-5.2,7,ai-credits,0.07",
      "5/29/26,hubot,spark,spark_ai_credit,GPT-5.2,3,ai-credits,0.03",
    ];
    const first = await importSpendFile(t.db, [header, ...rows].join("\n"), {
      teamId: team.id,
      fileName: "r.csv",
      via: "cli",
    });
    expect(line(first)).toMatchObject({ rows: 4, imported: 4, duplicates: 0, credits: 30 });
    const reordered = [header, ...[...rows].reverse()].join("\n");
    expect(
      line(await importSpendFile(t.db, reordered, { teamId: team.id, fileName: "r2.csv", via: "cli" })),
    ).toMatchObject({
      imported: 0,
      updated: 0,
      duplicates: 4,
    });
    // A grown report of the same day: one more row of 5 credits.
    const grown = [header, ...rows, "05/29/2026,mona,copilot,copilot_ai_credit,GPT-5.2,5,ai-credits,0.05"].join("\n");
    const third = await importSpendFile(t.db, grown, { teamId: team.id, fileName: "r3.csv", via: "cli" });
    const all = await t.db
      .selectFrom("spendEntries")
      .select(["credits", "product"])
      .where("teamId", "=", team.id)
      .execute();
    expect(all.reduce((sum, e) => sum + (e.credits ?? 0), 0)).toBeCloseTo(35, 9);
    expect(all.filter((e) => e.product === "spark")).toHaveLength(1);
    expect(third.rows).toBe(5);
  });

  // Issue 14: per file, which lines were skipped, which models were priced from the file's own cost,
  // from the rate card, or not at all — as fields, the same on the result and when read back.
  it("says per file which lines were skipped and how each model was priced, as structured fields", async () => {
    const { team } = await makeTeam(t.db);
    const transcript = await importInto(team.id, "claude-code-mixed-pricing.jsonl");
    expect(line(transcript)).toMatchObject({
      format: "claude-jsonl",
      rows: 5,
      imported: 3,
      rejected: 2,
      unpriced: 1,
      skipped: {
        count: 2,
        lines: [
          { line: 3, kind: "unreadable", reason: "not a JSON object" },
          { line: 5, kind: "unreadable", reason: expect.stringMatching(/^not valid JSON \(truncated line\?\)/) },
        ],
      },
      pricedFromFile: ["claude-sonnet-4-6"],
      pricedFromRateCard: ["claude-haiku-4-5"],
      unpricedModels: ["claude-mystery-9"],
    });
    const report = await importInto(team.id, "copilot-with-actions.csv");
    expect(line(report)).toMatchObject({
      format: "copilot-usage",
      rows: 2,
      imported: 2,
      rejected: 0,
      skipped: { count: 1, lines: [{ line: 3, kind: "not-spend", reason: 'product "actions" is not Copilot' }] },
      pricedFromFile: ["Claude Sonnet 4.6", "GPT-5.4"],
      pricedFromRateCard: [],
      unpricedModels: [],
    });
    // The words for API clients still say it; the page reads the same fields back from the log.
    expect(transcript.warnings.join(" ")).toMatch(
      /2 unreadable lines were skipped \(line 3: not a JSON object; line 5/,
    );
    expect(report.warnings.join(" ")).toMatch(/1 line was not spend and was left out \(line 3: product "actions"/);
    const [readTranscript, readReport] = await getImportResults(t.db, {
      teamId: team.id,
      importIds: [transcript.importId!, report.importId!],
    });
    for (const [read, original] of [
      [readTranscript!, transcript],
      [readReport!, report],
    ] as const) {
      expect(read).toMatchObject({
        skipped: original.skipped,
        pricedFromFile: original.pricedFromFile,
        pricedFromRateCard: original.pricedFromRateCard,
        unpricedModels: original.unpricedModels,
        notes: original.notes,
        warnings: original.warnings,
      });
    }
    // Another team's import ids read nothing.
    const { team: other } = await makeTeam(t.db);
    expect(await getImportResults(t.db, { teamId: other.id, importIds: [transcript.importId!] })).toEqual([]);
  });

  it("lists at most 20 skipped lines per file but counts them all", async () => {
    const { team } = await makeTeam(t.db);
    const header = "date,username,product,sku,model,quantity,unit_type,gross_amount";
    const actions = Array.from({ length: 30 }, (_, i) => `2026-11-25,u${i},actions,actions_linux,,10,minutes,0.08`);
    const text = [header, "2026-11-25,dana-k,copilot,copilot_ai_credit,GPT-5.4,5,ai-credits,0.05", ...actions].join(
      "\n",
    );
    const result = await importSpendFile(t.db, text, { teamId: team.id, fileName: "org.csv", via: "cli" });
    expect(result.skipped.count).toBe(30);
    expect(result.skipped.lines.map((l) => l.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
  });

  it("counts duplicates within one file, and ccusage totals as updated when they grow", async () => {
    const { team } = await makeTeam(t.db);
    const text = sampleText("claude-code-session.jsonl");
    const lines = text.trimEnd().split("\n");
    const resumed = [...lines, lines[2], lines[3]].join("\n");
    const result = await importSpendFile(t.db, resumed, { teamId: team.id, fileName: "resumed.jsonl", via: "upload" });
    expect(line(result)).toMatchObject({ rows: 5, imported: 3, duplicates: 2 });

    const { team: other } = await makeTeam(t.db);
    const ccusage = sampleText("ccusage-session.json");
    await importSpendFile(t.db, ccusage, { teamId: other.id, fileName: "c.json", via: "upload" });
    const grown = ccusage.replace('"cost":3.6742', '"cost":4.5');
    const second = await importSpendFile(t.db, grown, { teamId: other.id, fileName: "c2.json", via: "upload" });
    expect(line(second)).toMatchObject({ rows: 4, updated: 1, duplicates: 3, credits: 450 });
  });

  it("rejects a whole file for one bad row (atomic), naming each bad line; skip-invalid imports the rest", async () => {
    const { team } = await makeTeam(t.db);
    const good = sampleText("generic-spend.csv").trimEnd().split("\n");
    const bad = [
      good[0],
      good[1],
      "2026-11-24,PAY-9,m,1,2,3,4,not-a-number,x",
      good[2],
      "yesterday,PAY-1,m,1,1,1,1,0.1,x",
      good[3],
    ].join("\n");

    const atomic = await importSpendFile(t.db, bad, { teamId: team.id, fileName: "bad.csv", via: "upload" });
    expect(atomic.status).toBe("rejected");
    expect(line(atomic)).toMatchObject({ rows: 5, imported: 0, rejected: 5, credits: 0 });
    expect(atomic.errors).toEqual([
      { line: 3, reason: expect.stringMatching(/cost_usd is not a number/) },
      { line: 5, reason: expect.stringMatching(/date is not a date/) },
    ]);
    expect(await entryCount(t.db, team.id)).toBe(0);
    expect(await stagedCount(t.db)).toBe(0);

    const skipping = await importSpendFile(t.db, bad, {
      teamId: team.id,
      fileName: "bad.csv",
      via: "upload",
      skipInvalid: true,
    });
    expect(skipping.status).toBe("imported");
    expect(line(skipping)).toMatchObject({ rows: 5, imported: 3, rejected: 2 });
    expect(skipping.errors.map((e) => e.line)).toEqual([3, 5]);
    expect(await entryCount(t.db, team.id)).toBe(3);

    const log = await listImports(t.db, { teamId: team.id });
    expect(log.map((l) => l.status)).toEqual(["imported", "rejected"]);
    expect(log[1]!.errors).toHaveLength(2);
  });

  it("lists at most 20 bad lines but counts them all, with the header as line 1", async () => {
    const { team } = await makeTeam(t.db);
    const text = [
      "date,cost_usd",
      ...Array.from({ length: 40 }, (_, i) => (i % 10 === 9 ? `2026-11-24,${i}` : `bad,${i}`)),
    ].join("\n");
    const result = await importSpendFile(t.db, text, { teamId: team.id, fileName: "x.csv", via: "upload" });
    expect(result).toMatchObject({ status: "rejected", rows: 40, rejected: 40 });
    const skipping = await importSpendFile(t.db, text, {
      teamId: team.id,
      fileName: "x.csv",
      via: "upload",
      skipInvalid: true,
    });
    expect(skipping).toMatchObject({ status: "imported", rows: 40, imported: 4, rejected: 36 });
    expect(skipping.errors).toHaveLength(20);
    expect(result.errors).toHaveLength(20);
    expect(result.errors[0]!.line).toBe(2);
  });

  it.each([
    ["random bytes", Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256)],
    ["an empty file", new Uint8Array()],
    ["a truncated JSON document", sample("ccusage-session.json").slice(0, 300)],
    ["a header only", new TextEncoder().encode("date,username,product,sku,model,quantity,unit_type\n")],
  ])("handles %s cleanly: never a crash, never a partial import", async (label, bytes) => {
    const { team } = await makeTeam(t.db);
    const result = await importSpendFile(t.db, bytes, { teamId: team.id, fileName: "f", via: "upload" });
    if (label === "a header only") {
      expect(result).toMatchObject({ status: "imported", rows: 0, imported: 0, errors: [] });
    } else {
      expect(result.status).toBe("rejected");
      expect(result.errors.length).toBeGreaterThan(0);
      expect(result.errors[0]!.reason.length).toBeGreaterThan(0);
    }
    expect(await entryCount(t.db, team.id)).toBe(0);
    expect(await stagedCount(t.db)).toBe(0);
  });

  // Issue 14: a transcript is written while the agent runs, so a truncated last line no longer rejects
  // the file (it did, in atomic mode): it is skipped, counted in `rejected` and named in a warning.
  it("skips a truncated last line of a transcript with a warning that names it, atomic mode or not", async () => {
    const { team } = await makeTeam(t.db);
    const text = sampleText("claude-code-session.jsonl");
    const cut = text.slice(0, text.length - 200);
    const result = await importSpendFile(t.db, cut, { teamId: team.id, fileName: "cut.jsonl", via: "upload" });
    expect(result).toMatchObject({ status: "imported", imported: 2, rejected: 1 });
    expect(result.errors).toEqual([{ line: 5, reason: expect.stringMatching(/not valid JSON/) }]);
    expect(result.warnings.join(" ")).toMatch(/1 unreadable line was skipped \(line 5: not valid JSON/);
    const skipping = await importSpendFile(t.db, cut, {
      teamId: team.id,
      fileName: "cut.jsonl",
      via: "upload",
      skipInvalid: true,
    });
    expect(skipping).toMatchObject({ status: "imported", imported: 0, duplicates: 2, rejected: 1 });
  });

  it("stages in batches and still leaves nothing behind when a stream fails half-way", async () => {
    const { team } = await makeTeam(t.db);
    async function* failing() {
      yield "date,cost_usd\n";
      for (let i = 0; i < 50; i++) yield `2026-11-${String((i % 28) + 1).padStart(2, "0")},${i}\n`;
      throw new Error("connection reset");
    }
    await expect(
      importSpendFile(t.db, failing(), { teamId: team.id, fileName: "s.csv", via: "upload", batchSize: 10 }),
    ).rejects.toThrow("connection reset");
    expect(await entryCount(t.db, team.id)).toBe(0);
    expect(await stagedCount(t.db)).toBe(0);
    expect((await listImports(t.db, { teamId: team.id }))[0]).toMatchObject({ status: "failed" });

    const rows = ["date,cost_usd,id", ...Array.from({ length: 95 }, (_, i) => `2026-11-24,0.01,r${i}`)].join("\n");
    const ok = await importSpendFile(t.db, rows, { teamId: team.id, fileName: "s.csv", via: "upload", batchSize: 10 });
    expect(ok).toMatchObject({ imported: 95, credits: 95 });
    await expect(
      importSpendFile(t.db, rows, { teamId: team.id, fileName: "s.csv", via: "upload", maxRows: 50 }),
    ).rejects.toBeInstanceOf(SpendLimitError);
    expect(await stagedCount(t.db)).toBe(0);
  });

  it("keeps unpriced entries' tokens and prices them when the model joins the rate card", async () => {
    const { team } = await makeTeam(t.db);
    const text = [
      "date,model,input_tokens,output_tokens,story",
      "2026-11-24,acme-coder-1,1000000,100000,PAY-1",
      "2026-11-24,claude-sonnet-4-6,1000000,0,PAY-1",
    ].join("\n");
    const result = await importSpendFile(t.db, text, { teamId: team.id, fileName: "u.csv", via: "upload" });
    expect(result).toMatchObject({ imported: 2, unpriced: 1, unpricedModels: ["acme-coder-1"], credits: 300 });
    expect(result.warnings.join(" ")).toMatch(/acme-coder-1/);
    expect((await getSpendOverview(t.db, team.id)).unpriced).toEqual({
      entries: 1,
      models: [{ model: "acme-coder-1", entries: 1 }],
    });

    expect(await repriceUnpricedEntries(t.db, team.id)).toBe(0);
    await addRate(t.db, {
      teamId: team.id,
      modelId: "acme-coder-1",
      aliases: [],
      inputUsdPerMtok: 2,
      cacheReadUsdPerMtok: null,
      cacheWriteUsdPerMtok: null,
      outputUsdPerMtok: 10,
      effectiveFrom: null,
    });
    expect(await repriceUnpricedEntries(t.db, team.id)).toBe(1);
    const priced = await t.db
      .selectFrom("spendEntries")
      .select(["credits", "pricedBy", "inputTokens"])
      .where("teamId", "=", team.id)
      .where("model", "=", "acme-coder-1")
      .executeTakeFirstOrThrow();
    expect(priced).toEqual({ credits: 300, pricedBy: "rate-card", inputTokens: 1000000 });
  });
});

describeDb("spend integrity", (t) => {
  it("keeps what the foreign keys would: a deleted story unassigns, a deleted team takes its entries", async () => {
    const { team, owner } = await makeTeam(t.db);
    const s = await createStory(t.db, { teamId: team.id, ...story(null, "Doomed") });
    await addManualEntry(t.db, { teamId: team.id, storyId: s.id, userId: owner.id, day: "2026-11-26", credits: 5 });
    await t.db.deleteFrom("stories").where("id", "=", s.id).execute();
    const left = await t.db
      .selectFrom("spendEntries")
      .select(["storyId", "createdBy"])
      .where("teamId", "=", team.id)
      .execute();
    expect(left).toEqual([{ storyId: null, createdBy: owner.id }]);
    await t.db.deleteFrom("memberships").where("teamId", "=", team.id).execute();
    await t.db.deleteFrom("teams").where("id", "=", team.id).execute();
    expect(await entryCount(t.db, team.id)).toBe(0);
  });
});

describeDb("spend days", (t) => {
  it("books timed entries on the team's day, and date-only rows on their stated date", async () => {
    const { team } = await makeTeam(t.db);
    await updateTeamSettings(t.db, {
      teamId: team.id,
      name: team.name,
      timeZone: "Pacific/Auckland",
      keyPattern: team.keyPattern,
    });
    await importSpendFile(t.db, sample("litellm-spend-logs.csv"), {
      teamId: team.id,
      fileName: "l.csv",
      via: "upload",
    });
    await importSpendFile(t.db, sample("copilot-ai-usage.csv"), { teamId: team.id, fileName: "c.csv", via: "upload" });
    const days = await t.db
      .selectFrom("spendEntries")
      .select(["source", "day", "occurredAt"])
      .where("teamId", "=", team.id)
      .orderBy("source")
      .orderBy("occurredAt")
      .execute();
    // 16:40 UTC on the 24th is 05:40 on the 25th in Auckland (NZDT, UTC+13).
    expect(days.filter((d) => d.source === "litellm").map((d) => d.day)).toEqual([
      "2026-11-24",
      "2026-11-25",
      "2026-11-25",
    ]);
    expect(days.filter((d) => d.source === "copilot-usage").map((d) => d.day)).toEqual([
      "2026-11-24",
      "2026-11-24",
      "2026-11-25",
      "2026-11-25",
    ]);
  });
});

describeDb("spend attribution", (t) => {
  it("attaches rows to a story that appears later, follows session mappings, and assigns from the inbox", async () => {
    const { team, owner } = await makeTeam(t.db);
    await importSpendFile(t.db, sample("litellm-spend-logs.csv"), {
      teamId: team.id,
      fileName: "l.csv",
      via: "upload",
    });
    // No stories yet: all three rows carry a key and wait for their story; none is in the inbox.
    expect(await getUnattributedSummary(t.db, team.id)).toMatchObject({ entries: 0, waitingKeys: 3, total: 3 });

    const pay412 = await createStory(t.db, { teamId: team.id, ...story("PAY-412") });
    expect(await getActualCreditsByStory(t.db, { teamId: team.id, storyIds: [pay412.id] })).toEqual([
      { storyId: pay412.id, credits: 3.23241, entries: 1, unpriced: 0 },
    ]);
    // A story whose key is edited to match picks its rows up too.
    const web = await createStory(t.db, { teamId: team.id, ...story("WEB-7X") });
    expect(await getActualCreditsByStory(t.db, { teamId: team.id, storyIds: [web.id] })).toEqual([]);
    await updateStory(t.db, { teamId: team.id, storyId: web.id, ...story("WEB-77") });
    expect(await getActualCreditsByStory(t.db, { teamId: team.id, storyIds: [web.id] })).toEqual([
      { storyId: web.id, credits: 0, entries: 1, unpriced: 0 },
    ]);

    // ccusage: sessions 9b3c… and e41a… came through LiteLLM already; 51f0… is new and has no key.
    const ccusage = await importSpendFile(t.db, sample("ccusage-session.json"), {
      teamId: team.id,
      fileName: "c.json",
      via: "upload",
    });
    expect(ccusage).toMatchObject({ imported: 1, overlapping: 3, unattributed: 1 });
    expect(await getUnattributedSummary(t.db, team.id)).toMatchObject({ entries: 1, credits: 174.12 });

    // Map a session: its entries follow. A key in the data stays stronger than a session mapping.
    const spike = await createStory(t.db, { teamId: team.id, ...story(null, "Spike") });
    await setSessionStory(t.db, {
      teamId: team.id,
      sessionId: "51f0c8aa-93e4-4d2b-b7a1-64c2e0d9f3a5",
      storyId: spike.id,
      userId: owner.id,
    });
    await setSessionStory(t.db, {
      teamId: team.id,
      sessionId: "9b3c2f1e-5d7a-4c1e-8f2b-0a6d4e1c7b93",
      storyId: spike.id,
      userId: owner.id,
    });
    expect(await getActualCreditsByStory(t.db, { teamId: team.id, storyIds: [spike.id, pay412.id] })).toEqual(
      expect.arrayContaining([
        { storyId: spike.id, credits: 174.12, entries: 1, unpriced: 0 },
        { storyId: pay412.id, credits: 3.23241, entries: 1, unpriced: 0 },
      ]),
    );
    expect((await getUnattributedSummary(t.db, team.id)).entries).toBe(0);

    // Entries of a new session land in the inbox; a bulk assignment maps the session too, so the
    // session's later entries follow by themselves.
    const push = (id: string) => ({
      id,
      occurred_at: "2026-11-26T09:00:00Z",
      credits: 10,
      session_id: "s-new",
      repository: "acme/api",
    });
    await importSpendJson(t.db, [push("a"), push("b")], { teamId: team.id, fileName: "hook", via: "api" });
    const inbox = await listUnattributed(t.db, { teamId: team.id });
    expect(inbox.total).toEqual({ entries: 2, credits: 20 });
    const assigned = await assignEntries(t.db, {
      teamId: team.id,
      entryIds: inbox.rows.map((r) => r.id),
      storyId: spike.id,
      mapSessions: true,
      userId: owner.id,
    });
    expect(assigned).toEqual({ assigned: 2, sessions: 1 });
    await importSpendJson(t.db, [push("c")], { teamId: team.id, fileName: "hook", via: "api" });
    expect((await listUnattributed(t.db, { teamId: team.id })).rows).toEqual([]);
    const spend = await getStorySpend(t.db, { teamId: team.id, storyId: spike.id });
    expect(spend.total).toMatchObject({ entries: 4, credits: 204.12 });
    expect(spend.entries.map((e) => e.attributedBy)).toEqual(["session", "session", "session", "session"]);
    expect(spend.sessions).toHaveLength(3);

    // Another team never sees these, and cannot assign them.
    const { team: other } = await makeTeam(t.db);
    expect(await getUnattributedSummary(t.db, other.id)).toEqual({ entries: 0, credits: 0, waitingKeys: 0, total: 0 });
    await expect(
      assignEntries(t.db, {
        teamId: other.id,
        entryIds: inbox.rows.map((r) => r.id),
        storyId: spike.id,
        mapSessions: false,
        userId: null,
      }),
    ).rejects.toThrow(/does not exist/);
  });

  it("maps identities to members, lists unknown ones, and filters the inbox by member", async () => {
    const { team, owner } = await makeTeam(t.db);
    const dana = await makeUser(t.db, "Dana");
    await addMember(t.db, { teamId: team.id, userId: dana.id, role: "member" });
    await importSpendFile(t.db, sample("copilot-ai-usage.csv"), { teamId: team.id, fileName: "c.csv", via: "upload" });
    let ids = await listIdentities(t.db, team.id);
    expect(ids.unknown.map((u) => u.identity)).toEqual(["dana-k", "ravi-m"]);
    await mapIdentity(t.db, { teamId: team.id, identity: "Dana-K", userId: dana.id, createdBy: owner.id });
    ids = await listIdentities(t.db, team.id);
    expect(ids.mapped).toMatchObject([{ identity: "dana-k", userId: dana.id, entries: 2 }]);
    expect(ids.unknown.map((u) => u.identity)).toEqual(["ravi-m"]);
    const mine = await listUnattributed(t.db, { teamId: team.id, filters: { member: `u:${dana.id}` } });
    expect(mine.rows.map((r) => r.memberName)).toEqual([dana.name, dana.name]);
    expect((await listUnattributed(t.db, { teamId: team.id, filters: { member: "x:ravi-m" } })).rows).toHaveLength(1);
    expect((await listUnattributed(t.db, { teamId: team.id, filters: { member: "none" } })).rows).toHaveLength(1);
    expect(
      (
        await listUnattributed(t.db, {
          teamId: team.id,
          filters: { repository: "acme-eng/web-checkout", from: "2026-11-25" },
        })
      ).total.entries,
    ).toBe(2);
    const outsider = await makeUser(t.db, "Outsider");
    await expect(
      mapIdentity(t.db, { teamId: team.id, identity: "x", userId: outsider.id, createdBy: owner.id }),
    ).rejects.toThrow(/not a member/);
  });

  it("takes JSON entries from the API path with the same semantics, and spend by hand on a story", async () => {
    const { team, owner } = await makeTeam(t.db);
    const entries = [
      {
        id: "run-1",
        occurred_at: "2026-11-24T10:00:00Z",
        model: "claude-sonnet-4-6",
        input_tokens: 1000000,
        story: "PAY-1",
      },
      { id: "run-2", occurred_at: "2026-11-24", cost_usd: 0.5, tags: ["story:PAY-2"], session_id: "s-1" },
      { id: "run-3", occurred_at: "2026-11-25T10:00:00Z", credits: 12, git_branch: "feat/PAY-3-x", user: "ci-bot" },
      {
        id: "run-1",
        occurred_at: "2026-11-24T10:00:00Z",
        model: "claude-sonnet-4-6",
        input_tokens: 1000000,
        story: "PAY-1",
      },
    ];
    const result = await importSpendJson(t.db, entries, { teamId: team.id, fileName: "api", via: "api" });
    expect(line(result)).toMatchObject({
      format: "api",
      rows: 4,
      imported: 3,
      duplicates: 1,
      credits: 362,
      byStoryKey: { "PAY-1": 300, "PAY-2": 50, "PAY-3": 12 },
    });
    const bad = await importSpendJson(t.db, [{ id: "x" }, { occurred_at: "2026-11-24" }, "nope"], {
      teamId: team.id,
      fileName: "api",
      via: "api",
    });
    expect(bad.status).toBe("rejected");
    expect(bad.errors.map((e) => e.line)).toEqual([1, 2, 3]);

    const s = await createStory(t.db, { teamId: team.id, ...story("PAY-1") });
    await addManualEntry(t.db, {
      teamId: team.id,
      storyId: s.id,
      userId: owner.id,
      day: "2026-11-26",
      costUsd: 1.5,
      note: "web chat",
    });
    const spend = await getStorySpend(t.db, { teamId: team.id, storyId: s.id });
    expect(spend.total).toMatchObject({ credits: 450, entries: 2 });
    expect(
      await getDailySpend(t.db, { teamId: team.id, from: "2026-11-24", to: "2026-11-30", storyIds: [s.id] }),
    ).toEqual([
      { day: "2026-11-24", credits: 300 },
      { day: "2026-11-26", credits: 150 },
    ]);
  });
});

describeDb("demo spend seed", (t) => {
  it("brings the demo's spend in through the importers, with drift, unattributed and unpriced entries", async () => {
    const { team, owner } = await makeTeam(t.db);
    const manager = await makeUser(t.db, "Ari");
    const member = await makeUser(t.db, "Sam");
    await addMember(t.db, { teamId: team.id, userId: manager.id, role: "manager" });
    await addMember(t.db, { teamId: team.id, userId: member.id, role: "member" });
    const ctx = {
      db: t.db,
      teamId: team.id,
      members: [
        { id: owner.id, email: "demo@example.com", name: "Dana Demo", role: "owner" as const },
        { id: manager.id, email: manager.email, name: manager.name, role: "manager" as const },
        { id: member.id, email: "sam@example.com", name: member.name, role: "member" as const },
      ],
    };
    await seedBacklog(ctx);
    await seedSprints(ctx);
    await seedSpend(ctx);
    const imports = await listImports(t.db, { teamId: team.id });
    expect(imports.map((i) => [i.via, i.status, i.format]).sort()).toEqual([
      ["seed", "imported", "claude-jsonl"],
      ["seed", "imported", "copilot-usage"],
      ["seed", "imported", "litellm"],
    ]);
    const overview = await getSpendOverview(t.db, team.id);
    expect(overview.entries).toBeGreaterThan(500);
    expect(overview.unattributed.entries).toBeGreaterThan(10);
    expect(overview.unpriced.models.map((m) => m.model)).toEqual(["acme-internal-coder"]);

    // Log-normal around the estimate, with a heavy tail: most stories near 1×, a few far off.
    const stories = await t.db
      .selectFrom("stories")
      .innerJoin("estimates", "estimates.id", "stories.estimateId")
      .select(["stories.id", "estimates.expectedCredits", "stories.status"])
      .where("stories.teamId", "=", team.id)
      .execute();
    const actual = new Map(
      (await getActualCreditsByStory(t.db, { teamId: team.id })).map((a) => [a.storyId, a.credits]),
    );
    const ratios = stories
      .filter((s) => s.status === "done" && actual.has(s.id))
      .map((s) => actual.get(s.id)! / s.expectedCredits);
    expect(ratios.length).toBeGreaterThan(10);
    const near = ratios.filter((r) => r > 0.5 && r < 2).length;
    expect(near / ratios.length).toBeGreaterThan(0.6);
    expect(ratios.some((r) => r >= 4)).toBe(true);
    expect(Math.max(...ratios)).toBeLessThanOrEqual(31);

    const outcomes = await t.db.selectFrom("storyOutcomes").select("storyId").where("teamId", "=", team.id).execute();
    expect(outcomes.length).toBeGreaterThan(5);
    // Running it again changes nothing.
    await seedSpend(ctx);
    expect((await getSpendOverview(t.db, team.id)).entries).toBe(overview.entries);
  });
});
