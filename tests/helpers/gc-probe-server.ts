// The production server for tests that need to force a garbage collection (run with --expose-gc).
// On a line "probe" on stdin it collects garbage a few times and prints how many live poker
// streams are registered: `probe streams=N`.
import readline from "node:readline";
import { startServer } from "../../scripts/server";

type Hub = { connectionCount(): number };

await startServer();
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "probe") return;
  void (async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const store = (globalThis as { __tokenPoker?: Record<string, unknown> }).__tokenPoker ?? {};
    const hub = store["poker-hub"] as Promise<Hub> | undefined;
    const streams = hub ? (await hub).connectionCount() : 0;
    console.log(`probe streams=${streams}`);
  })();
});
