import fs from "node:fs";
import path from "node:path";

// Two processes on one PGlite folder each believe they own it and silently lose each other's
// writes, so the embedded mode takes a lock file beside the folder. A lock left behind by a process
// that died (kill -9, power cut) is taken over: its pid no longer answers.
export class FolderLockedError extends Error {
  constructor(
    readonly folder: string,
    readonly holderPid: number,
  ) {
    super(
      `The embedded database folder ${folder} is in use by another Token Poker process (pid ${holderPid}). ` +
        `Stop that process first, or point PGLITE_DIR at another folder.`,
    );
    this.name = "FolderLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function lockFileFor(folder: string): string {
  return `${path.resolve(folder)}.lock`;
}

/** Takes the folder's lock for this process; returns the function that gives it back. */
export function lockFolder(folder: string): () => void {
  const lockFile = lockFileFor(folder);
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      return () => {
        try {
          if (fs.readFileSync(lockFile, "utf8").trim() === String(process.pid)) fs.unlinkSync(lockFile);
        } catch {
          // Already gone: nothing to give back.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(fs.readFileSync(lockFile, "utf8").trim(), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new FolderLockedError(path.resolve(folder), holder);
    }
    // Stale (or our own from an earlier open in this process): remove and try again.
    fs.rmSync(lockFile, { force: true });
  }
  throw new Error(`Could not take the lock ${lockFile}`);
}
