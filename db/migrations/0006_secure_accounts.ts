import { sql, type Kysely } from "kysely";

// Password reset links from three makers (a team that outranks the account everywhere, the
// operator's command line, the account's own mailbox), and throttles for sign-up and "forgot
// password" next to the login throttle. See docs/decisions/0014-password-resets.md.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("password_resets")
    .alterColumn("team_id", (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable("password_resets")
    .addColumn("kind", "text", (c) =>
      c
        .notNull()
        .defaultTo("team")
        .check(sql`kind in ('team', 'operator', 'mail')`),
    )
    .execute();
  await db.schema
    .alterTable("password_resets")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // A team's link names its team; the operator's and the mailed ones name none.
  await db.schema
    .alterTable("password_resets")
    .addCheckConstraint("password_resets_team_kind", sql`(kind = 'team') = (team_id is not null)`)
    .execute();
  await db.schema.createIndex("password_resets_user_id_idx").on("password_resets").column("user_id").execute();

  await sql`alter table login_attempts drop constraint if exists login_attempts_scope_check`.execute(db);
  await db.schema
    .alterTable("login_attempts")
    .addCheckConstraint(
      "login_attempts_scope_check",
      sql`scope in ('email', 'ip', 'signup-ip', 'reset-email', 'reset-ip')`,
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom("login_attempts").where("scope", "not in", ["email", "ip"]).execute();
  await sql`alter table login_attempts drop constraint login_attempts_scope_check`.execute(db);
  await db.schema
    .alterTable("login_attempts")
    .addCheckConstraint("login_attempts_scope_check", sql`scope in ('email', 'ip')`)
    .execute();
  await db.schema.dropIndex("password_resets_user_id_idx").execute();
  await db.deleteFrom("password_resets").where("team_id", "is", null).execute();
  await db.schema.alterTable("password_resets").dropConstraint("password_resets_team_kind").execute();
  await db.schema.alterTable("password_resets").dropColumn("created_at").execute();
  await db.schema.alterTable("password_resets").dropColumn("kind").execute();
  await db.schema
    .alterTable("password_resets")
    .alterColumn("team_id", (c) => c.setNotNull())
    .execute();
}
