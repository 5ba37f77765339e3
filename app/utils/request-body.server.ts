// Request bodies, before any route sees them (docs/decisions/0016-body-limits.md).
//
// `request.formData()` reads a whole body into memory and parses it, and /login and /signup do that
// before anyone is known: four anonymous 400 MB posts took the process to 2.75 GB. So every form
// body is capped at MAX_FORM_BYTES (1 MB unless the operator says otherwise) while it is read, and
// a body declared larger is refused by the server entry before any of it is read (`bodyLimitFor`).
// Only three routes take more, and they stream it, authorise before reading a byte, and keep
// their own caps: the spend upload, the team import and the spend API. They get their bodies only
// from a request that carries the credential they check; an anonymous one is an ordinary form.
//
// The guard also turns a body that is not a readable form into a 4xx (JSON sent to a form route, a
// malformed multipart body, no Content-Type): 415 for a body that is not a form at all, 400 for a
// form that cannot be read, so no action needs its own try/catch. A body read twice stays a 500:
// that is our bug.
import { readEnv } from "~/utils/env.server";

const GUARDED = Symbol.for("token-poker.form-data-guard");

const FORM_TYPES = ["multipart/form-data", "application/x-www-form-urlencoded"];

/** Routes whose bodies stream past the form cap, and the credential each checks before reading. */
const STREAMING_ROUTES: { path: RegExp; credential: "session" | "bearer" }[] = [
  { path: /^\/t\/[^/]+\/spend\/upload\/?$/, credential: "session" },
  { path: /^\/t\/[^/]+\/settings\/export(?:\.data)?\/?$/, credential: "session" },
  { path: /^\/api\/v1\/teams\/[^/]+\/spend\/?$/, credential: "bearer" },
];

let cachedMaxFormBytes: number | undefined;

/** MAX_FORM_BYTES from the environment (read once). */
export function maxFormBytes(): number {
  return (cachedMaxFormBytes ??= readEnv().MAX_FORM_BYTES);
}

/**
 * The most body bytes the server takes for this request before its route runs: the form cap, or
 * null for a streaming route asked with its credential (the route authorises, then applies its
 * own cap as it reads).
 */
export function bodyLimitFor(
  request: { path: string; cookie?: string; authorization?: string },
  formBytes = maxFormBytes(),
): number | null {
  const route = STREAMING_ROUTES.find((r) => r.path.test(request.path));
  if (route?.credential === "session" && /(?:^|;\s*)__session=/.test(request.cookie ?? "")) return null;
  if (route?.credential === "bearer" && /^Bearer\s+\S/i.test(request.authorization ?? "")) return null;
  return formBytes;
}

export function tooLargeMessage(maxBytes: number): string {
  return `The request is larger than ${Math.round(maxBytes / 1024)} KB, the most a form takes.`;
}

/** The answer to a body over the form cap. */
function tooLargeResponse(maxBytes: number): Response {
  return new Response(tooLargeMessage(maxBytes), {
    status: 413,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

/**
 * The body's bytes, or a thrown 413 past `maxBytes`. What is left unread is not cancelled (that
 * would cut the connection before the 413 goes out): the server entry drains it after the answer.
 */
async function readCapped(request: Request, maxBytes: number): Promise<ArrayBuffer> {
  const declared = Number(request.headers.get("Content-Length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLargeResponse(maxBytes);
  if (!request.body) return new ArrayBuffer(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw tooLargeResponse(maxBytes);
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return whole.buffer;
}

export function guardFormData(RequestClass: typeof Request = Request, limit: () => number = maxFormBytes): void {
  const proto = RequestClass.prototype as Request & { [GUARDED]?: true };
  if (proto[GUARDED]) return;
  const original = proto.formData;
  Object.defineProperty(proto, "formData", {
    configurable: true,
    writable: true,
    value: async function formData(this: Request): Promise<FormData> {
      if (this.bodyUsed) return original.call(this);
      const type = this.headers.get("Content-Type") ?? "";
      const bytes = await readCapped(this, limit());
      try {
        return await new Response(bytes as unknown as BodyInit, {
          headers: type ? { "Content-Type": type } : {},
        }).formData();
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        const isForm = FORM_TYPES.some((t) => type.toLowerCase().startsWith(t));
        throw new Response(
          isForm
            ? "The form could not be read. Reload the page and send it again."
            : "Send this as a form (multipart/form-data or application/x-www-form-urlencoded).",
          { status: isForm ? 400 : 415 },
        );
      }
    },
  });
  Object.defineProperty(proto, GUARDED, { value: true });
}
