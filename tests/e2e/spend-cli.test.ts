import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam } from "~/models/team.server";
import { createUser } from "~/models/user.server";
import { migrateToLatest, openDatabase } from "~/utils/db.server";
import { startTestServer } from "../helpers/server";

// The command line as a user runs it: its own process, on an embedded database folder.
const samples = path.resolve("tests/fixtures/samples");
let dataDir: string;

function cli(args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/spend-import.ts", ...args], {
    env: { ...process.env, DATABASE_URL: "", PGLITE_DIR: path.join(dataDir, "pglite") },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "token-poker-cli-"));
  const opened = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
  await migrateToLatest(opened.db);
  const owner = await createUser(opened.db, { email: "cli@example.com", name: "Cli", password: "long password 1" });
  await createTeam(opened.db, { name: "CLI team", slug: "cli-team", ownerId: owner.id });
  await opened.close();
});

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe("npm run spend:import", () => {
  it("prints one JSON line per file, in order, and exits 1 when a file was rejected", () => {
    const bad = path.join(dataDir, "bad.csv");
    fs.writeFileSync(bad, "date,cost_usd\n2026-11-24,1\nsoon,2\n");
    const files = [path.join(samples, "claude-code-session.jsonl"), bad, path.join(samples, "litellm-spend-logs.csv")];
    const run = cli(["--team", "cli-team", "--json", ...files]);
    expect(run.status, run.stderr).toBe(1);
    // The burn alert check after each import finishes before the command closes the database.
    expect(run.stderr).not.toMatch(/burn alert check failed/);
    const lines = run.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        file: files[0],
        format: "claude-jsonl",
        rows: 3,
        imported: 3,
        updated: 0,
        duplicates: 0,
        overlapping: 0,
        rejected: 0,
        unattributed: 0,
        unpriced: 0,
        credits: 7.6907,
        byStoryKey: { "PAY-412": 7.6907 },
        skipped: { count: 0, lines: [] },
        pricedFromFile: [],
        pricedFromRateCard: ["claude-haiku-4-5-20251001", "claude-sonnet-4-6"],
        unpricedModels: [],
        errors: [],
      },
      expect.objectContaining({
        file: bad,
        format: "generic-csv",
        rows: 2,
        imported: 0,
        rejected: 2,
        errors: [{ line: 3, reason: expect.stringMatching(/date/) }],
      }),
      expect.objectContaining({
        file: files[2],
        format: "litellm",
        rows: 3,
        imported: 2,
        overlapping: 1,
        credits: 8.2575,
      }),
    ]);

    const skipping = cli(["--team", "cli-team", "--json", "--skip-invalid", bad]);
    expect(skipping.status).toBe(0);
    expect(JSON.parse(skipping.stdout)).toMatchObject({ imported: 1, rejected: 1 });

    const mapped = path.join(dataDir, "own.csv");
    fs.writeFileSync(mapped, "When,Ticket,Amount ($)\n2026-11-24,PAY-9,0.5\n");
    const withMap = cli([
      "--team",
      "cli-team",
      "--json",
      "--format",
      "generic-csv",
      "--map",
      'date=When,story=Ticket,cost_usd="Amount ($)"',
      mapped,
    ]);
    expect(JSON.parse(withMap.stdout)).toMatchObject({ imported: 1, credits: 50, byStoryKey: { "PAY-9": 50 } });
  });

  // Issue 14: each file's JSON line says which lines were skipped and how each model was priced.
  it("says per file, in --json and in words, which lines were skipped and how each model was priced", () => {
    const transcript = path.join(samples, "claude-code-mixed-pricing.jsonl");
    const report = path.join(samples, "copilot-with-actions.csv");
    const run = cli(["--team", "cli-team", "--json", transcript, report]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/burn alert check failed/);
    const [first, second] = run.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(first).toMatchObject({
      file: transcript,
      imported: 3,
      rejected: 2,
      unpriced: 1,
      skipped: {
        count: 2,
        lines: [
          { line: 3, kind: "unreadable", reason: "not a JSON object" },
          { line: 5, kind: "unreadable", reason: expect.stringMatching(/truncated line/) },
        ],
      },
      pricedFromFile: ["claude-sonnet-4-6"],
      pricedFromRateCard: ["claude-haiku-4-5"],
      unpricedModels: ["claude-mystery-9"],
    });
    expect(second).toMatchObject({
      file: report,
      imported: 2,
      skipped: { count: 1, lines: [{ line: 3, kind: "not-spend", reason: 'product "actions" is not Copilot' }] },
      pricedFromFile: ["Claude Sonnet 4.6", "GPT-5.4"],
      pricedFromRateCard: [],
      unpricedModels: [],
    });

    // Without --json (a re-import: the same lines are skipped again, nothing new is priced).
    const words = cli(["--team", "cli-team", transcript]);
    expect(words.status, words.stderr).toBe(0);
    expect(words.stdout).toMatch(
      /2 lines skipped:\n {4}line 3 \(unreadable\): not a JSON object\n {4}line 5 \(unreadable\)/,
    );
  });

  it("explains usage problems and an unknown team with exit status 2", () => {
    expect(cli(["--json", "x.csv"]).status).toBe(2);
    const unknown = cli(["--team", "nope", "x.csv"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/No team/);
    expect(cli(["--team", "cli-team", "--format", "excel", "x.csv"]).stderr).toMatch(/Unknown format/);
  });

  it("says plainly that the running server holds the embedded database", async () => {
    const server = await startTestServer({ dataDir });
    try {
      const run = cli(["--team", "cli-team", path.join(samples, "generic-spend.csv")]);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/in use by a running Token Poker server/);
      expect(run.stderr).toMatch(/\/api\/v1\/teams\/cli-team\/spend/);
    } finally {
      await server.stop();
    }
  });
});
