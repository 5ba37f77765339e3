// How credits (and their dollar value) read everywhere: pages, poker, Slack and tracker messages, the
// import CLI. One rule, so the same number never shows as "1,234.6" on one page and "1,235" on the next:
//   - from 1 up: thousands separators and at most one decimal ("1,234.6", "12.5", "12") — what most
//     pages already showed, and a worked sum ("5,428.6 + 3,454.5 = 8,883.1") still adds up;
//   - below 1: up to 4 decimals, so a small import or an overrun of 0.04 does not read as "0".
// The locale is pinned so the server's HTML and the browser's hydration render the same digits.

const fromOne = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const belowOne = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });

/** Credits as people read them (see the rule above); "—" when there is no figure. */
export function formatCredits(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  const text = (Math.abs(value) >= 1 ? fromOne : belowOne).format(value);
  // A tiny negative (a float sum's leftover) rounds to "-0", which no one means.
  return text === "-0" ? "0" : text;
}

const usdFormat = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

/** Dollars with cents, and up to 4 decimals for per-token prices ("$0.0032"); "—" without a figure. */
export function formatUsd(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : usdFormat.format(value);
}
