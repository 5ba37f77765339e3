import fs from "node:fs";
import path from "node:path";
import type { OpenedDatabase } from "~/utils/db.server";

// A consistent copy of the embedded database while the server runs: the dump happens inside the
// process that owns the folder, while it holds the one connection (no query can run halfway
// through). `npm run db:backup` asks the running server with SIGUSR2 and a request file.
export const BACKUP_REQUEST = "backup-request.json";

export async function dumpEmbedded(database: OpenedDatabase, target: string): Promise<number> {
  if (!database.pglite) throw new Error("Backups are for the embedded database; use pg_dump for PostgreSQL.");
  const dump = await database.db.connection().execute(async () => database.pglite!.dumpDataDir("gzip"));
  const bytes = Buffer.from(await dump.arrayBuffer());
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  fs.writeFileSync(partial, bytes);
  fs.renameSync(partial, target);
  return bytes.length;
}

/** In the server: answer backup requests (SIGUSR2) from `npm run db:backup`. */
export function answerBackupRequests(database: OpenedDatabase, dataFolder: string): void {
  if (!database.pglite) return;
  process.on("SIGUSR2", () => {
    const requestFile = path.join(dataFolder, BACKUP_REQUEST);
    let target: string;
    try {
      target = (JSON.parse(fs.readFileSync(requestFile, "utf8")) as { target: string }).target;
    } catch {
      return;
    }
    dumpEmbedded(database, target)
      .then((size) => fs.writeFileSync(`${requestFile}.done`, JSON.stringify({ target, size })))
      .catch((error: unknown) => fs.writeFileSync(`${requestFile}.done`, JSON.stringify({ error: String(error) })));
  });
}
