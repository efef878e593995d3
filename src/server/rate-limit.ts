/**
 * A token bucket: `rate` tokens per second, holding at most `burst`. A rate of
 * 0 turns limiting off.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number = rate * 2,
    now: number = performance.now(),
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token; false when none is left. */
  take(now: number = performance.now()): boolean {
    return this.waitMs(now) === 0;
  }

  /** Takes one token and returns 0, or returns how many milliseconds until one is there (taking nothing). */
  waitMs(now: number = performance.now()): number {
    if (this.rate === 0) return 0;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.rate) / 1000);
    this.updatedAt = now;
    if (this.tokens < 1) return Math.ceil(((1 - this.tokens) * 1000) / this.rate);
    this.tokens -= 1;
    return 0;
  }
}
