import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The dependency rule from STYLE.md, checked on every import in app/:
//   routes → server, models, domain, components, utils; server → models, domain, utils;
//   models → domain, utils; components → domain, components, client-safe utils; utils → utils and
//   pure libraries (never models); domain → pure libraries only.
const APP = path.resolve("app");

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory()
      ? filesUnder(full)
      : /\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)
        ? [full]
        : [];
  });
}

function importsOf(file: string): string[] {
  const source = fs.readFileSync(file, "utf8");
  return [
    ...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gm),
    ...source.matchAll(/import\(["']([^"']+)["']\)/g),
  ].map((m) => m[1]!);
}

/** The app layer an import lands in: "domain", "models", ... or "package:<name>". */
function layerOf(fromFile: string, specifier: string): string {
  let target: string;
  if (specifier.startsWith("~/")) target = path.join(APP, specifier.slice(2));
  else if (specifier.startsWith(".")) target = path.resolve(path.dirname(fromFile), specifier);
  else
    return `package:${specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]}`;
  const rel = path.relative(APP, target);
  if (rel.startsWith("..")) return `outside:${path.relative(process.cwd(), target)}`;
  return rel.split(path.sep)[0]!;
}

const NODE_BUILTINS = /^package:(node:|fs|path|crypto|http|net|os|child_process)/;
const PURE_PACKAGES = new Set(["package:zod", "package:csv-parse", "package:re2js"]);

describe("dependency rule", () => {
  const files = filesUnder(APP);

  it("keeps app/domain pure: no I/O, no framework, no database", () => {
    for (const file of files.filter((f) => f.startsWith(path.join(APP, "domain")))) {
      for (const spec of importsOf(file)) {
        const layer = layerOf(file, spec);
        const ok = layer === "domain" || PURE_PACKAGES.has(layer);
        expect(ok, `${path.relative(APP, file)} imports ${spec}`).toBe(true);
      }
    }
  });

  it("keeps SQL in models: only models and server utils import kysely or the db handle at runtime", () => {
    for (const file of files) {
      const layer = path.relative(APP, file).split(path.sep)[0];
      for (const spec of importsOf(file)) {
        if (layerOf(file, spec) !== "package:kysely") continue;
        const typeOnly = new RegExp(`import\\s+type\\s[^;]*from\\s+["']${spec}["']`).test(
          fs.readFileSync(file, "utf8"),
        );
        const allowed =
          layer === "models" ||
          (["utils", "server"].includes(layer!) && file.endsWith(".server.ts")) ||
          (layer === "routes" && typeOnly);
        expect(allowed, `${path.relative(APP, file)} imports kysely`).toBe(true);
      }
    }
  });

  it("lets models depend only on domain, utils, static data and db types", () => {
    for (const file of files.filter((f) => f.startsWith(path.join(APP, "models")))) {
      for (const spec of importsOf(file)) {
        const layer = layerOf(file, spec);
        expect(
          ["domain", "models", "utils", "data"].includes(layer) ||
            layer.startsWith("package:") ||
            layer === "outside:db/schema",
          `${path.relative(APP, file)} imports ${spec}`,
        ).toBe(true);
        expect(layer === "routes" || layer === "components", `${path.relative(APP, file)} imports ${spec}`).toBe(false);
      }
    }
  });

  it("keeps components away from models and server-only code", () => {
    for (const file of files.filter((f) => f.startsWith(path.join(APP, "components")))) {
      for (const spec of importsOf(file)) {
        const layer = layerOf(file, spec);
        expect(
          layer === "models" || layer === "routes" || spec.includes(".server"),
          `${path.relative(APP, file)} imports ${spec}`,
        ).toBe(false);
        expect(NODE_BUILTINS.test(layer), `${path.relative(APP, file)} imports ${spec}`).toBe(false);
      }
    }
  });

  it("keeps utils below models: utils import neither models nor the server layer", () => {
    for (const file of files.filter((f) => f.startsWith(path.join(APP, "utils")))) {
      for (const spec of importsOf(file)) {
        const layer = layerOf(file, spec);
        expect(
          ["models", "server", "routes", "components"].includes(layer),
          `${path.relative(APP, file)} imports ${spec}`,
        ).toBe(false);
      }
    }
  });

  it("puts the request gates in app/server, above models and below routes", () => {
    for (const file of files) {
      const layer = path.relative(APP, file).split(path.sep)[0]!;
      for (const spec of importsOf(file)) {
        if (layerOf(file, spec) !== "server") continue;
        expect(
          ["routes", "server", "root.tsx", "entry.server.tsx"].includes(layer),
          `${path.relative(APP, file)} imports ${spec}`,
        ).toBe(true);
      }
      if (layer !== "server") continue;
      for (const spec of importsOf(file)) {
        const target = layerOf(file, spec);
        expect(target === "routes" || target === "components", `${path.relative(APP, file)} imports ${spec}`).toBe(
          false,
        );
      }
    }
  });

  it("has routes that never issue SQL themselves", () => {
    for (const file of files.filter((f) => f.startsWith(path.join(APP, "routes")))) {
      const source = fs.readFileSync(file, "utf8");
      expect(
        /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/.test(source),
        `${path.relative(APP, file)} issues SQL`,
      ).toBe(false);
    }
  });
});

// A clone of the project alone must pass its own suite: nothing the app, scripts, migrations or tests
// read may climb out of the checkout (e.g. to a sibling folder of shared samples). Relative literals in `new URL(…,
// import.meta.url)` and imports resolve from their file; any other `../…` literal (path.resolve, fs
// calls) resolves from the project root, where npm runs everything.
describe("the repository stands alone", () => {
  const ROOT = path.resolve(".");
  const sourcesUnder = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === "node_modules" || e.name === "results" ? [] : sourcesUnder(full);
      return /\.(ts|tsx|js|mjs|cjs)$/.test(e.name) ? [full] : [];
    });

  it("reads nothing outside the checkout", () => {
    const escapes: string[] = [];
    for (const file of ["app", "db", "scripts", "tests"].flatMap((d) => sourcesUnder(path.join(ROOT, d)))) {
      fs.readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          // Only literals that name a file: imports, URLs, path and fs calls (hostile payloads are data).
          if (/^\s*(\/\/|\*)/.test(line) || !/new URL\(|path\.|fs\.|readFile|\bfrom\s|import\(/.test(line)) return;
          for (const m of line.matchAll(/(["'`])((?:\.\.\/)+[^"'`]*)\1/g)) {
            const fromFile = /import\.meta\.url|\bfrom\s|import\(/.test(line);
            const target = path.resolve(fromFile ? path.dirname(file) : ROOT, m[2]!);
            if (path.relative(ROOT, target).startsWith(".."))
              escapes.push(`${path.relative(ROOT, file)}:${i + 1} ${m[2]}`);
          }
        });
    }
    expect(escapes).toEqual([]);
  });
});

// Pieces that once existed in several copies that drifted apart (four credit formatters giving three
// strings for one number; two hydration hooks; a chart that built its own frame; a
// second checkbox schema that accepted other values): each has one home, and a second definition fails here.
describe("one home for shared pieces", () => {
  const definitions = (name: string) =>
    filesUnder(APP)
      .filter((file) =>
        new RegExp(`^\\s*(?:export\\s+)?(?:async\\s+)?(?:function\\*?|const|let)\\s+${name}\\b`, "m").test(
          fs.readFileSync(file, "utf8"),
        ),
      )
      .map((file) => path.relative(APP, file));

  it.each([
    ["formatCredits", "domain/credits.ts"],
    ["formatUsd", "domain/credits.ts"],
    ["useHydrated", "components/ui/use-hydrated.ts"],
    ["ChartFrame", "components/charts/chart-frame.tsx"],
    ["Id", "domain/form-fields.ts"],
    ["Checkbox", "domain/form-fields.ts"],
    ["IsoDay", "domain/form-fields.ts"],
    ["sortParam", "domain/form-fields.ts"],
    ["formatFactor", "domain/recalibration.ts"],
    ["formatRatioCell", "components/retro/retro-table.tsx"],
  ])("defines %s once, in %s", (name, home) => {
    expect(definitions(name)).toEqual([home]);
  });
});
