import type { Migration } from "kysely";
import * as m0001 from "./0001_create_accounts";
import * as m0002 from "./0002_create_backlog";
import * as m0003 from "./0003_create_poker";
import * as m0004 from "./0004_create_spend";
import * as m0005 from "./0005_create_sprints";
import * as m0006 from "./0006_secure_accounts";
import * as m0008 from "./0008_limit_spend_amounts";
import * as m0009 from "./0009_record_usage_detail";
import * as m0010 from "./0010_add_auto_reveal_at";
import * as m0011 from "./0011_create_calibration_suggestions";
import * as m0012 from "./0012_add_agent_ingest";
import * as m0014 from "./0014_add_tracker_fields";
import * as m0015 from "./0015_create_tracker_connections";
import * as m0016 from "./0016_create_organisations";
import * as m0023 from "./0023_bucket_spend_staging";
import * as m0024 from "./0024_index_spend_identity";
import * as m0026 from "./0026_record_import_details";
import * as m0027 from "./0027_create_spend_rollups";
import * as m0028 from "./0028_index_unattributed_spend";
import * as m0029 from "./0029_use_org_invites_once";

// Migrations are listed here, in order, rather than read from the folder at run time: the server
// build bundles this list, and Kysely's FileMigrationProvider cannot find files after bundling.
export const migrations: Record<string, Migration> = {
  "0001_create_accounts": m0001,
  "0002_create_backlog": m0002,
  "0003_create_poker": m0003,
  "0004_create_spend": m0004,
  "0005_create_sprints": m0005,
  "0006_secure_accounts": m0006,
  "0008_limit_spend_amounts": m0008,
  "0009_record_usage_detail": m0009,
  "0010_add_auto_reveal_at": m0010,
  "0011_create_calibration_suggestions": m0011,
  "0012_add_agent_ingest": m0012,
  "0014_add_tracker_fields": m0014,
  "0015_create_tracker_connections": m0015,
  "0016_create_organisations": m0016,
  "0023_bucket_spend_staging": m0023,
  "0024_index_spend_identity": m0024,
  "0026_record_import_details": m0026,
  "0027_create_spend_rollups": m0027,
  "0028_index_unattributed_spend": m0028,
  "0029_use_org_invites_once": m0029,
};
