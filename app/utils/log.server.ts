// What the server writes to its log about an error. Never the error object itself: a database
// driver's error carries the query's parameters (PGlite attaches `query` and `params`, so a failed
// signup printed the new user's password hash), and other errors carry request bodies or headers.
// The log gets the error's class, message, code and stack — what a maintainer needs — and nothing
// from the request.

const MAX_MESSAGE = 500;
/** Control characters would let a logged value forge log lines or drive a terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function clean(text: string, max: number): string {
  const plain = text.replace(CONTROL, "?");
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}

/** One error as log text: "Name [code]: message" and the stack frames, no own properties. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `non-error thrown: ${typeof error}`;
  const code = (error as { code?: unknown }).code;
  const head = `${error.name}${typeof code === "string" && /^[\w.-]{1,40}$/.test(code) ? ` [${code}]` : ""}: ${clean(error.message, MAX_MESSAGE)}`;
  // The stack's first line repeats the message; the frames are the code's own text.
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 15)
    .map((line) => clean(line, 300));
  const cause = error.cause instanceof Error ? `\n  caused by ${describeError(error.cause).split("\n")[0]}` : "";
  return [head, ...frames].join("\n") + cause;
}

/** `console.error` for an error with a context label, through `describeError`. */
export function logError(label: string, error: unknown): void {
  console.error(`${label} ${describeError(error)}`);
}
