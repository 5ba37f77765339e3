// npm start, first half: builds the app when the build is missing or older than the sources, and
// bundles the server entry (scripts/lib/build.ts). The second half, `node build/server.mjs`
// (package.json), serves it with plain node: one process on the embedded database, a worker per
// core on PostgreSQL (scripts/cluster.ts).
import { buildIfStale, bundleServerIfStale } from "./lib/build";

try {
  buildIfStale();
  bundleServerIfStale();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
