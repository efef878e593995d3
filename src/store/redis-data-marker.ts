/**
 * Notices a Redis that lost its data under running nodes (restarted without
 * persistence, flushed, or another instance behind the same address): a
 * marker key, written once when the data set is first used, must still hold
 * the same value after every reconnect and at every periodic check. While a
 * reconnect is not yet checked the store answers `unavailable`; once the
 * marker is gone or changed it does so for good and `onLost` is told (the
 * server closes every session: their accounts may no longer exist).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { REDIS_KEYS } from '../redis/keys.js';

/** How often the marker is read besides after each reconnect (a FLUSHALL keeps the connection). */
export const DATA_CHECK_INTERVAL_MS = 5_000;

export class RedisDataMarker {
  private id: string | undefined;
  private verified = true;
  private lost: string | undefined;
  private checking = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly redis: Redis, private readonly onLost: (reason: string) => void) {}

  /** Writes the marker unless there is one, and remembers its value; checks from then on. */
  async start(): Promise<void> {
    await this.redis.set(REDIS_KEYS.dataMarker, randomBytes(12).toString('hex'), 'NX');
    this.id = (await this.redis.get(REDIS_KEYS.dataMarker)) ?? undefined;
    this.redis.on('ready', () => {
      this.verified = false;
      void this.check();
    });
    this.timer = setInterval(() => void this.check(), DATA_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  /** Why the store must not be used now, or undefined. */
  get problem(): string | undefined {
    return this.lost ?? (this.verified ? undefined : 'the shared store reconnected and is being checked; try again');
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.id === undefined || this.lost !== undefined || this.checking || this.redis.status !== 'ready') return;
    this.checking = true;
    try {
      const now = await this.redis.get(REDIS_KEYS.dataMarker);
      if (now === this.id) {
        this.verified = true;
        return;
      }
      this.lost = now === null
        ? 'Redis lost its data (restarted without persistence, or flushed): the accounts and groups this node served are gone'
        : 'Redis holds a different data set than at start';
      this.onLost(this.lost);
    } catch {
      // not answering: the next reconnect or tick checks again
    } finally {
      this.checking = false;
    }
  }
}
