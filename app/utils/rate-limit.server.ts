// Token buckets in memory, per process: enough to keep one client from flooding an instance (an
// exporter in a loop, a script guessing tokens). Several instances each keep their own buckets.
import { singleton } from "~/utils/singleton.server";

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimit {
  /** Requests allowed in a burst. */
  burst: number;
  /** Requests per second refilled. */
  perSecond: number;
}

const MAX_KEYS = 50_000;

/** Takes one request from `key`'s bucket: null when allowed, else the seconds to wait. */
export function takeToken(space: string, key: string, limit: RateLimit, now = Date.now()): number | null {
  const buckets = singleton(`rate-limit:${space}`, () => new Map<string, Bucket>());
  let bucket = buckets.get(key);
  if (!bucket) {
    // A flood of distinct keys must not grow memory without bound: start over past the cap.
    if (buckets.size >= MAX_KEYS) buckets.clear();
    bucket = { tokens: limit.burst, at: now };
    buckets.set(key, bucket);
  }
  bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
  bucket.at = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return null;
  }
  return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
}
