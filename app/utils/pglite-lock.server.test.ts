import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FolderLockedError, lockFileFor, lockFolder } from "./pglite-lock.server";

/** No process has this pid (Linux caps pids far below it), so a lock holding it is stale. */
const DEAD_PID = 2147483646;
const STALE_NONCE = "0123456789abcdef";

describe("lockFolder while another process is taking over a stale lock", () => {
  let dir: string;
  let taker: ChildProcess | undefined;
  afterEach(() => {
    taker?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("waits for the taker and reports the folder in use, not that the lock could not be taken", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "token-poker-lock-unit-"));
    const folder = path.join(dir, "pglite");
    const lockFile = lockFileFor(folder);
    const takeover = `${lockFile}.takeover-${STALE_NONCE}`;
    fs.writeFileSync(lockFile, `${DEAD_PID} ${STALE_NONCE}`);
    // A live process holds the stale lock's takeover file and, as a taker descheduled on a busy
    // machine would, only gets round to putting its own lock in place a while later.
    taker = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("node:fs");
         process.stdout.write("ready\\n");
         setTimeout(() => {
           fs.writeFileSync(${JSON.stringify(`${lockFile}.taker`)}, process.pid + " fedcba9876543210");
           fs.renameSync(${JSON.stringify(`${lockFile}.taker`)}, ${JSON.stringify(lockFile)});
           fs.rmSync(${JSON.stringify(takeover)});
         }, 300);
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise((resolve) => taker!.stdout!.once("data", resolve));
    fs.writeFileSync(takeover, `${taker.pid} 1111111111111111`);

    let thrown: unknown;
    try {
      lockFolder(folder)();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FolderLockedError);
    expect((thrown as FolderLockedError).holderPid).toBe(taker.pid);
  });
});
