/**
 * Stored messages from the event channel to the node: each once, in seq order
 * per group, nothing lost. A group this node has members in keeps the last
 * seq delivered; a message that skips ahead of it (the subscription dropped,
 * or the event is forged, e.g. seq 10^12, which would otherwise make every
 * later message look old) is not taken from the channel: the node reads the
 * missing seqs from the store instead, holding live messages meanwhile, and
 * drops what the store does not have. Groups without members here have no
 * order to keep: their messages pass (for `activity`) and leave no trace.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { StoredMessage } from '../protocol/messages.js';
import { nameKey, type NameKey } from '../protocol/names.js';
import { REDIS_KEYS } from '../redis/keys.js';
import { readStoredMessage } from '../redis/stored-message.js';
import type { Logger } from '../observe/logger.js';

/** Messages fetched per group and round trip when reading missed ones from the store. */
const CATCH_UP_LIMIT = 1000;

interface Incoming {
  message: StoredMessage;
  origin: string;
}

export class MessageOrder {
  /** Last seq delivered, per group key with members here. */
  private readonly delivered = new Map<NameKey, number>();
  /** Watched groups whose counter is still being read: no order to judge by yet. */
  private readonly pending = new Set<NameKey>();
  /** While catching up, live messages wait here so that none overtakes a missed one. */
  private held: Incoming[] | undefined;
  private catching = false;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly deliver: (message: StoredMessage, origin: string) => void,
    private readonly logger: Logger,
  ) {}

  /**
   * The group now has members here: its order starts at the store's counter
   * (a message that came meanwhile far beyond it was forged: back to the counter).
   */
  watch(groupKey: NameKey): void {
    if (this.delivered.has(groupKey)) return;
    this.delivered.set(groupKey, 0);
    this.pending.add(groupKey);
    void this.redis.get(REDIS_KEYS.seq(groupKey)).then((seq) => {
      const counter = Number(seq ?? 0);
      const last = this.delivered.get(groupKey);
      if (last === undefined || !this.pending.delete(groupKey) || !Number.isSafeInteger(counter)) return;
      if (counter > last || last > counter + CATCH_UP_LIMIT) this.delivered.set(groupKey, counter);
    }, () => this.pending.delete(groupKey));
  }

  /** No members here any more (or the group was deleted: a group made again counts from 1). */
  unwatch(groupKey: NameKey): void {
    this.delivered.delete(groupKey);
    this.pending.delete(groupKey);
  }

  /** A message from the channel. */
  received(message: StoredMessage, origin: string): void {
    if (this.held !== undefined) {
      this.held.push({ message, origin });
      return;
    }
    const key = nameKey(message.group);
    const last = this.delivered.get(key);
    if (last !== undefined && !this.pending.has(key) && message.seq > last + 1) {
      // A gap: read the missing seqs from the store, and this one too if it is there.
      this.held = [{ message, origin }];
      void this.catchUp();
      return;
    }
    this.pass(message, origin, false);
  }

  /** The subscription dropped: hold what comes until `resume`. */
  pause(): void {
    if (!this.closed) this.held ??= [];
  }

  /** The subscription is back: read what was stored meanwhile, then the held messages. */
  resume(): void {
    if (this.held !== undefined) void this.catchUp();
  }

  close(): void {
    this.closed = true;
    this.held = undefined;
  }

  /**
   * Delivers what the store has after the last seq of every watched group,
   * then the held messages (one that still skips ahead is not in the store:
   * forged, dropped); retries until Redis answers. Nothing is delivered twice.
   */
  private async catchUp(): Promise<void> {
    if (this.catching) return;
    this.catching = true;
    try {
      while (this.held !== undefined && !this.closed) {
        try {
          if (this.redis.status !== 'ready') await new Promise((resolve) => this.redis.once('ready', resolve));
          for (const key of [...this.delivered.keys()].filter((watched) => !this.pending.has(watched))) {
            for (let more = true; more;) {
              const rows = await this.redis.zrangebyscore(REDIS_KEYS.messages(key), `(${this.delivered.get(key) ?? 0}`, '+inf', 'LIMIT', 0, CATCH_UP_LIMIT);
              for (const row of rows) this.pass(readStoredMessage(row), '', false);
              more = rows.length === CATCH_UP_LIMIT;
            }
          }
          const held = this.held ?? [];
          this.held = undefined;
          for (const { message, origin } of held) this.pass(message, origin, true);
        } catch (error) {
          this.logger.warn('catching up after a lost subscription failed; retrying', { reason: String(error) });
          await sleep(500);
        }
      }
    } finally {
      this.catching = false;
    }
  }

  /** Delivers a message once: at or below the last seq delivered is skipped; with `strict`, so is one that skips ahead. */
  private pass(message: StoredMessage, origin: string, strict: boolean): void {
    const key = nameKey(message.group);
    const last = this.delivered.get(key);
    if (last !== undefined) {
      if (message.seq <= last) return;
      if (strict && !this.pending.has(key) && message.seq > last + 1) {
        this.logger.warn('dropped a cluster message whose seq the store does not have', { group: message.group, seq: message.seq, last });
        return;
      }
      this.delivered.set(key, message.seq);
    }
    this.deliver(message, origin);
  }
}
