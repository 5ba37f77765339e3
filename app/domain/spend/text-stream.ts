// Chunks in, text out: decoding bytes without holding the file, and splitting text into lines with a
// cap so a file without line breaks cannot grow one line without bound.

export type SpendInput = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> | string | Uint8Array;

/** Thrown for failures of the input itself (a read error), so `parseSpend` can pass them on unchanged. */
export class InputError extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
    this.name = "InputError";
  }
}

async function* chunksOf(input: SpendInput): AsyncGenerator<string | Uint8Array> {
  if (typeof input === "string" || input instanceof Uint8Array) {
    yield input;
    return;
  }
  const iterator =
    Symbol.asyncIterator in input
      ? input[Symbol.asyncIterator]()
      : (input as Iterable<string | Uint8Array>)[Symbol.iterator]();
  try {
    while (true) {
      let next: IteratorResult<string | Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw new InputError(error);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    try {
      await iterator.return?.();
    } catch {
      // Closing a source that already failed is best effort.
    }
  }
}

/**
 * Decodes chunks to text: UTF-8 by default, UTF-16 when the file starts with its byte-order mark
 * (Excel's "Unicode text"); a leading byte-order mark is dropped. Invalid bytes become U+FFFD
 * instead of throwing, so random bytes still decode (and then fail detection cleanly).
 */
export async function* decodeText(input: SpendInput): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null;
  let started = false;
  for await (const chunk of chunksOf(input)) {
    if (typeof chunk === "string") {
      if (decoder) {
        const rest = decoder.decode();
        decoder = null;
        if (rest) yield rest;
      }
      let text = chunk;
      if (!started && text.length > 0) {
        started = true;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (text) yield text;
      continue;
    }
    if (chunk.length === 0) continue;
    if (!decoder) {
      let encoding = "utf-8";
      if (!started && chunk.length >= 2) {
        if (chunk[0] === 0xff && chunk[1] === 0xfe) encoding = "utf-16le";
        else if (chunk[0] === 0xfe && chunk[1] === 0xff) encoding = "utf-16be";
      }
      // ignoreBOM: false (the default) strips the byte-order mark at the start of the stream.
      decoder = new TextDecoder(encoding, { fatal: false });
    }
    let text = decoder.decode(chunk, { stream: true });
    if (!started && text.length > 0) {
      started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text) yield text;
  }
  if (decoder) {
    const rest = decoder.decode();
    if (rest) yield rest;
  }
}

export interface TextLine {
  /** 1-based line number. */
  line: number;
  /** The line without its line break; empty when `tooLong`. */
  text: string;
  /** The line exceeded the cap; its content was dropped. */
  tooLong: boolean;
}

/**
 * Splits text into lines on "\n" (a trailing "\r" is dropped). Lines longer than `maxLineChars` are
 * reported as `tooLong` without keeping their content. A last line without a line break is kept.
 */
export async function* splitLines(text: AsyncIterable<string>, maxLineChars: number): AsyncGenerator<TextLine> {
  let pieces: string[] = [];
  let pendingLength = 0;
  let tooLong = false;
  let line = 1;

  const finish = (last: string): TextLine => {
    let content = "";
    if (!tooLong) {
      pieces.push(last);
      content = pieces.join("");
      if (content.endsWith("\r")) content = content.slice(0, -1);
    }
    const result: TextLine = { line, text: content, tooLong };
    pieces = [];
    pendingLength = 0;
    tooLong = false;
    line++;
    return result;
  };

  for await (const chunk of text) {
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf("\n", start);
      if (newline === -1) {
        const rest = chunk.slice(start);
        if (!tooLong && rest) {
          pendingLength += rest.length;
          if (pendingLength > maxLineChars) {
            tooLong = true;
            pieces = [];
          } else {
            pieces.push(rest);
          }
        }
        break;
      }
      const piece = chunk.slice(start, newline);
      if (!tooLong && pendingLength + piece.length > maxLineChars) {
        tooLong = true;
        pieces = [];
      }
      yield finish(tooLong ? "" : piece);
      start = newline + 1;
    }
  }
  if (pendingLength > 0 || tooLong) yield finish("");
}
