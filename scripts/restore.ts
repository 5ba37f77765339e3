// npm run db:restore -- <file> — replaces the embedded database with a backup. The server must be
// stopped. The current folder is kept beside it (never deleted), so a restore can be undone.
import fs from "node:fs";
import path from "node:path";
import { readEnv } from "~/utils/env.server";
import { openDatabase } from "~/utils/db.server";
import { lockFolder } from "~/utils/pglite-lock.server";

const env = readEnv();
const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error("Usage: npm run db:restore -- <backup.tar.gz>");
  process.exit(1);
}
const folder = path.resolve(env.PGLITE_DIR);
let unlock: () => void;
try {
  unlock = lockFolder(folder); // refuses while a server holds the folder
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
let keptAside: string | null = null;
if (fs.existsSync(folder) && fs.readdirSync(folder).length) {
  keptAside = `${folder}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  fs.renameSync(folder, keptAside);
}
unlock();
try {
  const database = await openDatabase({ pgliteDir: folder, loadDataDir: new Blob([fs.readFileSync(file)]) });
  const users = await database.db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  await database.close();
  console.log(
    `Restored ${file} into ${folder} (${users.n} users).${keptAside ? ` The previous folder is kept at ${keptAside}.` : ""}`,
  );
} catch (error) {
  fs.rmSync(folder, { recursive: true, force: true });
  if (keptAside) fs.renameSync(keptAside, folder);
  console.error(`Restore failed, nothing changed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
