import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockFileFor } from "~/utils/pglite-lock.server";

// Several processes starting at once on a folder whose lock was left by a dead process: the old
// takeover (read the dead pid, delete, create) let a slow process delete the winner's fresh lock,
// and two processes both owned the folder (5 of 30 tries). Exactly one may win, every time.

const WORKERS = 8;
const ROUNDS = 30;
/** No process has this pid (Linux caps pids far below it), so a lock holding it is stale. */
const DEAD_PID = "2147483646";

type Reply = { ready?: true; won?: boolean; error?: string; released?: true };

function nextReply(worker: ChildProcess): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`lock worker exited with ${code}`));
    worker.once("exit", onExit);
    worker.once("message", (reply: Reply) => {
      worker.off("exit", onExit);
      resolve(reply);
    });
  });
}

describe("taking over a stale PGlite lock", () => {
  let workers: ChildProcess[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "token-poker-lock-"));
    workers = Array.from({ length: WORKERS }, () =>
      fork(path.resolve("tests/helpers/lock-worker.ts"), [], {
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "ignore", "inherit", "ipc"],
      }),
    );
    await Promise.all(workers.map(nextReply));
  });
  afterAll(() => {
    for (const worker of workers) worker.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`gives the folder to exactly one of ${WORKERS} processes that start at once, ${ROUNDS} times out of ${ROUNDS}`, async () => {
    const folder = path.join(dir, "pglite");
    const lockFile = lockFileFor(folder);
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      fs.writeFileSync(lockFile, DEAD_PID);
      const at = Date.now() + 150;
      const replies = workers.map(nextReply);
      for (const worker of workers) worker.send({ type: "go", folder, at });
      const results = await Promise.all(replies);
      const winners = results.flatMap((r, i) => (r.won ? [i] : []));
      outcomes.push(`${winners.length}`);
      expect(results.filter((r) => !r.won).map((r) => r.error)).toEqual(
        Array(WORKERS - winners.length).fill("FolderLockedError"),
      );
      if (winners.length === 1)
        expect(fs.readFileSync(lockFile, "utf8").split(" ")[0]).toBe(String(workers[winners[0]!]!.pid));
      // Everyone who thinks they hold it gives it back; the next round starts from a stale lock again.
      for (const i of winners) {
        const released = nextReply(workers[i]!);
        workers[i]!.send({ type: "release" });
        await released;
      }
    }
    expect(outcomes.join(" "), "winners per round").toBe(Array(ROUNDS).fill("1").join(" "));
    // No temporary or moved-aside files are left beside the lock.
    expect(fs.readdirSync(dir).filter((f) => f !== "pglite.lock")).toEqual([]);
  });
});
