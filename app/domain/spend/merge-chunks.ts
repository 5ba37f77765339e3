// How a large import is cut into chunks for its merge (issue 15, item 6). The embedded database
// runs each statement on the server's own thread, so one INSERT of 200,000 rows froze every other
// request for seconds; merged a chunk at a time, with the event loop let through between chunks,
// the longest freeze is one chunk's statement.
//
// Each staged row gets a bucket from its dedupe key without Copilot's occurrence suffix ("#3"):
// rows that could be repeats of each other (same key) and rows numbered among each other (same
// key before the suffix) share a bucket, so a chunk — a run of whole buckets — can be deduplicated,
// numbered and merged without looking at any other chunk.

/** Buckets per import (a smallint column). Enough that a bucket is a small part of a chunk. */
export const MERGE_BUCKETS = 4096;

/** The dedupe key before Copilot's occurrence number: what `renumberOccurrences` partitions by. */
const OCCURRENCE_SUFFIX = /#[0-9]+$/;

/** The bucket of a staged row (FNV-1a of its key without the occurrence suffix). */
export function mergeBucket(dedupeKey: string): number {
  const base = dedupeKey.replace(OCCURRENCE_SUFFIX, "");
  let hash = 0x811c9dc5;
  for (let i = 0; i < base.length; i++) {
    hash ^= base.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % MERGE_BUCKETS;
}

export interface BucketRange {
  /** First and last bucket of the chunk, both included. */
  from: number;
  to: number;
  rows: number;
}

/**
 * Runs of whole buckets holding about `rowsPerChunk` rows each (a bucket larger than that is a
 * chunk of its own); empty buckets at the edges are left out. Every row's bucket is in exactly one
 * range.
 */
export function planMergeChunks(rowsPerBucket: ArrayLike<number>, rowsPerChunk: number): BucketRange[] {
  const chunks: BucketRange[] = [];
  let current: BucketRange | null = null;
  for (let bucket = 0; bucket < rowsPerBucket.length; bucket++) {
    const rows = rowsPerBucket[bucket] ?? 0;
    if (rows === 0) continue;
    if (current && current.rows + rows > rowsPerChunk) {
      chunks.push(current);
      current = null;
    }
    if (current) {
      current.to = bucket;
      current.rows += rows;
    } else {
      current = { from: bucket, to: bucket, rows };
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/**
 * Adds up the database's exact decimal sums (numeric, as text) of each chunk without float error:
 * a million credits summed over a hundred chunks in floats is off in the ninth decimal, which the
 * import summary shows. Twelve decimals are kept (three more than any figure shows).
 */
export class DecimalSum {
  private static readonly SCALE = 12;
  private scaled = 0n;

  add(value: string | number | null | undefined): void {
    if (value === null || value === undefined) return;
    const text = typeof value === "number" ? value.toFixed(DecimalSum.SCALE) : value.trim();
    const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
    if (!match) throw new Error(`not a decimal: ${text}`);
    const [, sign, whole, fraction = ""] = match;
    const digits = BigInt(`${whole || "0"}${fraction.slice(0, DecimalSum.SCALE).padEnd(DecimalSum.SCALE, "0")}`);
    this.scaled += sign ? -digits : digits;
  }

  toNumber(): number {
    const negative = this.scaled < 0n;
    const digits = (negative ? -this.scaled : this.scaled).toString().padStart(DecimalSum.SCALE + 1, "0");
    const cut = digits.length - DecimalSum.SCALE;
    return Number(`${negative ? "-" : ""}${digits.slice(0, cut)}.${digits.slice(cut)}`);
  }
}
