// A large import is merged a chunk of staged rows at a time, with the event loop let through
// between chunks (issue 15, item 6): on the embedded database each statement runs on the server's
// own thread. These tests hold that chunking changes nothing an import does (every format, repeats
// within a file, Copilot's numbered rows, overlaps, updates, grown transcripts), and that other
// work — a request to an HTTP server in this process — is answered while a merge (and a team
// import) is still going, which one statement for the whole file never allowed.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import type { StatementCache } from "~/utils/pglite-statements.server";
import { afterAll, beforeAll, expect, it, onTestFinished } from "vitest";
import { importSpendFile, type FileImportOptions } from "~/models/spend.server";
import { exportTeam, importTeam } from "~/models/team-export.server";
import type { DB } from "~/utils/db.server";
import { describeDb } from "../helpers/db";
import { makeTeam } from "../helpers/factories";
import { copilotReport } from "../helpers/writers";

const samples = new URL("../fixtures/samples/", import.meta.url);
const sampleText = (name: string) => readFileSync(new URL(name, samples), "utf8");

/** Every column an import writes, per entry, in key order: what two teams' imports are compared by. */
async function entriesOf(db: DB, teamId: number) {
  return db
    .selectFrom("spendEntries")
    .select([
      "dedupeKey",
      "day",
      "occurredAt",
      "source",
      "model",
      "credits",
      "costUsd",
      "pricedBy",
      "inputTokens",
      "outputTokens",
      "cacheReadTokens",
      "cacheWriteTokens",
      "externalUser",
      "sessionId",
      "storyKey",
      "aggregated",
      "usageRank",
    ])
    .where("teamId", "=", teamId)
    .orderBy("dedupeKey")
    .execute();
}

/** What an import reports, without what differs between two teams by nature (the import's id). */
const comparable = ({ importId: _id, ...rest }: Awaited<ReturnType<typeof importSpendFile>>) => rest;

/** A Copilot report whose every line is there twice: each pair is two rows, numbered #1 and #2. */
function doubledCopilot(): string {
  const [header, ...rows] = sampleText("copilot-ai-usage.csv").trim().split("\n");
  return [header, ...rows.flatMap((r) => [r, r])].join("\n") + "\n";
}

/** A generic CSV that names the same call twice (a repeat within the file: counted once). */
function repeatedGeneric(): string {
  const [header, ...rows] = sampleText("generic-spend.csv").trim().split("\n");
  return [header, ...rows, rows[0]!, rows[1]!].join("\n") + "\n";
}

/**
 * Counts the embedded database's statements whose SQL `matches`, as they finish: the statement
 * runner wrapped for the test, so the code under test runs unchanged on its usual database handle.
 */
function countStatements(statements: StatementCache, matches: (sql: string) => boolean) {
  const state = { finished: 0, onFinish: [] as (() => void)[] };
  const query = statements.query.bind(statements);
  statements.query = (async (text: string, params: readonly unknown[]) => {
    const result = await query(text, params);
    if (matches(text)) {
      state.finished++;
      for (const listener of state.onFinish.splice(0)) listener();
    }
    return result;
  }) as typeof statements.query;
  return {
    state,
    restore: () => {
      statements.query = query;
    },
  };
}

describeDb("spend import merge in chunks", (t) => {
  let ping: http.Server;
  let pingUrl: string;
  beforeAll(async () => {
    ping = http.createServer((_req, res) => res.end("pong"));
    await new Promise<void>((resolve) => ping.listen(0, "127.0.0.1", resolve));
    pingUrl = `http://127.0.0.1:${(ping.address() as AddressInfo).port}/ping`;
  });
  afterAll(() => new Promise<void>((resolve) => ping.close(() => resolve())));

  it("imports every kind of file the same in many small chunks as in one", async () => {
    // One sequence of imports, into two teams: chunks of a bucket or two, and one chunk for all.
    const files: [string, string][] = [
      ["claude-code-session.jsonl", sampleText("claude-code-session.jsonl")],
      ["ccusage-session.json", sampleText("ccusage-session.json")], // overlaps the transcript's session
      ["litellm-spend-logs.csv", sampleText("litellm-spend-logs.csv")],
      ["generic-repeated.csv", repeatedGeneric()],
      ["copilot-doubled.csv", doubledCopilot()],
      ["copilot-again.csv", doubledCopilot()], // all duplicates now
      ["copilot-ai-usage.csv", sampleText("copilot-ai-usage.csv")], // fewer occurrences: same keys #1
      ["copilot-big.csv", copilotReport(300, "chunks").toString("utf8")],
      ["copilot-premium-requests.csv", sampleText("copilot-premium-requests.csv")],
    ];
    const small = await makeTeam(t.db);
    const whole = await makeTeam(t.db);
    const importAs = (teamId: number, [fileName, text]: [string, string], options: Partial<FileImportOptions>) =>
      importSpendFile(t.db, new TextEncoder().encode(text), { teamId, fileName, via: "cli", ...options });
    for (const file of files) {
      const inSmall = await importAs(small.team.id, file, { mergeChunk: 3 });
      const inWhole = await importAs(whole.team.id, file, { mergeChunk: 1_000_000 });
      expect(comparable(inSmall), file[0]).toEqual(comparable(inWhole));
      expect(inSmall.status, file[0]).toBe("imported");
    }
    const entries = await entriesOf(t.db, small.team.id);
    expect(entries.length).toBeGreaterThan(300);
    expect(entries).toEqual(await entriesOf(t.db, whole.team.id));
    const staged = await t.db.selectFrom("spendStaging").select("importId").execute();
    expect(staged).toEqual([]);
  });

  // The embedded database is where a statement stops the server's thread (PostgreSQL runs it in its
  // own process, and the driver waits on a socket).
  it.skipIf(t.kind !== "pglite")("answers a request while a large import's merge is still going", async () => {
    const { team } = await makeTeam(t.db);
    const merges = countStatements(t.opened.statements!, (sql) => sql.includes("insert into spend_entries"));
    onTestFinished(merges.restore);
    let settled = false;
    let answered: { mergesDone: number; importSettled: boolean } | null = null;
    // The moment the first chunk is in, another request arrives.
    merges.state.onFinish.push(() => {
      void fetch(pingUrl)
        .then((res) => res.text())
        .then(() => (answered = { mergesDone: merges.state.finished, importSettled: settled }));
    });
    const result = await importSpendFile(t.db, copilotReport(4000, "ping"), {
      teamId: team.id,
      fileName: "big.csv",
      via: "cli",
      mergeChunk: 100,
    }).finally(() => (settled = true));
    expect(result).toMatchObject({ status: "imported", imported: 4000 });
    expect(answered, "the request was answered").not.toBeNull();
    expect(answered!.importSettled).toBe(false);
    expect(answered!.mergesDone).toBeLessThan(merges.state.finished);
  });

  it.skipIf(t.kind !== "pglite")("answers a request while a team import is still writing spend entries", async () => {
    const source = await makeTeam(t.db);
    await importSpendFile(t.db, copilotReport(5000, "team"), { teamId: source.team.id, fileName: "t.csv", via: "cli" });
    const doc = await exportTeam(t.db, source.team.id);
    const target = await makeTeam(t.db);
    await t.db
      .insertInto("memberships")
      .values({ teamId: target.team.id, userId: source.owner.id, role: "owner" })
      .execute();
    const inserts = countStatements(t.opened.statements!, (sql) => sql.startsWith('insert into "spend_entries"'));
    onTestFinished(inserts.restore);
    let settled = false;
    let answered: { insertsDone: number; importSettled: boolean } | null = null;
    inserts.state.onFinish.push(() => {
      void fetch(pingUrl)
        .then((res) => res.text())
        .then(() => (answered = { insertsDone: inserts.state.finished, importSettled: settled }));
    });
    const summary = await importTeam(t.db, {
      teamId: target.team.id,
      doc,
      actingUserId: source.owner.id,
    }).finally(() => (settled = true));
    expect(summary.spendEntries).toBe(5000);
    expect(answered, "the request was answered").not.toBeNull();
    expect(answered!.importSettled).toBe(false);
    expect(answered!.insertsDone).toBeLessThan(inserts.state.finished);
  });
});
