/** A clock that moves only when told to (or by what a sleep waits for): rate limits and pacing without timing. */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../../src/server/clock.js';

export class TestClock implements Clock {
  private at = 0;
  /** Every wait asked for, in milliseconds. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.at;
  }

  /** A sleep passes its time at once (on the next turn). */
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.at += ms;
    await nextTurn();
  }

  advance(ms: number): void {
    this.at += ms;
  }
}
