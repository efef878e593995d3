/** A clock that moves only when told to (or by what a sleep waits for): rate limits and pacing without timing. */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ActivityTimers } from '../../src/server/activity.js';
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

/** Activity timers that fire only when the test advances them. */
export class ManualTimers implements ActivityTimers {
  private at = 0;
  private queue: Array<{ at: number; run: () => void; live: boolean }> = [];

  now(): number {
    return this.at;
  }

  schedule(ms: number, run: () => void): () => void {
    const entry = { at: this.at + ms, run, live: true };
    this.queue.push(entry);
    return () => { entry.live = false; };
  }

  /** Timers waiting now. */
  get waiting(): number {
    return this.queue.filter((entry) => entry.live).length;
  }

  /** Moves time on, running every timer due by then (in order). */
  advance(ms: number): void {
    this.at += ms;
    for (;;) {
      this.queue = this.queue.filter((entry) => entry.live);
      const due = this.queue.filter((entry) => entry.at <= this.at).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) return;
      due.live = false;
      due.run();
    }
  }
}
