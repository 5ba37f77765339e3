// npm start — builds the app when the build is missing or older than the sources, then serves it.
import { buildIfStale } from "./lib/build";

try {
  buildIfStale();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
process.env.NODE_ENV ??= "production";
const { startServer } = await import("./server");
await startServer().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
