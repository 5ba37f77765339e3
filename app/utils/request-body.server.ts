// `request.formData()` throws a TypeError for a body that is not a readable form (JSON sent to a form
// route, a malformed multipart body, no Content-Type), so every action would answer 500 for what is
// the client's mistake. Installed once by entry.server.tsx, this guard turns that into a 4xx the
// error boundary shows — 415 for a body that is not a form at all, 400 for a form that cannot be
// read — so no action needs its own try/catch. A body read twice stays a 500: that is our bug.
const GUARDED = Symbol.for("token-poker.form-data-guard");

const FORM_TYPES = ["multipart/form-data", "application/x-www-form-urlencoded"];

export function guardFormData(RequestClass: typeof Request = Request): void {
  const proto = RequestClass.prototype as Request & { [GUARDED]?: true };
  if (proto[GUARDED]) return;
  const original = proto.formData;
  Object.defineProperty(proto, "formData", {
    configurable: true,
    writable: true,
    value: async function formData(this: Request): Promise<FormData> {
      if (this.bodyUsed) return original.call(this);
      try {
        return await original.call(this);
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        const type = (this.headers.get("Content-Type") ?? "").toLowerCase();
        const isForm = FORM_TYPES.some((t) => type.startsWith(t));
        throw new Response(
          isForm ? "The form could not be read. Reload the page and send it again." : "Send this as a form (multipart/form-data or application/x-www-form-urlencoded).",
          { status: isForm ? 400 : 415 },
        );
      }
    },
  });
  Object.defineProperty(proto, GUARDED, { value: true });
}
