// npm run user:reset-link -- EMAIL
//
// The operator's password reset: prints a link (working once, for 24 hours) that sets a new password
// for the account with that e-mail, whatever teams it is in. Uses the app's database settings
// (DATABASE_URL, else the embedded PGLITE_DIR) and builds the link on APP_ORIGIN, else
// http://localhost:PORT. Give the link to the person yourself, over a channel you trust. Exit status
// 1 when no account has that e-mail, 2 for a usage or database problem.
import { createOperatorReset } from "~/models/password-reset.server";
import { migrateToLatest, openDatabase, type OpenedDatabase } from "~/utils/db.server";
import { FolderLockedError } from "~/utils/pglite-lock.server";

const USAGE = `Usage: npm run user:reset-link -- EMAIL

Prints a one-time link (24 hours) that sets a new password for the account with that e-mail.
Using it ends every session of the account and kills its other reset links.
Uses DATABASE_URL when set, else the embedded database in PGLITE_DIR (default ./data/pglite);
the link starts with APP_ORIGIN (default http://localhost:PORT, PORT default 3000).`;

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

const args = process.argv.slice(2).filter((a) => a !== "--");
if (args.includes("-h") || args.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}
if (args.length !== 1 || !args[0]!.includes("@")) fail(USAGE);
const email = args[0]!;

let origin: string;
try {
  origin = new URL(process.env.APP_ORIGIN || `http://localhost:${process.env.PORT || "3000"}`).origin;
} catch {
  fail(`APP_ORIGIN is not a URL: ${process.env.APP_ORIGIN}`);
}

let database: OpenedDatabase;
try {
  database = await openDatabase({
    databaseUrl: process.env.DATABASE_URL || undefined,
    pgliteDir: process.env.PGLITE_DIR || "./data/pglite",
  });
} catch (error) {
  if (error instanceof FolderLockedError) {
    fail(
      `The embedded database in ${error.folder} is in use by a running Token Poker server (pid ${error.holderPid}).\n` +
        "The embedded database serves one process at a time: stop the server, run this again, then start it.",
    );
  }
  fail(`Could not open the database: ${(error as Error).message}`);
}

let code = 0;
try {
  await migrateToLatest(database.db);
  const reset = await createOperatorReset(database.db, email);
  if (!reset) {
    console.error(`No account has the e-mail ${email}.`);
    code = 1;
  } else {
    console.error(`Reset link for ${reset.email} (works once, until ${reset.expiresAt.toISOString()}):`);
    console.log(`${origin}/reset/${reset.token}`);
  }
} finally {
  await database.close();
}
process.exit(code);
