// Reads that write (issue 15 item 7): no page's GET checks burn alerts — that inserts rows and may
// wait on a webhook with retries. The checks run where spend or a sprint's thresholds change.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROUTES = path.resolve("app/routes");
const source = (file: string) => fs.readFileSync(path.join(ROUTES, file), "utf8");

/** The text of the module's `export async function <name>` up to the next top-level export. */
function exported(text: string, name: string): string {
  const start = text.search(new RegExp(`^export (async )?function ${name}\\b`, "m"));
  if (start < 0) return "";
  const rest = text.slice(start + 1);
  const end = rest.search(/^export /m);
  return end < 0 ? rest : rest.slice(0, end);
}

describe("burn alerts", () => {
  it("are never checked by a loader (a GET)", () => {
    const offenders = fs
      .readdirSync(ROUTES)
      .filter((f) => /\.tsx?$/.test(f) && /checkBurnAlerts/.test(exported(source(f), "loader")));
    expect(offenders).toEqual([]);
  });

  it.each([
    ["t.$team.sprints.$id.settings.tsx", "sprint settings (capacity, dates, reserve)"],
    ["t.$team.sprints.new.tsx", "a new sprint"],
    ["t.$team.stories.$storyId.spend.tsx", "spend typed in on a story"],
  ])("are checked after %s changes (%s)", (file) => {
    expect(exported(source(file), "action")).toMatch(/checkBurnAlertsSoon\(/);
  });
});
