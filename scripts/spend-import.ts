// npm run spend:import -- --team <slug> [--format <name>] [--skip-invalid] [--map field=Column,...] [--json] <file>...
//
// Imports spend files into a team on the app's own database settings (DATABASE_URL, else the
// embedded PGLITE_DIR). Files are imported one by one, in order, each on its own: a rejected file
// does not stop the next. Exit status 1 when any file was rejected (or could not be read), 2 for a
// usage or database problem. With --json, stdout holds exactly one JSON line per file; everything
// else goes to stderr.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { FORMAT_NAMES } from "~/domain/spend/entry";
import { readImportOptions } from "~/domain/spend/import-options";
import {
  describeCounts,
  NO_DETAILS,
  summaryJson,
  type ImportResult,
  type ImportSummary,
} from "~/domain/spend/import-result";
import { formatCredits } from "~/domain/credits";
import { importSpendFile, settleSpendChecks } from "~/models/spend.server";
import { getTeamBySlug } from "~/models/team.server";
import { migrateToLatest, openDatabase, type OpenedDatabase } from "~/utils/db.server";
import { FolderLockedError } from "~/utils/pglite-lock.server";

const USAGE = `Usage: npm run spend:import -- --team <slug> [options] <file>...

Options:
  --team <slug>        the team to import into (required)
  --format <name>      skip detection: ${FORMAT_NAMES.join(", ")}
  --skip-invalid       import the valid rows and list the invalid ones (default: one bad row rejects the file)
  --map field=Column,… column mapping for your own CSV (fields: id, date, time, user, model, story, session,
                       repository, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, credits)
  --json               print one JSON line per file on stdout, nothing else
  -h, --help           this text

Uses DATABASE_URL when set, else the embedded database in PGLITE_DIR (default ./data/pglite).`;

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      team: { type: "string" },
      format: { type: "string" },
      "skip-invalid": { type: "boolean", default: false },
      map: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}
try {
  args = parse();
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`);
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const slug = args.values.team;
const files = args.positionals;
if (!slug) fail(`--team is required.\n\n${USAGE}`);
if (files.length === 0) fail(`Name at least one file.\n\n${USAGE}`);
const parsedOptions = readImportOptions(
  new URLSearchParams({
    format: args.values.format ?? "",
    skipInvalid: args.values["skip-invalid"] ? "1" : "",
    map: args.values.map ?? "",
  }),
);
if (!parsedOptions.ok) fail(parsedOptions.error);
const options = parsedOptions.options;
const json = args.values.json;

let database: OpenedDatabase;
const databaseUrl = process.env.DATABASE_URL || undefined;
const pgliteDir = process.env.PGLITE_DIR || "./data/pglite";
try {
  database = await openDatabase({ databaseUrl, pgliteDir });
} catch (error) {
  if (error instanceof FolderLockedError) {
    fail(
      `The embedded database in ${error.folder} is in use by a running Token Poker server (pid ${error.holderPid}).\n` +
        `The embedded database serves one process at a time, so this command cannot import while the server runs.\n` +
        `Either stop the server and run this again, or import through the running server: the Import page\n` +
        `(/t/${slug}/spend/import) or the API (POST /api/v1/teams/${slug}/spend with a token from Settings → API tokens).`,
    );
  }
  fail(`Could not open the database: ${(error as Error).message}`);
}

let anyRejected = false;
try {
  await migrateToLatest(database.db);
  const team = await getTeamBySlug(database.db, slug);
  if (!team) {
    await database.close();
    fail(`No team with the slug "${slug}".`);
  }
  for (const file of files) {
    let result: ImportResult | null = null;
    let summary: ImportSummary;
    try {
      await fs.promises.access(file, fs.constants.R_OK);
      result = await importSpendFile(database.db, fs.createReadStream(file), {
        teamId: team.id,
        fileName: path.basename(file),
        via: "cli",
        ...options,
      });
      summary = { ...result, file };
    } catch (error) {
      // An unreadable file is this file's failure, not the run's: the next file still goes in.
      summary = {
        file,
        format: null,
        rows: 0,
        imported: 0,
        updated: 0,
        duplicates: 0,
        overlapping: 0,
        rejected: 0,
        unattributed: 0,
        unpriced: 0,
        credits: 0,
        byStoryKey: {},
        ...NO_DETAILS,
        unpricedModels: [],
        errors: [{ line: 1, reason: `cannot read the file: ${(error as Error).message}` }],
      };
    }
    const rejected = !result || result.status === "rejected";
    anyRejected ||= rejected;
    if (json) {
      process.stdout.write(`${summaryJson(summary)}\n`);
      for (const warning of result?.warnings ?? []) console.error(`${file}: ${warning}`);
      continue;
    }
    const head = rejected ? "REJECTED" : "imported";
    console.log(`${file} (${summary.format ?? "unrecognised"}): ${head}`);
    if (rejected) {
      for (const e of summary.errors) console.log(`  line ${e.line}: ${e.reason}`);
      continue;
    }
    console.log(`  ${describeCounts(summary)} of ${summary.rows} rows · ${formatCredits(summary.credits)} credits`);
    if (summary.unattributed)
      console.log(`  ${summary.unattributed} without a story (assign them on /t/${slug}/spend)`);
    for (const [key, credits] of Object.entries(summary.byStoryKey))
      console.log(`  ${key}: ${formatCredits(credits)} credits`);
    for (const note of result?.notes ?? []) console.log(`  note: ${note}`);
    if (summary.pricedFromFile.length) console.log(`  priced from the file: ${summary.pricedFromFile.join(", ")}`);
    if (summary.pricedFromRateCard.length)
      console.log(`  priced from the rate card: ${summary.pricedFromRateCard.join(", ")}`);
    if (summary.unpricedModels.length)
      console.log(
        `  unpriced (${summary.unpriced}, not on the rate card; tokens kept): ${summary.unpricedModels.join(", ")}`,
      );
    if (summary.skipped.count) {
      console.log(`  ${summary.skipped.count} line${summary.skipped.count === 1 ? "" : "s"} skipped:`);
      for (const s of summary.skipped.lines)
        console.log(`    line ${s.line} (${s.kind === "unreadable" ? "unreadable" : "not spend"}): ${s.reason}`);
      if (summary.skipped.count > summary.skipped.lines.length)
        console.log(`    … and ${summary.skipped.count - summary.skipped.lines.length} more`);
    }
  }
} finally {
  // The burn alert checks the imports started finish before the database closes.
  await settleSpendChecks();
  await database.close();
}
process.exit(anyRejected ? 1 : 0);
