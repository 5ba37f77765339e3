// npm start — builds the app when the build is missing or older than the sources, then serves it:
// one process on the embedded database, a worker per core on PostgreSQL (scripts/cluster.ts).
import cluster from "node:cluster";
import { buildIfStale } from "./lib/build";

// A worker of the cluster (scripts/cluster.ts) runs this file again: the primary built already.
if (cluster.isPrimary) {
  try {
    buildIfStale();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
process.env.NODE_ENV ??= "production";
const { runServer } = await import("./cluster");
await runServer().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
