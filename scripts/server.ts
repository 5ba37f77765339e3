// The production server: our own small entry around Remix's request handler (see README,
// decision 3). It opens the database before taking traffic, serves the built client, refuses
// cross-origin mutations, and on SIGTERM/SIGINT closes live streams and the database within 5 s.
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Server } from "node:http";
import compression from "compression";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { isCrossOriginMutation } from "~/utils/origin.server";
import { closeServices, getServices } from "~/utils/database-and-secrets.server";
import { closeAllStreams } from "~/utils/stream-closers.server";
import { answerBackupRequests } from "~/utils/backup.server";
import { withRequestMemo } from "~/utils/request-memo.server";
import { rememberRouteMatches } from "~/utils/route-match-cache.server";
import { isDatabaseDown, noteQueryError, noteQuerySuccess } from "~/utils/db-health.server";
import { bodyLimitFor, tooLargeMessage } from "~/utils/request-body.server";
import { pingDatabase } from "~/models/health.server";
import { REVACUUM_EVERY_MS, vacuumEmbedded } from "~/models/embedded-vacuum.server";
import { logError } from "~/utils/log.server";
import { recoverInterruptedImports } from "~/models/spend.server";
import { clearPresence } from "~/models/poker.server";
import { releasePresence } from "~/server/poker-live.server";
import { dataDir } from "~/utils/env.server";
import { ensureDemo, printDemoLogin } from "./seed/demo";

const BUILD_DIR = path.resolve("build");
/** The most of an unread request body drained after its answer (see below). */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

const UNAVAILABLE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="5">
<title>Token Poker is reconnecting</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5">
<h1>Token Poker can't reach its database right now</h1>
<p>Nothing you entered is lost: votes and imports already saved are safe in the database. The app
reconnects by itself; this page tries again every 5 seconds.</p></body></html>`;

/** Every file under `dir`, as URL paths ("/favicon.ico"). */
function listFiles(dir: string, prefix = ""): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const url = `${prefix}/${e.name}`;
    return e.isDirectory() ? listFiles(path.join(dir, e.name), url) : [url];
  });
}

export async function startServer(options: { port?: number } = {}) {
  const services = await getServices();
  const { env } = services;
  if (env.SEED_DEMO === "1") await ensureDemo(services, { onlyIfEmpty: true });
  // Imports cut off by a crash of this (or another, dead) instance would otherwise say "running".
  const interrupted = await recoverInterruptedImports(services.db);
  if (interrupted > 0)
    console.log(
      `${interrupted} spend import${interrupted === 1 ? " was" : "s were"} interrupted by a stop and marked failed.`,
    );
  answerBackupRequests(services.database, dataDir(env));
  // Presence comes from live streams, and this process has none yet: a restart starts from nobody
  // present. On PostgreSQL other instances may be serving streams: those they refreshed lately stay.
  await clearPresence(services.db, {
    keepSeenWithinMs: services.database.kind === "pglite" ? 0 : 2 * services.env.LIVE_HEARTBEAT_MS,
  });

  // PGlite has no autovacuum: its tables are vacuumed and analyzed from here, now and every 6 hours.
  await vacuumEmbedded(services.db);
  if (services.database.kind === "pglite") {
    setInterval(() => {
      vacuumEmbedded(services.db).catch((error: unknown) => logError("[db] vacuum failed:", error));
    }, REVACUUM_EVERY_MS).unref();
  }

  // Every Remix package matches routes through these exports (app/utils/route-match-cache.server.ts).
  rememberRouteMatches(createRequire(import.meta.url)("@remix-run/router"));
  const build = (await import(pathToFileURL(path.join(BUILD_DIR, "server/index.js")).href)) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  // Which worker answered (only in a cluster): for operators and the cluster's own test.
  const workerId = process.env.TOKEN_POKER_WORKER;
  if (workerId) app.use((_req, res, next) => (res.setHeader("X-Token-Poker-Worker", workerId), next()));
  app.use(
    compression({
      filter: (req, res) =>
        !String(res.getHeader("Content-Type") ?? "").startsWith("text/event-stream") && compression.filter(req, res),
    }),
  );
  app.use((req, res, next) => {
    // An answer sent before the request body was read (a redirect to the login page for an upload,
    // a refusal): read the rest and drop it. Left unread, the socket closes with data in it and the
    // client gets a connection reset instead of the answer. Past DRAIN_MAX_BYTES it is cut off.
    res.on("finish", () => {
      if (req.complete || req.destroyed) return;
      let drained = 0;
      req.removeAllListeners("data");
      req.on("data", (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > DRAIN_MAX_BYTES) req.destroy();
      });
      req.resume();
    });
    next();
  });
  app.use((req, res, next) => {
    // A body declared larger than its route takes is refused before a byte of it is read (the
    // drain above then reads and drops it, so the client gets this answer, not a reset). Bodies of
    // unknown length are capped as they are read (app/utils/request-body.server.ts).
    const limit = bodyLimitFor({
      path: req.path,
      cookie: req.headers.cookie,
      authorization: req.headers.authorization,
    });
    const declared = Number(req.headers["content-length"] ?? Number.NaN);
    if (limit !== null && Number.isFinite(declared) && declared > limit) {
      res.status(413).type("text/plain").send(tooLargeMessage(limit));
      return;
    }
    next();
  });
  app.use((req, res, next) => {
    // The address used for login throttling comes from the socket, never from the client's headers
    // (unless we run behind a proxy we trust).
    const forwarded =
      process.env.TRUST_PROXY === "1"
        ? String(req.headers["x-forwarded-for"] ?? "")
            .split(",")[0]
            ?.trim()
        : "";
    req.headers["x-client-ip"] = forwarded || req.socket.remoteAddress || "unknown";
    if (
      isCrossOriginMutation({
        method: req.method,
        origin: req.headers.origin,
        secFetchSite: req.headers["sec-fetch-site"] as string | undefined,
        host: req.headers.host,
        appOrigin: env.APP_ORIGIN,
      })
    ) {
      res.status(403).type("text/plain").send("Cross-origin request refused.");
      return;
    }
    next();
  });
  app.use(async (req, res, next) => {
    // While the database is known to be down, answer with a clear page instead of half-rendered
    // ones; one quick ping per request tells us when it is back.
    if (!isDatabaseDown() || req.path === "/healthz" || req.path.startsWith("/assets/")) return next();
    try {
      await pingDatabase(services.db);
      noteQuerySuccess();
      next();
    } catch (error) {
      noteQueryError(error);
      res.status(503).set("Retry-After", "5").type("html").send(UNAVAILABLE_PAGE);
    }
  });
  // One session and membership lookup per page view, shared by the layout's and the page's loaders
  // (app/utils/request-memo.server.ts). Only for reads: an action may change either.
  app.use((req, _res, next) => (req.method === "GET" || req.method === "HEAD" ? withRequestMemo(next) : next()));
  app.use("/assets", express.static(path.join(BUILD_DIR, "client/assets"), { immutable: true, maxAge: "1y" }));
  // The other files of build/client (favicon, robots.txt, …) are listed once at start-up: a page
  // request never costs a filesystem stat to find out it is not a file.
  const clientDir = path.join(BUILD_DIR, "client");
  const publicFiles = new Set(listFiles(clientDir).filter((f) => !f.startsWith("/assets/")));
  const serveClientFile = express.static(clientDir, { maxAge: "1h", index: false, redirect: false });
  app.use((req, res, next) => (publicFiles.has(req.path) ? serveClientFile(req, res, next) : next()));
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: env.NODE_ENV,
      getLoadContext: (_req, res) => {
        // The end of the client's connection, from the socket itself: Remix copies the request for
        // each loader and Node 20's fetch links each copy's abort signal only weakly, so after a
        // garbage collection `request.signal` may never fire (live streams would stay open for good).
        const closed = new AbortController();
        res.once("close", () => closed.abort());
        return { cspNonce: randomBytes(16).toString("base64"), connectionClosed: closed.signal };
      },
    }),
  );

  const port = options.port ?? env.PORT;
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, () => resolve(s));
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `http://localhost:${actualPort}`;
  if (env.SEED_DEMO === "1") await printDemoLogin(services, url);
  const worker = process.env.TOKEN_POKER_WORKER
    ? `, worker ${process.env.TOKEN_POKER_WORKER} of ${process.env.TOKEN_POKER_WORKERS}`
    : "";
  console.log(
    `Token Poker is serving on ${url} (${services.database.kind === "pglite" ? `embedded database in ${path.resolve(env.PGLITE_DIR)}` : "PostgreSQL"}${worker})`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing streams and the database`);
    const deadline = setTimeout(() => {
      console.error("Shutdown took longer than 5 s; exiting anyway.");
      process.exit(1);
    }, 5000);
    deadline.unref();
    try {
      await releasePresence();
    } catch (error) {
      console.error("Could not mark the connected participants away:", (error as Error).message);
    }
    closeAllStreams();
    server.close();
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
    try {
      await closeServices();
    } finally {
      clearTimeout(deadline);
      process.exit(0);
    }
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  return { server, url };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  // One process on the embedded database; a worker per core on PostgreSQL (scripts/cluster.ts).
  const { runServer } = await import("./cluster");
  runServer().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
