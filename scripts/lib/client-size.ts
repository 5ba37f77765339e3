// How much JavaScript a browser downloads to open each page, read from the production build:
// the entry, the route manifest, and the modules (with their imports) of every route from the
// root down to the page. Sizes are gzip at the level the server's compression middleware uses.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

interface BuildRoute {
  id: string;
  parentId?: string;
  path?: string;
  module: { default?: unknown };
}
interface AssetRoute {
  module: string;
  imports?: string[];
}
interface ServerBuild {
  routes: Record<string, BuildRoute>;
  assets: { url: string; entry: { module: string; imports: string[] }; routes: Record<string, AssetRoute> };
}

export interface PageJavaScript {
  routeId: string;
  files: number;
  rawBytes: number;
  gzipBytes: number;
}

export async function pageJavaScript(buildDir = path.resolve("build")): Promise<PageJavaScript[]> {
  const build = (await import(pathToFileURL(path.join(buildDir, "server/index.js")).href)) as ServerBuild;
  const { assets } = build;
  const sizes = new Map<string, { raw: number; gzip: number }>();
  const sizeOf = (url: string) => {
    let size = sizes.get(url);
    if (!size) {
      const bytes = fs.readFileSync(path.join(buildDir, "client", url));
      size = { raw: bytes.byteLength, gzip: gzipSync(bytes).byteLength };
      sizes.set(url, size);
    }
    return size;
  };
  const pages = Object.values(build.routes).filter((r) => r.id !== "root" && r.module.default);
  return pages
    .map((page) => {
      const files = new Set([assets.url, assets.entry.module, ...assets.entry.imports]);
      for (let id: string | undefined = page.id; id; id = build.routes[id]?.parentId) {
        const route = assets.routes[id]!;
        files.add(route.module);
        for (const file of route.imports ?? []) files.add(file);
      }
      let rawBytes = 0;
      let gzipBytes = 0;
      for (const file of files) {
        const size = sizeOf(file);
        rawBytes += size.raw;
        gzipBytes += size.gzip;
      }
      return { routeId: page.id, files: files.size, rawBytes, gzipBytes };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
}
