import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvReader, guessDelimiter, splitCsvLine, type CsvRecord } from "~/domain/spend/csv-records";

function read(chunks: string[], delimiter = ",", maxRecordChars?: number): CsvRecord[] {
  const reader = new CsvReader(delimiter, maxRecordChars);
  const records: CsvRecord[] = [];
  for (const chunk of chunks) records.push(...reader.push(chunk));
  records.push(...reader.end());
  return records;
}

describe("CsvReader", () => {
  it("reads quoted fields, escaped quotes and line breaks inside quotes", () => {
    const records = read(['a,b,c\r\n1,"x, ""y""",3\r\n"multi\r\nline",2,"",\r\n']);
    expect(records).toEqual([
      { line: 1, fields: ["a", "b", "c"], error: null },
      { line: 2, fields: ["1", 'x, "y"', "3"], error: null },
      { line: 3, fields: ["multi\r\nline", "2", "", ""], error: null },
    ]);
  });

  it("counts CRLF, LF and lone CR once each and skips blank lines", () => {
    const records = read(['h\r\n\r\n"a\r\nb"\r\nc\n\n"d\ne"\rf\r\n   \r\nlast']);
    expect(records.map((r) => [r.line, r.fields[0]])).toEqual([
      [1, "h"],
      [3, "a\r\nb"],
      [5, "c"],
      [7, "d\ne"],
      [9, "f"],
      [11, "last"],
    ]);
  });

  it("gives the same records however the text is split into chunks", () => {
    const text = 'date,"note, with comma",n\r\n2026-11-24,"a ""quoted""\r\nword",1\r\n2026-11-25,plain,2\r\n';
    const whole = read([text]);
    for (let i = 0; i <= text.length; i++) {
      expect(read([text.slice(0, i), text.slice(i)])).toEqual(whole);
    }
    expect(read([...text])).toEqual(whole);
  });

  it("reports a never-closed quote on the line it opens", () => {
    const records = read(['a,b\n1,2\n3,"oops\n4,5\n']);
    expect(records[2]).toMatchObject({ line: 3, error: expect.stringContaining("line 3") });
  });

  it("reports text after a closing quote and carries on", () => {
    const records = read(['a,b\n1,"2"x\n3,4\n']);
    expect(records[1]).toMatchObject({ line: 2, error: "unexpected text after a closing quote" });
    expect(records[2]).toEqual({ line: 3, fields: ["3", "4"], error: null });
  });

  it("drops the content of an over-long row but keeps the rows after it", () => {
    const records = read([`a,b\n${"x".repeat(500)},1\n3,4\n`], ",", 100);
    expect(records[1]).toMatchObject({ line: 2, fields: [], error: expect.stringContaining("longer than 100") });
    expect(records[2]).toEqual({ line: 3, fields: ["3", "4"], error: null });
  });

  it("keeps a last row without a line break", () => {
    expect(read(["a\n1"]).map((r) => r.fields)).toEqual([["a"], ["1"]]);
  });

  it("never throws and accounts for every line break outside quotes", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", ",", '"', "\n", "\r", " ", "é") }), (text) => {
        const records = read([text]);
        for (const [i, record] of records.entries()) {
          expect(record.line).toBeGreaterThanOrEqual(1);
          if (i > 0) expect(record.line).toBeGreaterThan(records[i - 1]!.line);
        }
      }),
    );
  });
});

describe("header helpers", () => {
  it("guesses the delimiter from the header line", () => {
    expect(guessDelimiter("date,model,cost")).toBe(",");
    expect(guessDelimiter("date;model;cost")).toBe(";");
    expect(guessDelimiter("date\tmodel\tcost")).toBe("\t");
    expect(guessDelimiter('"a;b",c')).toBe(",");
    expect(splitCsvLine('"a;b";c', ";")).toEqual(["a;b", "c"]);
  });
});
