/**
 * Time as the session runner sees it: a monotonic `now` in milliseconds and a
 * way to wait. Injected so that tests of rate limits and pacing do not depend
 * on how fast the machine is.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences count). */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => sleep(ms),
};
