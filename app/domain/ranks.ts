// Backlog order as sortable text ranks (the Parabol approach): a rank is a base-36 fraction written
// without its leading "0.", so comparing two ranks as plain strings (PostgreSQL `COLLATE "C"`, or
// JS `a < b`) compares the fractions. Floats would run out of precision after ~50 inserts at one
// spot; strings just grow a character when a gap is used up, and only then.
//
// Invariant: a rank is non-empty and never ends in the minimum digit "0". "a" and "a0" are the same
// fraction, so a trailing "0" would leave no room between the two; without it there is always room.

/** ASCII digits then lowercase letters: byte order equals digit order. */
const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";
const BASE = DIGITS.length;
const MIN = DIGITS[0]!;
const MAX = DIGITS[BASE - 1]!;
const VALID_RANK = /^[0-9a-z]*[1-9a-z]$/;

function digitValue(char: string): number {
  return DIGITS.indexOf(char);
}

function digitChar(value: number): string {
  const char = DIGITS[value];
  if (char === undefined) throw new RangeError(`No rank digit for ${value}`);
  return char;
}

function assertRank(rank: string, name: string): void {
  if (!VALID_RANK.test(rank)) {
    throw new RangeError(`Invalid ${name} rank ${JSON.stringify(rank)}: expected [0-9a-z]+ not ending in "0"`);
  }
}

/**
 * A rank strictly between `before` and `after`; null means that end is open. Throws when
 * `before >= after` or when either is not a valid rank.
 *
 * At an open end the rank steps by one digit rather than halving, because appending to (or
 * prepending before) the backlog is the common case: 1000 appends then cost ~30 characters, not ~200.
 * Between two ranks it takes the midpoint, which is the best choice when the future is unknown.
 */
export function rankBetween(before: string | null, after: string | null): string {
  if (before !== null) assertRank(before, "before");
  if (after !== null) assertRank(after, "after");
  if (before !== null && after !== null && before >= after) {
    throw new RangeError(`rankBetween: ${JSON.stringify(before)} is not before ${JSON.stringify(after)}`);
  }
  if (before === null && after === null) return digitChar(BASE / 2);
  if (before === null) return rankBefore(after!);
  if (after === null) return rankAfter(before);
  return midpoint(before, after);
}

/** The shortest-ish rank after `rank`: bump its first digit that can still go up, drop the rest. */
function rankAfter(rank: string): string {
  for (let i = 0; i < rank.length; i++) {
    const char = rank[i]!;
    if (char !== MAX) return rank.slice(0, i) + digitChar(digitValue(char) + 1);
  }
  // All "z": extend by the smallest digit so the following appends can keep stepping up.
  return rank + DIGITS[1];
}

/** The shortest-ish rank before `rank`: lower its first digit that can go down without becoming "0". */
function rankBefore(rank: string): string {
  for (let i = 0; i < rank.length; i++) {
    const value = digitValue(rank[i]!);
    if (value >= 2) return rank.slice(0, i) + digitChar(value - 1);
    if (value === 1) {
      // A proper prefix ending in "1" sorts before the rank; at the last digit go one level deeper.
      return i < rank.length - 1 ? rank.slice(0, i + 1) : rank.slice(0, i) + MIN + MAX;
    }
  }
  // Unreachable for valid ranks (they end in a non-zero digit).
  throw new RangeError(`No rank before ${JSON.stringify(rank)}`);
}

/**
 * Midpoint of two digit strings read as fractions, `a < b` (`b` null = 1.0, `a` "" = 0.0), neither
 * with a trailing "0". Adapted from David Greenspan's fractional indexing.
 */
function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    // Skip the shared prefix; past the end of `a` it reads as zeros.
    let n = 0;
    while ((a[n] ?? MIN) === b[n]) n++;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const digitA = a.length > 0 ? digitValue(a[0]!) : 0;
  const digitB = b !== null ? digitValue(b[0]!) : BASE;
  if (digitB - digitA > 1) return digitChar(Math.round((digitA + digitB) / 2));
  // Adjacent first digits: `b`'s first digit alone is between when `b` continues past it …
  if (b !== null && b.length > 1) return b.slice(0, 1);
  // … otherwise keep `a`'s first digit and find room after the rest of `a`.
  return digitChar(digitA) + midpoint(a.slice(1), null);
}

/**
 * `n` increasing ranks spread evenly over the whole range, all of the same (shortest sufficient)
 * length before trailing zeros are dropped; for seeding a backlog and rebalancing one whose ranks
 * have grown long.
 */
export function initialRanks(n: number): string[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`initialRanks: invalid count ${n}`);
  let length = 1;
  while (BASE ** length < n + 1) length++;
  // BigInt because k·slots can pass 2^53 for large n even though every slot fits.
  const slots = BigInt(BASE) ** BigInt(length);
  const ranks: string[] = [];
  for (let k = 1n; k <= BigInt(n); k++) {
    // Slot k·slots/(n+1) as a fixed-width base-36 numeral; steps are ≥ 1 so ranks are distinct.
    const slot = (k * slots) / BigInt(n + 1);
    const numeral = slot.toString(BASE).padStart(length, MIN);
    ranks.push(numeral.replace(/0+$/, ""));
  }
  return ranks;
}
