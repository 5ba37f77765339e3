// Streaming uploads: file parts are handed on as they arrive (never buffered whole), with the text
// fields that came before them, and a byte cap that stops a body the moment it is too large.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";

/** A request body (or one file in it) went past its byte limit; answer 413. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The upload is larger than ${formatBytes(maxBytes)}.`);
    this.name = "BodyTooLargeError";
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** Passes chunks through until more than `maxBytes` went by, then throws `BodyTooLargeError`. */
export async function* limitBytes(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of source) {
    seen += chunk.byteLength;
    if (seen > maxBytes) throw new BodyTooLargeError(maxBytes);
    yield chunk;
  }
}

/** A request's body as chunks (empty for no body). */
export async function* bodyChunks(request: Request): AsyncGenerator<Uint8Array> {
  if (!request.body) return;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: AsyncIterable<Uint8Array>;
}

export function isMultipart(request: Request): boolean {
  return (request.headers.get("Content-Type") ?? "").toLowerCase().startsWith("multipart/form-data");
}

/**
 * Walks a multipart body part by part. Text fields are collected; each file goes to `onFile` with
 * the fields sent before it (so a form puts its options first) while it is still streaming in.
 * Files with no name and no content (an empty file input) are skipped.
 *
 * busboy does the parsing (Remix's own parser splits Content-Disposition on every ";" and "=", so
 * it refused a file called "spend;march=v2.csv"). Files are handled one at a time: busboy stops
 * reading the body while a file waits, so the next part cannot arrive before `onFile` is done.
 */
export async function streamMultipart<R>(
  request: Request,
  onFile: (file: UploadedFile, fields: URLSearchParams) => Promise<R>,
  options: { maxFileBytes: number; maxFieldBytes?: number },
): Promise<{ fields: URLSearchParams; results: R[] }> {
  const maxFieldBytes = options.maxFieldBytes ?? 64 * 1024;
  const fields = new URLSearchParams();
  const results: R[] = [];
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: Object.fromEntries(request.headers),
      defParamCharset: "utf8",
      limits: { fieldSize: maxFieldBytes },
    });
  } catch (error) {
    throw new TypeError(`The upload is not a readable multipart form: ${errorText(error)}`);
  }
  const body = request.body ? Readable.fromWeb(request.body as WebReadableStream) : Readable.from([]);

  // Errors from our own handling (limits, the importer) pass through as they are; the parser's own
  // errors mean a malformed body: a TypeError, which callers answer with 400.
  let failure: unknown;
  let handling = Promise.resolve();
  let settle = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const fail = (error: unknown) => {
    failure ??= error;
    // Stop parsing, but leave the rest of the body unread rather than destroyed: destroying it cut
    // the connection before the answer went out (a 64 KB+ text field got "other side closed"
    // instead of its 413/400). The server entry drains what is left after the answer.
    body.unpipe(parser);
    body.pause();
    settle();
  };
  parser.on("field", (name, value, info) => {
    if (info.valueTruncated) fail(new BodyTooLargeError(maxFieldBytes));
    else fields.append(name, value);
  });
  parser.on("file", (name, stream, info) => {
    handling = handling.then(async () => {
      if (failure) return void stream.resume();
      if (!info.filename) return void stream.resume();
      try {
        const data = limitBytes(stream as AsyncIterable<Uint8Array>, options.maxFileBytes);
        // Snapshot: fields sent after this file must not look as if they came before it.
        results.push(
          await onFile(
            { field: name, filename: info.filename, contentType: info.mimeType, data },
            new URLSearchParams(fields),
          ),
        );
        // The consumer may stop early (a capped JSON document); the rest of the file is skipped.
        stream.resume();
      } catch (error) {
        stream.resume();
        fail(error);
      }
    });
  });
  parser.on("close", settle);
  parser.on("error", (error) =>
    fail(new TypeError(`The upload is not a readable multipart form: ${errorText(error)}`)),
  );
  body.on("error", fail);
  body.pipe(parser);
  await settled;
  await handling;
  if (failure) throw failure;
  return { fields, results };
}

function errorText(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}
