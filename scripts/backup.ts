// npm run db:backup [-- <file>] — a consistent copy of the embedded database, also while the server
// runs (it asks the server to write the dump). Restore with npm run db:restore -- <file>.
import fs from "node:fs";
import path from "node:path";
import { BACKUP_REQUEST, dumpEmbedded } from "~/utils/backup.server";
import { dataDir, readEnv } from "~/utils/env.server";
import { openDatabase } from "~/utils/db.server";
import { FolderLockedError } from "~/utils/pglite-lock.server";

const env = readEnv();
if (env.DATABASE_URL) {
  console.error("db:backup copies the embedded database. With DATABASE_URL, use pg_dump.");
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const target = path.resolve(process.argv[2] ?? path.join(dataDir(env), "backups", `pglite-${stamp}.tar.gz`));

try {
  const database = await openDatabase({ pgliteDir: env.PGLITE_DIR });
  const size = await dumpEmbedded(database, target);
  await database.close();
  console.log(`Backup written: ${target} (${(size / 1e6).toFixed(1)} MB)`);
} catch (error) {
  if (!(error instanceof FolderLockedError)) throw error;
  // The server owns the folder: ask it to write the dump.
  const request = path.join(dataDir(env), BACKUP_REQUEST);
  fs.rmSync(`${request}.done`, { force: true });
  fs.writeFileSync(request, JSON.stringify({ target }));
  process.kill(error.holderPid, "SIGUSR2");
  const deadline = Date.now() + 120_000;
  while (!fs.existsSync(`${request}.done`)) {
    if (Date.now() > deadline)
      throw new Error(`The server (pid ${error.holderPid}) did not answer the backup request.`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const result = JSON.parse(fs.readFileSync(`${request}.done`, "utf8")) as { size?: number; error?: string };
  fs.rmSync(request, { force: true });
  fs.rmSync(`${request}.done`, { force: true });
  if (result.error) throw new Error(result.error);
  console.log(
    `Backup written by the running server (pid ${error.holderPid}): ${target} (${((result.size ?? 0) / 1e6).toFixed(1)} MB)`,
  );
}
