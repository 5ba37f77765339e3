import fs from "node:fs";
import type { TestProject } from "vitest/node";
import { buildIfStale } from "../../scripts/lib/build";

declare module "vitest" {
  export interface ProvidedContext {
    chromiumPath: string | null;
  }
}

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];

// End-to-end tests run the production build, as a user gets it.
export default function setup(project: TestProject) {
  buildIfStale();
  const chromium = CHROMIUM_CANDIDATES.find((p): p is string => !!p && fs.existsSync(p)) ?? null;
  if (!chromium) {
    if (process.env.CI === "true") throw new Error("Chromium is missing, and CI must run the browser tests.");
    console.warn(
      "\n!!! Chromium not found: browser tests are SKIPPED. Install it with `apt-get install -y chromium`. !!!\n",
    );
  }
  project.provide("chromiumPath", chromium);
}
