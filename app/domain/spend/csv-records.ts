// A streaming RFC 4180 reader. We tried csv-parse 6.2 first; its `info.lines` counts a CRLF inside a
// quoted field as two lines (every later line number drifts), and with `skip_records_with_error` a
// record over `max_record_size` also swallows the records after it. Spend imports must name the
// exact line of a bad row and keep going, so this small state machine does the job instead:
// exact start lines, per-record errors, bounded memory, and it never throws on malformed input.

export interface CsvRecord {
  /** Line the record starts on (1-based; quoted line breaks are counted, CRLF once). */
  line: number;
  fields: string[];
  /** Why the record is malformed, or null. */
  error: string | null;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

export class CsvReader {
  private readonly delimiter: number;
  private state = State.FieldStart;
  private fields: string[] = [];
  private field = "";
  private line = 1;
  private recordLine = 1;
  private recordChars = 0;
  private hasContent = false;
  private quoted = false;
  private quoteLine = 0;
  private lastWasCR = false;
  private error: string | null = null;
  private overflow = false;

  constructor(
    delimiter = ",",
    private readonly maxRecordChars = 1_000_000,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds a chunk of text; yields every record it completes. */
  *push(text: string): Generator<CsvRecord> {
    const delimiter = this.delimiter;
    let runStart = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.lastWasCR && c === LF) {
        // The CR already ended the line (and the record, outside quotes).
        this.lastWasCR = false;
        if (this.state === State.Quoted) {
          if (runStart === -1) runStart = i;
        }
        continue;
      }
      this.lastWasCR = c === CR;
      const isNewline = c === CR || c === LF;

      if (this.state === State.Quoted) {
        if (c === QUOTE) {
          if (runStart !== -1) this.append(text.slice(runStart, i));
          runStart = -1;
          this.state = State.QuoteInQuoted;
        } else {
          if (isNewline) this.line++;
          if (runStart === -1) runStart = i;
        }
        this.count();
        continue;
      }

      if (this.state === State.QuoteInQuoted) {
        if (c === QUOTE) {
          this.append('"');
          this.state = State.Quoted;
          this.count();
          continue;
        }
        this.state = State.Unquoted;
        if (c !== delimiter && !isNewline) {
          this.error ??= "unexpected text after a closing quote";
        }
      }

      if (c === delimiter) {
        if (runStart !== -1) this.append(text.slice(runStart, i));
        runStart = -1;
        this.endField();
        this.hasContent = true;
        this.count();
        continue;
      }
      if (isNewline) {
        if (runStart !== -1) this.append(text.slice(runStart, i));
        runStart = -1;
        this.line++;
        const record = this.endRecord();
        if (record) yield record;
        continue;
      }
      this.hasContent = true;
      this.count();
      if (this.state === State.FieldStart) {
        if (c === QUOTE) {
          this.state = State.Quoted;
          this.quoted = true;
          this.quoteLine = this.line;
          continue;
        }
        this.state = State.Unquoted;
      }
      if (runStart === -1) runStart = i;
    }
    if (runStart !== -1) this.append(text.slice(runStart));
  }

  /** Ends the input; yields the last record if it has no line break after it. */
  *end(): Generator<CsvRecord> {
    if (this.state === State.Quoted) {
      this.error ??= `a quoted field opened on line ${this.quoteLine} is never closed`;
      this.hasContent = true;
    }
    const record = this.endRecord();
    if (record) yield record;
  }

  private count(): void {
    this.recordChars++;
    if (this.recordChars > this.maxRecordChars && !this.overflow) {
      this.overflow = true;
      this.error ??= `row is longer than ${this.maxRecordChars} characters`;
      this.fields = [];
      this.field = "";
    }
  }

  private append(text: string): void {
    if (!this.overflow) this.field += text;
  }

  private endField(): void {
    if (!this.overflow) this.fields.push(this.field);
    this.field = "";
    this.state = State.FieldStart;
  }

  private endRecord(): CsvRecord | null {
    this.endField();
    const fields = this.fields;
    const blank = !this.quoted && fields.length === 1 && (fields[0] ?? "").trim() === "";
    const record: CsvRecord | null =
      this.hasContent && !(blank && this.error === null) ? { line: this.recordLine, fields, error: this.error } : null;
    this.fields = [];
    this.field = "";
    this.recordLine = this.line;
    this.recordChars = 0;
    this.hasContent = false;
    this.quoted = false;
    this.error = null;
    this.overflow = false;
    return record;
  }
}

/** Records of a text stream. */
export async function* readCsv(
  text: AsyncIterable<string>,
  options: { delimiter?: string; maxRecordChars?: number } = {},
): AsyncGenerator<CsvRecord> {
  const reader = new CsvReader(options.delimiter, options.maxRecordChars);
  for await (const chunk of text) yield* reader.push(chunk);
  yield* reader.end();
}

/** Splits one line (e.g. a header) into fields; good enough for detection. */
export function splitCsvLine(line: string, delimiter = ","): string[] {
  const reader = new CsvReader(delimiter);
  const records = [...reader.push(line), ...reader.end()];
  return records[0]?.fields ?? [];
}

/** The delimiter a header line most likely uses: ",", ";" or tab (outside quotes). */
export function guessDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([
    [",", 0],
    [";", 0],
    ["\t", 0],
  ]);
  let inQuotes = false;
  for (const ch of headerLine) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ",";
  let bestCount = 0;
  for (const [delimiter, count] of counts) {
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}
