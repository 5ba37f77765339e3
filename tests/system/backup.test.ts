import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HttpClient, startTestServer } from "../helpers/server";
import { createTeam, signUp } from "../helpers/team-fixture";

function run(script: string, args: string[], pgliteDir: string) {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, DATABASE_URL: "", PGLITE_DIR: pgliteDir },
    encoding: "utf8",
  });
}

describe("db:backup and db:restore", () => {
  it("backs up while the server runs, refuses to restore under it, and restores after it stops", async () => {
    const server = await startTestServer();
    const pgliteDir = path.join(server.dataDir, "pglite");
    const owner = await signUp(server.url, "Backup Bea");
    await createTeam(owner, "Kept", "kept");
    const file = path.join(server.dataDir, "backup.tar.gz");

    const backup = run("scripts/backup.ts", [file], pgliteDir);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/written by the running server/);

    // A team created after the backup is gone after the restore; the one before it is back.
    await createTeam(owner, "After Backup", "after-backup");
    const refused = run("scripts/restore.ts", [file], pgliteDir);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/in use by another Token Poker process/);
    await server.stop();

    const restore = run("scripts/restore.ts", [file], pgliteDir);
    expect(restore.status, restore.stderr).toBe(0);
    expect(fs.readdirSync(server.dataDir).some((f) => f.startsWith("pglite.before-restore-"))).toBe(true);

    const again = await startTestServer({ dataDir: server.dataDir });
    const client = new HttpClient(again.url);
    expect((await client.post("/login", { email: owner.email, password: "correct horse battery" })).status).toBe(302);
    expect((await client.request("/t/kept")).status).toBe(200);
    expect((await client.request("/t/after-backup")).status).toBe(404);
    await again.stop();
  });
});
