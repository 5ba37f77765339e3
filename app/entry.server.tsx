import { Writable } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "~/utils/nonce";
import { isDatabaseDown, noteQueryError } from "~/utils/db-health.server";
import { logError } from "~/utils/log.server";
import { guardFormData } from "~/utils/request-body.server";

// A body that is not a readable form is the client's mistake: 400/415 from every action, not 500.
guardFormData();

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** Set by scripts/server.ts for every request; absent under the Vite dev server. */
    cspNonce?: string;
    /** Aborts when the client's connection closes (set by scripts/server.ts; see there). */
    connectionClosed?: AbortSignal;
  }
}

const ABORT_DELAY = 5_000;

/** A strict policy: our own origin only, and inline scripts only with this response's nonce. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Every loader, action and render error passes here first: a lost database marks itself down. The
 * log line names the request's method and path only, and the error through `logError`: never
 * the error object (a driver error holds the query's parameters) nor the request's body.
 */
export function handleError(error: unknown, { request }: { request: Request }) {
  noteQueryError(error);
  if (!request.signal.aborted) logError(`[server] ${request.method} ${new URL(request.url).pathname}:`, error);
}

/** A data request that failed because the database is gone is a 503 (retry later), not a 500. */
export function handleDataRequest(response: Response) {
  if (response.status === 500 && isDatabaseDown()) {
    return new Response(response.body, { status: 503, statusText: "Service Unavailable", headers: response.headers });
  }
  return response;
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  if (responseStatusCode === 500 && isDatabaseDown()) responseStatusCode = 503;
  const nonce = loadContext.cspNonce;
  if (nonce) responseHeaders.set("Content-Security-Policy", contentSecurityPolicy(nonce));
  responseHeaders.set("X-Content-Type-Options", "nosniff");
  responseHeaders.set("Referrer-Policy", "same-origin");

  // The whole document is rendered, then sent as one body. No loader defers data, so streaming
  // would send nothing sooner; it would send the page as dozens of small writes, each a hop
  // through the web-stream adapter and each its own zlib call on the thread pool, which cost a
  // page 2–11 ms on the demo (docs/performance.md, "One body per document").
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const chunks: Buffer[] = [];
    const body = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        const html = Buffer.concat(chunks);
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        responseHeaders.set("Content-Length", String(html.length));
        resolve(new Response(html, { headers: responseHeaders, status: responseStatusCode }));
        done();
      },
    });
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        onShellReady() {
          shellRendered = true;
        },
        onAllReady() {
          clearTimeout(timer);
          pipe(body);
        },
        onShellError(error: unknown) {
          clearTimeout(timer);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors in the shell reach onShellError (and Remix's handleError) instead.
          if (shellRendered) logError("[render]", error);
        },
      },
    );
    const timer = setTimeout(abort, ABORT_DELAY);
  });
}
