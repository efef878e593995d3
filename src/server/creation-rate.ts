/**
 * How many groups each account may still create now: a bucket per account of
 * `perHour` tokens, refilled at `perHour` an hour. Kept in memory on each
 * node (a restart or another node starts afresh); the durable per-account cap
 * is the store's (`createOwnedGroup`). Accounts whose bucket is full again
 * are forgotten, so memory follows recent creators only.
 */
import { nameKey } from '../protocol/names.js';

const HOUR_MS = 3_600_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class GroupCreationRate {
  private readonly buckets = new Map<string, Bucket>();
  private lastPruneAt = 0;

  /** `perHour` 0 turns the rate off. */
  constructor(private readonly perHour: number) {}

  /**
   * Takes one creation for `user`: 0 when taken, else the milliseconds until
   * one is there (nothing taken).
   */
  take(user: string, now: number = performance.now()): number {
    if (this.perHour === 0) return 0;
    this.prune(now);
    const bucket = this.refilled(nameKey(user), now);
    if (bucket.tokens < 1) return Math.ceil(((1 - bucket.tokens) * HOUR_MS) / this.perHour);
    bucket.tokens -= 1;
    return 0;
  }

  /** Gives back a creation taken for a request that created nothing (name taken, cap reached, store error). */
  giveBack(user: string): void {
    const bucket = this.buckets.get(nameKey(user));
    if (bucket !== undefined) bucket.tokens = Math.min(this.perHour, bucket.tokens + 1);
  }

  private refilled(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.perHour, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.perHour, bucket.tokens + ((now - bucket.updatedAt) * this.perHour) / HOUR_MS);
    bucket.updatedAt = now;
    return bucket;
  }

  /** At most once a minute: drops buckets that have refilled completely. */
  private prune(now: number): void {
    if (now - this.lastPruneAt < 60_000) return;
    this.lastPruneAt = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) * this.perHour) / HOUR_MS >= this.perHour) this.buckets.delete(key);
    }
  }
}
