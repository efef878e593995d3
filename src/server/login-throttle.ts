/**
 * Slows down guessing across connections: a user name that keeps failing to
 * log in gets a growing delay before each answer, whichever connection asks.
 * Memory is bounded: the oldest names are forgotten first.
 */
export interface LoginThrottleOptions {
  /** Failures allowed before delays start. */
  freeFailures: number;
  /** Delay after the first delayed failure; doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A name's failures are forgotten after this long without one. */
  forgetAfterMs: number;
  /** Names tracked at most. */
  maxTracked: number;
}

export const DEFAULT_LOGIN_THROTTLE: Readonly<LoginThrottleOptions> = Object.freeze({
  freeFailures: 3,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  forgetAfterMs: 15 * 60_000,
  maxTracked: 100_000,
});

interface FailureRecord {
  failures: number;
  lastFailureAt: number;
}

export class LoginThrottle {
  /** Keyed by lowercased name; Map order is insertion order, oldest first. */
  private readonly records = new Map<string, FailureRecord>();

  constructor(private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {}

  /** Milliseconds to wait before answering a login for `name`. */
  delayFor(name: string, now: number = Date.now()): number {
    const record = this.current(name.toLowerCase(), now);
    if (record === undefined) return 0;
    const excess = record.failures - this.options.freeFailures;
    if (excess <= 0) return 0;
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(excess - 1, 16));
  }

  recordFailure(name: string, now: number = Date.now()): void {
    const key = name.toLowerCase();
    const record = this.current(key, now);
    this.records.delete(key);
    this.records.set(key, { failures: (record?.failures ?? 0) + 1, lastFailureAt: now });
    if (this.records.size > this.options.maxTracked) {
      const oldest = this.records.keys().next();
      if (oldest.done !== true) this.records.delete(oldest.value);
    }
  }

  recordSuccess(name: string): void {
    this.records.delete(name.toLowerCase());
  }

  private current(key: string, now: number): FailureRecord | undefined {
    const record = this.records.get(key);
    if (record !== undefined && now - record.lastFailureAt > this.options.forgetAfterMs) {
      this.records.delete(key);
      return undefined;
    }
    return record;
  }
}
