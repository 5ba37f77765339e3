import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatImportError,
  isStoryKey,
  MAX_IMPORT_STORIES,
  parseLabels,
  parseLink,
  parsePastedTitles,
  parseStoryCsv,
  splitLeadingKey,
} from "~/domain/story-import";

const stories = (result: ReturnType<typeof parsePastedTitles>) => {
  if (!result.ok) throw new Error(result.errors.map(formatImportError).join("\n"));
  return result.stories;
};
const errors = (result: ReturnType<typeof parsePastedTitles>) =>
  result.ok ? [] : result.errors.map(formatImportError);

describe("splitLeadingKey", () => {
  it("recognises a leading key in the usual spellings", () => {
    for (const line of [
      "PAY-412 Fix login",
      "PAY-412: Fix login",
      "[PAY-412] Fix login",
      "PAY-412 - Fix login",
      "PAY-412 – Fix login",
      "  PAY-412   Fix login ",
    ]) {
      expect(splitLeadingKey(line, null), line).toEqual({ key: "PAY-412", title: "Fix login" });
    }
  });

  it("leaves lines without a leading key alone", () => {
    expect(splitLeadingKey("Fix PAY-412 login", null)).toEqual({ key: null, title: "Fix PAY-412 login" });
    expect(splitLeadingKey("pay-412 lower case is not a key", null)).toEqual({
      key: null,
      title: "pay-412 lower case is not a key",
    });
    expect(splitLeadingKey("PAY-412:no space", null)).toEqual({ key: null, title: "PAY-412:no space" });
  });

  it("uses the team's own pattern, groups and alternations included", () => {
    expect(splitLeadingKey("#123 Retry webhooks", "#\\d+")).toEqual({ key: "#123", title: "Retry webhooks" });
    expect(splitLeadingKey("PAY-12 Retry", "#\\d+")).toEqual({ key: null, title: "PAY-12 Retry" });
    expect(splitLeadingKey("OPS-7 Rotate keys", "(PAY|OPS)-\\d+")).toEqual({ key: "OPS-7", title: "Rotate keys" });
  });

  it("never loses text: key and title together are the trimmed line", () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        const { key, title } = splitLeadingKey(line, null);
        if (key === null) expect(title).toBe(line.trim());
        else expect(line).toContain(key);
        expect(line).toContain(title);
      }),
    );
  });
});

describe("isStoryKey, parseLabels, parseLink", () => {
  it("matches whole keys only", () => {
    expect(isStoryKey("PAY-412", null)).toBe(true);
    expect(isStoryKey("PAY-412x", null)).toBe(false);
    expect(isStoryKey("xPAY-412", null)).toBe(false);
    expect(isStoryKey("P-1", null)).toBe(false);
  });

  it("splits labels on commas, semicolons, pipes and spaces, lower-cased without repeats", () => {
    expect(parseLabels("API, ui;checkout | api  infra")).toEqual(["api", "ui", "checkout", "infra"]);
    expect(parseLabels("  ")).toEqual([]);
  });

  it("accepts web links only", () => {
    expect(parseLink("https://tracker.example/PAY-1")).toEqual({ ok: true, link: "https://tracker.example/PAY-1" });
    expect(parseLink("")).toEqual({ ok: true, link: null });
    expect(parseLink("javascript:alert(1)").ok).toBe(false);
    expect(parseLink("tracker/PAY-1").ok).toBe(false);
  });
});

describe("parsePastedTitles", () => {
  it("makes one story per non-blank line, with keys and list markers handled", () => {
    const result = parsePastedTitles(
      "PAY-401 Retry failed webhooks\n\n- Add audit log\r\n* [PAY-403] Rotate API keys\n2. Docs for refunds\n",
    );
    expect(stories(result)).toEqual([
      { line: 1, key: "PAY-401", title: "Retry failed webhooks", link: null, labels: [] },
      { line: 3, key: null, title: "Add audit log", link: null, labels: [] },
      { line: 4, key: "PAY-403", title: "Rotate API keys", link: null, labels: [] },
      { line: 5, key: null, title: "Docs for refunds", link: null, labels: [] },
    ]);
  });

  it("names the line of every problem and returns no stories then", () => {
    const result = parsePastedTitles(`PAY-1 One\nPAY-2\n${"x".repeat(301)}\nPAY-1 Again`);
    expect(result.ok).toBe(false);
    expect(errors(result)).toEqual([
      "Line 2: PAY-2 has no title",
      "Line 3: the title is longer than 300 characters",
      "Line 4: PAY-1 is already on line 1",
    ]);
  });

  it("refuses empty input and too many lines", () => {
    expect(errors(parsePastedTitles("\n  \n"))).toEqual(["There are no stories in it"]);
    const many = Array.from({ length: MAX_IMPORT_STORIES + 1 }, (_, i) => `Story ${i}`).join("\n");
    expect(errors(parsePastedTitles(many))).toEqual([
      `At most ${MAX_IMPORT_STORIES} stories at a time (this has ${MAX_IMPORT_STORIES + 1})`,
    ]);
  });
});

describe("parseStoryCsv", () => {
  it("maps columns by header, in any order and case, ignoring unknown columns", () => {
    const csv =
      'Title,Key,Owner,Labels,Link\r\n"Retry webhooks, with backoff",PAY-401,sam,"api,infra",https://t.example/PAY-401\r\nAdd audit log,,kim,ui billing,\r\n';
    expect(stories(parseStoryCsv(csv))).toEqual([
      {
        line: 2,
        key: "PAY-401",
        title: "Retry webhooks, with backoff",
        link: "https://t.example/PAY-401",
        labels: ["api", "infra"],
      },
      { line: 3, key: null, title: "Add audit log", link: null, labels: ["ui", "billing"] },
    ]);
  });

  it("reads semicolon files, a byte-order mark and short rows", () => {
    const csv = "\uFEFFkey;title;labels\nPAY-9;Split invoices\n";
    expect(stories(parseStoryCsv(csv))).toEqual([
      { line: 2, key: "PAY-9", title: "Split invoices", link: null, labels: [] },
    ]);
  });

  it("counts quoted line breaks when naming lines", () => {
    const csv = 'key,title,labels\nPAY-1,"Two\nline title",api\nPAY-2,,ui\n';
    expect(errors(parseStoryCsv(csv))).toEqual(["Line 4: PAY-2 has no title"]);
  });

  it("names every bad line and imports nothing", () => {
    const csv = [
      "key,title,link,labels",
      "PAY-1,Fine,https://t.example/1,api",
      "pay-2,Lower-case key,,",
      "PAY-3,Bad link,ftp://t.example/3,",
      "PAY-1,Duplicate,,",
      'PAY-5,"never closed,,',
      "PAY-6,Too,many,fields,here",
    ].join("\n");
    const result = parseStoryCsv(csv);
    expect(result.ok).toBe(false);
    expect(errors(result)).toEqual([
      'Line 3: "pay-2" does not look like a story key (pattern [A-Z][A-Z0-9]+-\\d+)',
      'Line 4: "ftp://t.example/3" is not a web link (http:// or https://)',
      "Line 5: PAY-1 is already on line 2",
      "Line 6: a quoted field opened on line 6 is never closed",
    ]);
  });

  it("reports too many fields on the row that has them", () => {
    expect(errors(parseStoryCsv("key,title\nPAY-6,Too,many\n"))).toEqual(["Line 2: has 3 fields but the header has 2"]);
  });

  it("needs a title column and some rows", () => {
    expect(errors(parseStoryCsv("key,name\nPAY-1,x\n"))).toEqual([
      'Line 1: the header needs a "title" column (found: key, name)',
    ]);
    expect(errors(parseStoryCsv(""))).toEqual(["The file is empty"]);
    expect(errors(parseStoryCsv("key,title\n"))).toEqual(["There are no stories in it"]);
    expect(errors(parseStoryCsv("title,Title\nx,y\n"))).toEqual(['Line 1: the header names the column "title" twice']);
  });
});
