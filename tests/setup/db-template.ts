import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateToLatest, openDatabase } from "~/utils/db.server";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

// Migrating a fresh PGlite takes seconds; cloning a dump of a migrated one takes a fraction of
// that. Every db test file starts from this template.
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "token-poker-template-"));
  const file = path.join(dir, "template.tar");
  const { db, pglite, close } = await openDatabase({ pgliteDir: null });
  await migrateToLatest(db);
  const dump = await pglite!.dumpDataDir("none");
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await close();
  project.provide("pgliteTemplate", file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
