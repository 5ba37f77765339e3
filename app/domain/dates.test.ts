import { describe, expect, it } from "vitest";
import { formatDay, formatDayRange, formatInstant, formatMonth } from "~/domain/dates";

describe("formatDay", () => {
  it("shows a calendar day as day, short month, year", () => {
    expect(formatDay("2026-11-23")).toBe("23 Nov 2026");
    expect(formatDay("2027-01-05")).toBe("5 Jan 2027");
  });
  it("shows an instant as its day in the given zone (UTC by default)", () => {
    expect(formatDay("2026-11-23T23:30:00Z")).toBe("23 Nov 2026");
    expect(formatDay(new Date("2026-11-23T23:30:00Z"), "Europe/Berlin")).toBe("24 Nov 2026");
    expect(formatDay("2026-11-23T02:00:00Z", "America/Los_Angeles")).toBe("22 Nov 2026");
  });
  it("keeps what is not a date readable instead of failing", () => {
    expect(formatDay(null)).toBe("—");
    expect(formatDay("")).toBe("—");
    expect(formatDay("soon")).toBe("soon");
  });
  it("never prints the US or ISO order, whatever the process locale", () => {
    const text = formatDay("2026-11-23");
    expect(text).not.toMatch(/11\/23|2026-11/);
  });
});

describe("formatDayRange", () => {
  it("names the month and year once when they are shared", () => {
    expect(formatDayRange("2026-11-10", "2026-11-23")).toBe("10 – 23 Nov 2026");
    expect(formatDayRange("2026-11-24", "2026-12-07")).toBe("24 Nov – 7 Dec 2026");
    expect(formatDayRange("2026-12-28", "2027-01-08")).toBe("28 Dec 2026 – 8 Jan 2027");
    expect(formatDayRange("2026-11-23", "2026-11-23")).toBe("23 Nov 2026");
  });
});

describe("formatInstant", () => {
  it("shows the day and the minute with the zone it is in", () => {
    expect(formatInstant("2026-11-23T14:05:59Z")).toBe("23 Nov 2026, 14:05 UTC");
    expect(formatInstant(new Date("2026-11-23T23:30:00Z"), "Europe/Berlin")).toBe("24 Nov 2026, 00:30 Europe/Berlin");
    expect(formatInstant(undefined)).toBe("—");
  });
});

describe("formatMonth", () => {
  it("names a calendar month", () => {
    expect(formatMonth("2026-11")).toBe("Nov 2026");
    expect(formatMonth("later")).toBe("later");
  });
});
