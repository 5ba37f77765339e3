// Stories from the files trackers export: Jira's CSV (all or current fields), Linear's CSV, GitHub's
// `gh issue list --json number,title,body,labels,url,milestone,state`, and an Azure Boards query CSV.
// Each is recognised by its header (or JSON shape), mapped by column name in any order, and turned
// into tracker items: key, title, link, labels, description and whether the tracker has closed it.
// Pure: text in, items or line-numbered errors out. Where each header comes from is recorded in
// tests/fixtures/trackers/README.md.

import { isStoryKey, MAX_TITLE_LENGTH } from "~/domain/story-import";
import { CsvReader, guessDelimiter, type CsvRecord } from "~/domain/spend/csv-records";
import { githubKey } from "~/domain/trackers/tracker-api";

export const TRACKER_FORMATS = ["jira-csv", "linear-csv", "github-json", "azure-csv"] as const;
export type TrackerFormat = (typeof TRACKER_FORMATS)[number];

export const TRACKER_FORMAT_LABELS: Record<TrackerFormat, string> = {
  "jira-csv": "Jira CSV export",
  "linear-csv": "Linear CSV export",
  "github-json": "GitHub issues (gh issue list --json)",
  "azure-csv": "Azure Boards query CSV",
};

export const MAX_TRACKER_ITEMS = 2_000;
export const MAX_DESCRIPTION_LENGTH = 20_000;
const MAX_LABELS = 30;

export interface TrackerItem {
  /** Line (CSV) or array position + 1 (JSON) the item came from. */
  line: number;
  key: string | null;
  title: string;
  link: string | null;
  labels: string[];
  description: string;
  /** The tracker marks it done, closed, resolved or removed. */
  closed: boolean;
}

export interface TrackerFileError {
  line: number | null;
  message: string;
}

export type TrackerFileResult =
  | { ok: true; format: TrackerFormat; items: TrackerItem[] }
  | { ok: false; format: TrackerFormat | null; errors: TrackerFileError[] };

export interface TrackerFileOptions {
  keyPattern?: string | null;
  /** Jira's CSV has no link column: `https://example.atlassian.net` makes `…/browse/KEY` links. */
  jiraSite?: string | null;
}

// Statuses and categories that mean "the tracker is finished with it", across the four tools.
const CLOSED_WORDS = new Set([
  "done",
  "closed",
  "resolved",
  "completed",
  "complete",
  "canceled",
  "cancelled",
  "removed",
]);
const isClosedWord = (text: string) => CLOSED_WORDS.has(text.trim().toLowerCase());

// Control characters make no sense in a title or a label (a NUL cannot even be stored); line breaks
// and tabs stay in descriptions, as \n whatever the file used (a browser resends text with CRLF, and
// a re-import must compare equal).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const clean = (text: string) => text.replace(/\r\n?/g, "\n").replace(CONTROL, "").trim();
const oneLine = (text: string) => clean(text).replace(/\s+/g, " ");

function labelsFrom(values: string[]): string[] {
  const labels = values
    .flatMap((v) => v.split(/[,;]/))
    .map((l) => oneLine(l).toLowerCase().replace(/\s+/g, "-"))
    .filter((l) => l && l.length <= 60);
  return [...new Set(labels)].slice(0, MAX_LABELS);
}

function webLink(text: string | null | undefined): string | null {
  const value = clean(text ?? "");
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
}

/** A table of CSV records addressed by header name (case-insensitive); repeated headers give all their cells. */
class CsvTable {
  private readonly columns = new Map<string, number[]>();
  constructor(readonly header: string[]) {
    header.forEach((name, i) => {
      const key = name.trim().toLowerCase();
      this.columns.set(key, [...(this.columns.get(key) ?? []), i]);
    });
  }
  has(name: string): boolean {
    return this.columns.has(name.toLowerCase());
  }
  /** The first column of those names that the header has. */
  first(record: CsvRecord, ...names: string[]): string {
    for (const name of names) {
      const index = this.columns.get(name.toLowerCase())?.[0];
      if (index !== undefined) return record.fields[index] ?? "";
    }
    return "";
  }
  all(record: CsvRecord, name: string): string[] {
    return (this.columns.get(name.toLowerCase()) ?? []).map((i) => record.fields[i] ?? "").filter((v) => v.trim());
  }
}

type CsvMapper = (table: CsvTable, record: CsvRecord, options: TrackerFileOptions) => Omit<TrackerItem, "line">;

const CSV_FORMATS: { format: TrackerFormat; recognise: (t: CsvTable) => boolean; map: CsvMapper }[] = [
  {
    format: "jira-csv",
    // "Issue key" and "Summary" are in both of Jira's exports (all fields, current fields).
    recognise: (t) => t.has("issue key") && t.has("summary"),
    map: (t, r, o) => {
      const key = oneLine(t.first(r, "Issue key"));
      const site = webLink(o.jiraSite);
      return {
        key,
        title: oneLine(t.first(r, "Summary")),
        link:
          site && key
            ? new URL(`browse/${encodeURIComponent(key)}`, site.endsWith("/") ? site : `${site}/`).toString()
            : null,
        labels: labelsFrom(t.all(r, "Labels")),
        description: clean(t.first(r, "Description")),
        closed:
          isClosedWord(t.first(r, "Status Category")) ||
          isClosedWord(t.first(r, "Status")) ||
          !!oneLine(t.first(r, "Resolved")),
      };
    },
  },
  {
    format: "azure-csv",
    // Azure Boards names its columns by field display name: "ID", "Work Item Type", "Title", "State".
    recognise: (t) => t.has("work item type") && t.has("title") && t.has("id"),
    map: (t, r) => {
      const id = oneLine(t.first(r, "ID"));
      return {
        key: /^\d+$/.test(id) ? `AB-${id}` : null,
        title: oneLine(t.first(r, "Title")),
        link: webLink(t.first(r, "URL", "Url")) ?? null,
        labels: labelsFrom(t.all(r, "Tags")),
        description: clean(t.first(r, "Description")),
        closed: isClosedWord(t.first(r, "State")) || isClosedWord(t.first(r, "State Category")),
      };
    },
  },
  {
    format: "linear-csv",
    // Linear's export: "ID" (ENG-123), "Team", "Title", "Status", "Cycle Name", "Completed", "Canceled", …
    recognise: (t) => t.has("id") && t.has("title") && t.has("team") && t.has("status"),
    map: (t, r) => ({
      key: oneLine(t.first(r, "ID")) || null,
      title: oneLine(t.first(r, "Title")),
      link: webLink(t.first(r, "URL", "Url", "Link")),
      labels: labelsFrom(t.all(r, "Labels")),
      description: clean(t.first(r, "Description")),
      closed:
        isClosedWord(t.first(r, "Status")) || !!oneLine(t.first(r, "Completed")) || !!oneLine(t.first(r, "Canceled")),
    }),
  },
];

/** Which tracker a file comes from, by its header or JSON shape; null when none fits. */
export function detectTrackerFormat(text: string): TrackerFormat | null {
  const body = text.replace(/^\uFEFF/, "").trimStart();
  if (body.startsWith("[")) return "github-json";
  const header = readCsv(body).records[0];
  if (!header || header.error) return null;
  const table = new CsvTable(header.fields);
  return CSV_FORMATS.find((f) => f.recognise(table))?.format ?? null;
}

function readCsv(body: string): { records: CsvRecord[] } {
  const firstLine = body.split(/\r\n|\r|\n/, 1)[0] ?? "";
  const reader = new CsvReader(guessDelimiter(firstLine), MAX_DESCRIPTION_LENGTH * 5);
  return { records: [...reader.push(body), ...reader.end()] };
}

export function parseTrackerFile(text: string, options: TrackerFileOptions = {}): TrackerFileResult {
  const body = text.replace(/^\uFEFF/, "");
  const format = detectTrackerFormat(body);
  if (!format) {
    return {
      ok: false,
      format: null,
      errors: [
        {
          line: null,
          message:
            "This is not a tracker export we know: a Jira CSV (with Issue key and Summary), a Linear CSV, " +
            "an Azure Boards query CSV, or `gh issue list --json number,title,body,labels,url,milestone,state`.",
        },
      ],
    };
  }
  const read = format === "github-json" ? readGithubJson(body) : readTrackerCsv(body, format, options);
  if ("errors" in read) return { ok: false, format, errors: read.errors };
  return checkTrackerItems(format, read.items, options);
}

function readTrackerCsv(
  body: string,
  format: TrackerFormat,
  options: TrackerFileOptions,
): { items: TrackerItem[] } | { errors: TrackerFileError[] } {
  const [header, ...records] = readCsv(body).records;
  const mapper = CSV_FORMATS.find((f) => f.format === format)!;
  const table = new CsvTable(header!.fields);
  const items: TrackerItem[] = [];
  const errors: TrackerFileError[] = [];
  for (const record of records) {
    if (record.error) errors.push({ line: record.line, message: record.error });
    else if (record.fields.some((f) => f.trim()))
      items.push({ line: record.line, ...mapper.map(table, record, options) });
  }
  return errors.length ? { errors } : { items };
}

interface GithubIssue {
  number?: unknown;
  title?: unknown;
  body?: unknown;
  labels?: unknown;
  url?: unknown;
  state?: unknown;
}

function readGithubJson(body: string): { items: TrackerItem[] } | { errors: TrackerFileError[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { errors: [{ line: null, message: "The file is not valid JSON." }] };
  }
  if (!Array.isArray(parsed)) return { errors: [{ line: null, message: "Expected a JSON array of issues." }] };
  const items: TrackerItem[] = [];
  const errors: TrackerFileError[] = [];
  parsed.forEach((raw: GithubIssue, i) => {
    const line = i + 1;
    if (typeof raw !== "object" || raw === null || typeof raw.title !== "string") {
      errors.push({
        line,
        message: `issue ${line} has no title (run gh with --json number,title,body,labels,url,state)`,
      });
      return;
    }
    const link = typeof raw.url === "string" ? webLink(raw.url) : null;
    const labels = Array.isArray(raw.labels)
      ? raw.labels
          .map((l: unknown) => (typeof l === "string" ? l : ((l as { name?: unknown })?.name ?? "")))
          .map(String)
      : [];
    items.push({
      line,
      key: githubKeyOf(link, raw.number),
      title: oneLine(raw.title),
      link,
      labels: labelsFrom(labels),
      description: typeof raw.body === "string" ? clean(raw.body) : "",
      closed: typeof raw.state === "string" && isClosedWord(raw.state),
    });
  });
  return errors.length ? { errors } : { items };
}

/** `https://github.com/acme/pay-api/issues/12` → `PAYAPI-12`, as the API pull names it. */
function githubKeyOf(link: string | null, number: unknown): string | null {
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 1) return null;
  const repo = link ? /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/(?:issues|pull)\//.exec(link)?.[1] : undefined;
  return githubKey(repo ?? "", number);
}

/** The checks every source's items pass, from a file or a tracker's API: titles, keys, one of each. */
export function checkTrackerItems(
  format: TrackerFormat,
  items: TrackerItem[],
  options: TrackerFileOptions,
): TrackerFileResult {
  const errors: TrackerFileError[] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    if (!item.title) errors.push({ line: item.line, message: `${item.key ?? "this item"} has no title` });
    if (item.title.length > MAX_TITLE_LENGTH) item.title = `${item.title.slice(0, MAX_TITLE_LENGTH - 1)}…`;
    if (item.description.length > MAX_DESCRIPTION_LENGTH)
      item.description = item.description.slice(0, MAX_DESCRIPTION_LENGTH);
    // A key the team's pattern does not accept still comes in, matched by its link only.
    if (item.key !== null && !isStoryKey(item.key, options.keyPattern)) item.key = null;
    if (!item.key && !item.link) {
      errors.push({
        line: item.line,
        message: "has neither a key the team's pattern accepts nor a link, so it could not be matched again",
      });
    }
    const identity = item.key ?? item.link!;
    const earlier = seen.get(identity);
    if (earlier !== undefined) errors.push({ line: item.line, message: `${identity} is already on line ${earlier}` });
    else seen.set(identity, item.line);
  }
  if (items.length > MAX_TRACKER_ITEMS) {
    errors.push({ line: null, message: `At most ${MAX_TRACKER_ITEMS} items at a time (this has ${items.length})` });
  }
  if (!errors.length && !items.length) errors.push({ line: null, message: "There are no items in it" });
  return errors.length ? { ok: false, format, errors: errors.slice(0, 50) } : { ok: true, format, items };
}
