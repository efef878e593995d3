/**
 * Slows down guessing across connections: a user name that keeps failing to
 * log in gets a growing delay before each answer, whichever connection asks.
 *
 * Memory is bounded. Only valid names (at most 32 characters) are recorded:
 * about 125 bytes a record (measured on Node 20), 12.5 MB at the default cap
 * of 100,000. Records whose last failure is older than `forgetAfterMs` are
 * dropped as new failures come in. At the cap, the name whose last failure is
 * the oldest is forgotten (least recently failed first): its next login has
 * no delay. Reaching the cap takes 100,000 failed logins within
 * `forgetAfterMs`, each costing a password hash (two at a time): at the
 * default scrypt cost that is hours, longer than the 15 minutes after which
 * records are forgotten anyway.
 */
import { isValidName, nameKey } from '../protocol/names.js';

export interface LoginThrottleOptions {
  /** Failures allowed before delays start. */
  freeFailures: number;
  /** Delay after the first delayed failure; doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A name's failures are forgotten after this long without one. */
  forgetAfterMs: number;
  /** Names tracked at most; past it the least recently failed is forgotten. */
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
  /** Logins delayed so far (metrics). */
  delayed = 0;

  constructor(private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {}

  /** Milliseconds to wait before answering a login for `name`. */
  delayFor(name: string, now: number = Date.now()): number {
    const record = this.current(nameKey(name), now);
    if (record === undefined) return 0;
    const excess = record.failures - this.options.freeFailures;
    if (excess <= 0) return 0;
    this.delayed += 1;
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(excess - 1, 16));
  }

  /** Counts a failed login for `name`; a name that is not a valid user name is never recorded. */
  recordFailure(name: string, now: number = Date.now()): void {
    if (!isValidName(name)) return;
    const key = nameKey(name);
    const record = this.current(key, now);
    this.records.delete(key); // to the back: the most recently failed
    this.forgetExpired(now);
    this.records.set(key, { failures: (record?.failures ?? 0) + 1, lastFailureAt: now });
    if (this.records.size > this.options.maxTracked) {
      const oldest = this.records.keys().next();
      if (oldest.done !== true) this.records.delete(oldest.value);
    }
  }

  /** Names with failures remembered now. */
  get size(): number {
    return this.records.size;
  }

  recordSuccess(name: string): void {
    this.records.delete(nameKey(name));
  }

  /** Drops records from the front (least recently failed) while they are past `forgetAfterMs`. */
  private forgetExpired(now: number): void {
    for (const [key, record] of this.records) {
      if (now - record.lastFailureAt <= this.options.forgetAfterMs) return;
      this.records.delete(key);
    }
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
