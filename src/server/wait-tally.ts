/**
 * Time one connection spent waiting for a password-hashing slot, summed over
 * its logins. The unauthenticated time limit (`--auth-timeout`) does not count
 * it: after a restart thousands of logins queue at once, and cutting those
 * that waited 30 s in line would only send them back to the end of it.
 */
export class WaitTally {
  private totalMs = 0;
  private waiting = 0;
  private since = 0;

  /** A check of this connection starts waiting for its slot. */
  started(now: number = performance.now()): void {
    if (this.waiting++ === 0) this.since = now;
  }

  /** It got its slot, or stopped waiting (its connection closed). */
  ended(now: number = performance.now()): void {
    if (this.waiting === 0) return;
    if (--this.waiting === 0) this.totalMs += now - this.since;
  }

  /** Milliseconds waited so far, the wait under way included. */
  waitedMs(now: number = performance.now()): number {
    return this.totalMs + (this.waiting > 0 ? now - this.since : 0);
  }
}
