import { expect, it } from "vitest";
import { pageJavaScript } from "../../scripts/lib/client-size";

// The poker room opens on phones in meeting rooms: its JavaScript has a budget of 150 KB gzip,
// measured from the production build the e2e setup made (every file the page's route chain loads).
it("keeps the poker room's JavaScript under 150 KB gzip", async () => {
  const pages = await pageJavaScript();
  const room = pages.find((p) => p.routeId === "routes/t.$team_.poker.$id");
  expect(room, "the poker room page in the build").toBeTruthy();
  expect(room!.files).toBeGreaterThan(3); // entry, manifest, root and the room at least
  expect(room!.gzipBytes).toBeLessThan(150 * 1024);
});
