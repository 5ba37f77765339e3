// Streaming uploads: file parts are handed on as they arrive (never buffered whole), with the text
// fields that came before them, and a byte cap that stops a body the moment it is too large.
import { unstable_parseMultipartFormData } from "@remix-run/node";

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

/** Reads a small text part whole (form fields), refusing anything over `maxBytes`. */
async function readText(data: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of limitBytes(data, maxBytes)) chunks.push(chunk);
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: AsyncIterable<Uint8Array>;
}

type MultipartPart = Parameters<Parameters<typeof unstable_parseMultipartFormData>[1]>[0];

export function isMultipart(request: Request): boolean {
  return (request.headers.get("Content-Type") ?? "").toLowerCase().startsWith("multipart/form-data");
}

/**
 * Walks a multipart body part by part. Text fields are collected; each file goes to `onFile` with
 * the fields sent before it (so a form puts its options first) while it is still streaming in.
 * Files with no name and no content (an empty file input) are skipped.
 */
export async function streamMultipart<R>(
  request: Request,
  onFile: (file: UploadedFile, fields: URLSearchParams) => Promise<R>,
  options: { maxFileBytes: number; maxFieldBytes?: number },
): Promise<{ fields: URLSearchParams; results: R[] }> {
  const fields = new URLSearchParams();
  const results: R[] = [];
  // Errors from our own handling (limits, the importer) pass through; anything else comes from the
  // multipart parser and is the client's malformed body — a TypeError, which callers answer with 400.
  // (The parser refuses e.g. a file name holding ";" or "=".)
  let ownError: unknown;
  const onPart = async (part: MultipartPart) => {
    try {
      return await handlePart(part);
    } catch (error) {
      ownError = error;
      throw error;
    }
  };
  try {
    await unstable_parseMultipartFormData(request, onPart);
  } catch (error) {
    if (error === ownError || error instanceof BodyTooLargeError) throw error;
    throw new TypeError(`The upload is not a readable multipart form: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { fields, results };

  async function handlePart(part: MultipartPart): Promise<undefined> {
    if (typeof part.filename !== "string") {
      fields.append(part.name, await readText(part.data, options.maxFieldBytes ?? 64 * 1024));
      return undefined;
    }
    if (part.filename === "") {
      for await (const _ of part.data) void _;
      return undefined;
    }
    // The consumer may stop early (a capped JSON document); closing its iterator must not close the
    // multipart stream, so it gets a view that does not pass `return()` on, and the rest is drained.
    const parts = part.data[Symbol.asyncIterator]();
    async function* view(): AsyncGenerator<Uint8Array> {
      for (;;) {
        const next = await parts.next();
        if (next.done) return;
        yield next.value;
      }
    }
    results.push(
      await onFile(
        { field: part.name, filename: part.filename, contentType: part.contentType, data: limitBytes(view(), options.maxFileBytes) },
        fields,
      ),
    );
    for (let next = await parts.next(); !next.done; next = await parts.next());
    return undefined;
  }
}
