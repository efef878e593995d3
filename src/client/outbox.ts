/**
 * What the user sends (lines said in a group, and /msg), one at a time and in
 * order. Nothing is dropped for being early:
 * - one the server refuses with `rate_limited` is shown as pending and sent
 *   again after a short backoff, before anything said after it;
 * - while the connection is down (`pause`), lines wait, shown as pending, and
 *   go after `resume`, in order; the one in flight when the connection dropped
 *   is kept and sent again, unless `settle` learns that the server stored it
 *   (its ack was lost with the connection).
 * Other failures are reported and the next message goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError } from '../protocol/errors.js';
import type { AckReply, StoredMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { ConnectionClosedError } from './client.js';

/** A backoff for `rate_limited`: the server's tokens come back within a second or so. */
export const RATE_LIMIT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 2_000, random: Math.random };

/** A line said in a group, or a direct message. */
export type OutboxItem = { kind: 'say'; group: string; text: string } | { kind: 'dm'; to: string; text: string };

export interface OutboxHooks {
  /** Sends one message; resolves with its ack. */
  send(item: OutboxItem): Promise<AckReply>;
  acked(item: OutboxItem, ack: AckReply): void;
  /** The message waits (slowed down, or offline): called once per message. */
  pending(item: OutboxItem): void;
  failed(item: OutboxItem, error: unknown): void;
  /** False once the client is quitting: waiting messages are then given up. */
  running(): boolean;
}

interface Entry {
  item: OutboxItem;
  shownPending: boolean;
  /** Written at least once without an ack seen: the server may have it. */
  inFlight: boolean;
  /** `settle` found it stored: done without sending again. */
  stored: boolean;
}

export class Outbox {
  private readonly queue: Entry[] = [];
  private draining = false;
  /** While offline: resolved by `resume`. */
  private offline: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly hooks: OutboxHooks, private readonly backoff: BackoffOptions = RATE_LIMIT_BACKOFF) {}

  /** Messages not acked yet. */
  get size(): number {
    return this.queue.length;
  }

  get paused(): boolean {
    return this.offline !== undefined;
  }

  push(item: OutboxItem): void {
    const entry: Entry = { item, shownPending: false, inFlight: false, stored: false };
    this.queue.push(entry);
    if (this.offline !== undefined) this.markPending(entry);
    if (!this.draining) void this.drain();
  }

  /** The connection is down: what waits is shown as pending, and nothing is sent until `resume`. */
  pause(): void {
    if (this.offline === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => { resolve = done; });
      this.offline = { promise, resolve };
    }
    for (const entry of this.queue) this.markPending(entry);
  }

  /**
   * After a reconnect, before `resume`: `missed` are the messages the resume
   * found stored since the last one shown. A message in flight at the drop
   * whose text is there, from `self` in its group, was stored: it is not sent again.
   */
  settle(missed: readonly StoredMessage[], self: string): void {
    for (const entry of this.queue) {
      const { item } = entry;
      if (!entry.inFlight || item.kind !== 'say') continue;
      entry.stored = missed.some((message) => nameKey(message.from) === nameKey(self) && nameKey(message.group) === nameKey(item.group) && message.text === item.text);
    }
  }

  /** Connected again: waiting messages go, in order. */
  resume(): void {
    const offline = this.offline;
    this.offline = undefined;
    offline?.resolve();
  }

  private markPending(entry: Entry): void {
    if (entry.shownPending) return;
    entry.shownPending = true;
    this.hooks.pending(entry.item);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let entry = this.queue[0]; entry !== undefined && this.hooks.running(); entry = this.queue[0]) {
        await this.deliver(entry);
        this.queue.shift();
      }
    } finally {
      this.draining = false;
    }
  }

  private async deliver(entry: Entry): Promise<void> {
    for (let attempt = 0; this.hooks.running();) {
      if (this.offline !== undefined) {
        await this.offline.promise;
        continue;
      }
      if (entry.stored) return;
      try {
        entry.inFlight = true;
        this.hooks.acked(entry.item, await this.hooks.send(entry.item));
        return;
      } catch (error) {
        if (error instanceof ConnectionClosedError) {
          // The owner pauses on the connection's close; this covers a close it has not seen yet.
          this.pause();
          continue;
        }
        entry.inFlight = false;
        if (!(error instanceof ProtocolError && error.code === 'rate_limited')) {
          this.hooks.failed(entry.item, error);
          return;
        }
        this.markPending(entry);
        await sleep(backoffDelay(attempt++, this.backoff));
      }
    }
  }
}
