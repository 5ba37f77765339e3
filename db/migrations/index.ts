import type { Migration } from "kysely";
import * as m0001 from "./0001_create_accounts";
import * as m0002 from "./0002_create_backlog";
import * as m0003 from "./0003_create_poker";
import * as m0004 from "./0004_create_spend";
import * as m0005 from "./0005_create_sprints";
import * as m0010 from "./0010_add_auto_reveal_at";

// Migrations are listed here, in order, rather than read from the folder at run time: the server
// build bundles this list, and Kysely's FileMigrationProvider cannot find files after bundling.
export const migrations: Record<string, Migration> = {
  "0001_create_accounts": m0001,
  "0002_create_backlog": m0002,
  "0003_create_poker": m0003,
  "0004_create_spend": m0004,
  "0005_create_sprints": m0005,
  "0010_add_auto_reveal_at": m0010,
};
