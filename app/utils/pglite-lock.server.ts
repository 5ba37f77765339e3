import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// Two processes on one PGlite folder each believe they own it and silently lose each other's
// writes, so the embedded mode takes a lock file beside the folder. A lock left behind by a process
// that died (kill -9, power cut) is taken over: its pid no longer answers. Several processes may
// start at once on a folder whose lock is stale; exactly one of them gets it (see `attempt`).
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

/** What a lock file says: who holds it, and which lock it is (a process may take many in turn). */
interface LockContent {
  pid: number;
  nonce: string;
}

function readLock(file: string): LockContent | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const [pid, nonce] = text.trim().split(/\s+/);
  // A lock from before nonces holds only a pid: name it by that.
  return {
    pid: Number.parseInt(pid ?? "", 10),
    nonce: /^[0-9a-f]{1,32}$/.test(nonce ?? "") ? nonce! : `pid${Number.parseInt(pid ?? "", 10) || 0}`,
  };
}

/**
 * Creates `file` holding `content`, atomically and whole: the content goes into a file of our own,
 * which is then hard-linked to the name (a link fails if the name exists). So no one ever reads a
 * half-written lock (an empty one would look stale).
 */
function create(file: string, content: string): boolean {
  const own = `${file}.${process.pid}-${randomBytes(6).toString("hex")}.tmp`;
  fs.writeFileSync(own, content, { flag: "wx" });
  try {
    fs.linkSync(own, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    fs.rmSync(own, { force: true });
  }
}

type Attempt = { kind: "won"; nonce: string } | { kind: "held"; pid: number } | { kind: "busy" };

/** How long a process waits for another one's takeover to finish before it gives up. */
const TAKEOVER_PATIENCE_MS = 5_000;

/** Blocks this thread for `ms` (taking the lock is synchronous: it runs before anything else). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Tries to take `file`. A stale lock (its pid is gone) is taken over by exactly one process: the
 * one that creates that lock's own takeover file (`<file>.takeover-<nonce>`, exclusive like the
 * lock itself, and taken over the same way if its taker died). Only it may delete that lock, and
 * it checks the lock is still the stale one (by its nonce) before it does; then everyone tries the
 * atomic create again, and one wins. A process that judged the same lock stale but came late finds
 * the takeover done and a live lock in its place. (Deleting what one read as stale — the old
 * takeover — let a late process delete the winner's fresh lock: two owners.)
 *
 * The others wait for the taker, pausing between looks: with more processes than cores the taker
 * may not run for a while, and counting a fixed number of quick looks instead gave up on it (three
 * of eight processes reported "could not take the lock" rather than "in use" on a 2-core machine).
 */
function attempt(file: string, depth: number, deadline: number): Attempt {
  for (let wait = 1; ; wait = Math.min(wait * 2, 25)) {
    const nonce = randomBytes(8).toString("hex");
    if (create(file, `${process.pid} ${nonce}`)) return { kind: "won", nonce };
    const current = readLock(file);
    if (!current) {
      if (Date.now() >= deadline) return { kind: "busy" };
      continue; // given back meanwhile
    }
    if (Number.isInteger(current.pid) && current.pid !== process.pid && isAlive(current.pid))
      return { kind: "held", pid: current.pid };
    if (depth >= 3) return { kind: "busy" };
    const takeover = `${file}.takeover-${current.nonce}`;
    const taken = attempt(takeover, depth + 1, deadline);
    if (taken.kind === "busy") return taken;
    if (taken.kind === "held") {
      // Another process is taking it over: its new lock shows up once it has run.
      if (Date.now() >= deadline) return { kind: "busy" };
      pause(wait);
      continue;
    }
    try {
      if (readLock(file)?.nonce === current.nonce) fs.rmSync(file, { force: true });
    } finally {
      fs.rmSync(takeover, { force: true });
    }
  }
}

/** Takes the folder's lock for this process; returns the function that gives it back. */
export function lockFolder(folder: string): () => void {
  const lockFile = lockFileFor(folder);
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const taken = attempt(lockFile, 0, Date.now() + TAKEOVER_PATIENCE_MS);
  if (taken.kind === "held") throw new FolderLockedError(path.resolve(folder), taken.pid);
  if (taken.kind === "busy") throw new Error(`Could not take the lock ${lockFile}`);
  return () => {
    if (readLock(lockFile)?.nonce === taken.nonce) fs.rmSync(lockFile, { force: true });
  };
}
