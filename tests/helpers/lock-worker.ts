// A process that takes a PGlite folder lock when told to (tests/system/pglite-lock.test.ts): every
// worker spins until the same instant, then calls lockFolder, and a winner holds the lock until told
// to give it back.
import { lockFolder } from "~/utils/pglite-lock.server";

let release: (() => void) | null = null;

process.on(
  "message",
  (message: { type: "go"; folder: string; at: number } | { type: "release" } | { type: "exit" }) => {
    if (message.type === "go") {
      while (Date.now() < message.at) {
        // spin: all workers start within the same millisecond
      }
      try {
        release = lockFolder(message.folder);
        process.send!({ won: true });
      } catch (error) {
        process.send!({ won: false, error: (error as Error).name });
      }
    } else if (message.type === "release") {
      release?.();
      release = null;
      process.send!({ released: true });
    } else {
      process.exit(0);
    }
  },
);
process.send!({ ready: true });
