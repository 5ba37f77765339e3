// Turning what people paste or upload into stories: one title per line (a leading external key is
// recognised), or a CSV of key,title,link,labels mapped by its header. Pure: text in, stories or
// line-numbered errors out. A batch with any error yields no stories at all, so the caller can
// insert all or nothing.

import { MAX_KEY_INPUT, safeKeyMatcher, safeKeyPattern } from "~/domain/key-pattern";
import { hasBlockControl } from "~/domain/form-fields";
import { CsvReader, guessDelimiter } from "~/domain/spend/csv-records";
export const MAX_TITLE_LENGTH = 300;
export const MAX_IMPORT_STORIES = 500;

export interface ParsedStory {
  /** Line of the input the story came from (1-based). */
  line: number;
  key: string | null;
  title: string;
  link: string | null;
  labels: string[];
}

export interface ImportError {
  /** null for problems of the whole input (no header, too many rows). */
  line: number | null;
  message: string;
}

/** On failure `stories` still holds every line that could be read, so a caller can add its own checks. */
export type ImportResult =
  { ok: true; stories: ParsedStory[] } | { ok: false; errors: ImportError[]; stories: ParsedStory[] };

/** Whether `key` is a whole key by the team's pattern (the default one if the stored one is not acceptable). */
export function isStoryKey(key: string, pattern: string | null | undefined): boolean {
  return key.length <= MAX_KEY_INPUT && safeKeyMatcher(pattern).matchesWhole(key);
}

/**
 * Splits "PAY-412 Fix login", "PAY-412: Fix login", "[PAY-412] Fix login" or "PAY-412 – Fix login"
 * into key and title. A line that does not start with a key is all title.
 */
export function splitLeadingKey(
  line: string,
  pattern: string | null | undefined,
): { key: string | null; title: string } {
  const text = line.trim();
  // Candidate key: the first word, without brackets and a trailing colon. Checking the candidate
  // against the whole-key pattern (rather than splicing the team's pattern into a bigger regex) keeps
  // a pattern with its own groups or alternations from changing how the rest of the line is read.
  const match = /^\[?([^\s\]:]+)\]?:?(?:\s+[-–—:|]?\s*|$)/.exec(text);
  if (match && match[1]!.length <= MAX_KEY_INPUT && isStoryKey(match[1]!, pattern)) {
    return { key: match[1]!, title: text.slice(match[0].length).trim() };
  }
  return { key: null, title: text };
}

/** Labels from free text: split on commas, semicolons, pipes and spaces; lower case; no repeats. */
export function parseLabels(text: string): string[] {
  const labels = text
    .split(/[\s,;|]+/)
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  return [...new Set(labels)];
}

/** An http(s) link, or an error message. Empty text is no link. */
export function parseLink(text: string): { ok: true; link: string | null } | { ok: false; message: string } {
  const value = text.trim();
  if (!value) return { ok: true, link: null };
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return { ok: true, link: url.toString() };
  } catch {
    // falls through to the message
  }
  return { ok: false, message: `"${value}" is not a web link (http:// or https://)` };
}

/** Checks shared by both formats; returns the errors of one story. */
function checkStory(story: ParsedStory, pattern: string | null | undefined): string[] {
  const errors: string[] = [];
  if (!story.title) errors.push(story.key ? `${story.key} has no title` : "the title is empty");
  else if (story.title.length > MAX_TITLE_LENGTH)
    errors.push(`the title is longer than ${MAX_TITLE_LENGTH} characters`);
  if ([story.title, story.key ?? "", story.link ?? "", ...story.labels].some(hasBlockControl)) {
    errors.push("it holds a control character (such as a NUL byte)");
  }
  if (story.key !== null && !isStoryKey(story.key, pattern)) {
    errors.push(`"${story.key}" does not look like a story key (pattern ${safeKeyPattern(pattern)})`);
  }
  return errors;
}

function finish(stories: ParsedStory[], errors: ImportError[]): ImportResult {
  const firstLine = new Map<string, number>();
  for (const s of stories) {
    if (s.key === null) continue;
    const earlier = firstLine.get(s.key);
    if (earlier !== undefined) errors.push({ line: s.line, message: `${s.key} is already on line ${earlier}` });
    else firstLine.set(s.key, s.line);
  }
  if (stories.length > MAX_IMPORT_STORIES) {
    errors.push({
      line: null,
      message: `At most ${MAX_IMPORT_STORIES} stories at a time (this has ${stories.length})`,
    });
  }
  if (errors.length === 0 && stories.length === 0) errors.push({ line: null, message: "There are no stories in it" });
  if (errors.length) {
    errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return { ok: false, errors, stories };
  }
  return { ok: true, stories };
}

/**
 * One story per non-blank line. List markers ("- ", "* ", "1. ") are dropped, so a list pasted from
 * a document or chat works as is; a leading key is recognised by the team's pattern.
 */
export function parsePastedTitles(text: string, options: { keyPattern?: string | null } = {}): ImportResult {
  const stories: ParsedStory[] = [];
  const errors: ImportError[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, "").trim();
    if (!content) return;
    const { key, title } = splitLeadingKey(content, options.keyPattern);
    const story: ParsedStory = { line, key, title, link: null, labels: [] };
    for (const message of checkStory(story, options.keyPattern)) errors.push({ line, message });
    stories.push(story);
  });
  return finish(stories, errors);
}

export const CSV_COLUMNS = ["key", "title", "link", "labels"] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

/**
 * A CSV with a header row naming its columns (any order, any case): `title` is required; `key`,
 * `link` and `labels` are optional, other columns are ignored. Labels may be separated by spaces,
 * semicolons or pipes (or commas inside a quoted field).
 */
export function parseStoryCsv(text: string, options: { keyPattern?: string | null } = {}): ImportResult {
  const body = text.replace(/^\uFEFF/, "");
  const firstLine = body.split(/\r\n|\r|\n/, 1)[0] ?? "";
  const reader = new CsvReader(guessDelimiter(firstLine), 100_000);
  const records = [...reader.push(body), ...reader.end()];
  const header = records.shift();
  if (!header) return { ok: false, errors: [{ line: null, message: "The file is empty" }], stories: [] };
  if (header.error)
    return {
      ok: false,
      errors: [{ line: header.line, message: `the header row is malformed: ${header.error}` }],
      stories: [],
    };

  const columns = new Map<CsvColumn, number>();
  const errors: ImportError[] = [];
  header.fields.forEach((name, index) => {
    const column = name.trim().toLowerCase() as CsvColumn;
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) return;
    if (columns.has(column))
      errors.push({ line: header.line, message: `the header names the column "${column}" twice` });
    else columns.set(column, index);
  });
  if (!columns.has("title")) {
    errors.push({
      line: header.line,
      message: `the header needs a "title" column (found: ${header.fields.map((f) => f.trim()).join(", ") || "nothing"})`,
    });
  }
  if (errors.length) return { ok: false, errors, stories: [] };

  const stories: ParsedStory[] = [];
  for (const record of records) {
    const line = record.line;
    if (record.error) {
      errors.push({ line, message: record.error });
      continue;
    }
    if (record.fields.length > header.fields.length) {
      errors.push({ line, message: `has ${record.fields.length} fields but the header has ${header.fields.length}` });
      continue;
    }
    // Short rows are fine: spreadsheets drop trailing empty cells.
    const cell = (column: CsvColumn) => {
      const index = columns.get(column);
      return index === undefined ? "" : (record.fields[index] ?? "").trim();
    };
    const link = parseLink(cell("link"));
    const story: ParsedStory = {
      line,
      key: cell("key") || null,
      title: cell("title"),
      link: link.ok ? link.link : null,
      labels: parseLabels(cell("labels")),
    };
    if (!link.ok) errors.push({ line, message: link.message });
    for (const message of checkStory(story, options.keyPattern)) errors.push({ line, message });
    stories.push(story);
  }
  return finish(stories, errors);
}

/** "line 4: the title is empty" — one line of an error list. */
export function formatImportError(error: ImportError): string {
  return error.line === null ? error.message : `Line ${error.line}: ${error.message}`;
}
