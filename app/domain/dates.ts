// The one way dates are shown to people: "23 Nov 2026" for a day, "23 Nov 2026, 14:05 UTC" for a
// moment. A pure formatter, so it lives in domain/ beside formatCredits: the domain writes
// explanation lines with dates in them too, and domain/ imports nothing outside it. Day month-name year reads the same in every locale (11/23/2026 and 23/11/2026 do not), and
// the output does not depend on the server's or the browser's locale, so the server's HTML and the
// hydrated page agree. ISO dates stay where machines or forms read them: CSV, JSON, <input type=date>,
// <time dateTime> and URLs.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Parts {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function partsInZone(at: Date, timeZone: string): Parts {
  if (timeZone === "UTC") {
    return {
      year: at.getUTCFullYear(),
      month: at.getUTCMonth() + 1,
      day: at.getUTCDate(),
      hour: at.getUTCHours(),
      minute: at.getUTCMinutes(),
    };
  }
  let formatter = zoneFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      calendar: "gregory",
      numberingSystem: "latn",
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    zoneFormatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: part("year"),
    month: part("month"),
    day: part("day"),
    hour: part("hour") % 24,
    minute: part("minute"),
  };
}

/** A calendar day "YYYY-MM-DD" as is, an instant (Date or ISO text) as its day in `timeZone`. */
function toParts(value: string | Date, timeZone: string): Parts | null {
  if (typeof value === "string") {
    const day = DAY_RE.exec(value);
    if (day) return { year: Number(day[1]), month: Number(day[2]), day: Number(day[3]), hour: 0, minute: 0 };
  }
  const at = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(at.getTime())) return null;
  return partsInZone(at, timeZone);
}

const dayText = (p: Parts) => `${p.day} ${MONTHS[p.month - 1] ?? "?"} ${p.year}`;

/** "23 Nov 2026". Text that is not a date comes back as it was (a page never breaks on a bad value). */
export function formatDay(value: string | Date | null | undefined, timeZone = "UTC"): string {
  if (value === null || value === undefined || value === "") return "—";
  const p = toParts(value, timeZone);
  return p ? dayText(p) : String(value);
}

/** "Nov 2026" for a calendar month "YYYY-MM". */
export function formatMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  return m ? `${MONTHS[Number(m[2]) - 1] ?? "?"} ${m[1]}` : month;
}

/** "10 – 23 Nov 2026", "28 Nov – 11 Dec 2026", "28 Dec 2026 – 10 Jan 2027". */
export function formatDayRange(start: string, end: string): string {
  const a = toParts(start, "UTC");
  const b = toParts(end, "UTC");
  if (!a || !b) return `${formatDay(start)} – ${formatDay(end)}`;
  if (a.year !== b.year) return `${dayText(a)} – ${dayText(b)}`;
  if (a.month !== b.month) return `${a.day} ${MONTHS[a.month - 1]} – ${dayText(b)}`;
  if (a.day === b.day) return dayText(a);
  return `${a.day} – ${dayText(b)}`;
}

/** "23 Nov 2026, 14:05 UTC" (or "…, 15:05 Europe/Berlin" in a team's zone). */
export function formatInstant(value: string | Date | null | undefined, timeZone = "UTC"): string {
  if (value === null || value === undefined || value === "") return "—";
  const at = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(at.getTime())) return String(value);
  const p = partsInZone(at, timeZone);
  const hhmm = `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
  return `${dayText(p)}, ${hhmm} ${timeZone}`;
}
