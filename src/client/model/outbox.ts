/**
 * What the user sends (lines said in a group, and /msg), one at a time and in
 * order. Nothing is dropped for being early:
 * - one the server refuses with `rate_limited` is shown as pending and sent
 *   again after a short backoff, before anything said after it;
 * - while the connection is down (`pause`), lines wait, shown as pending, and
 *   go after `resume`, in order; the one in flight when the connection dropped
 *   is kept and sent again, unless `settle` (a line, in the rejoin's missed
 *   messages) or `settleDirect` (a direct message, in its conversation's
 *   messages since the seq seen before it was sent) learns that the server
 *   stored it (its ack was lost with the connection).
 * - one not acked within a moment (a stalled server) is shown as pending then;
 * - one left without a reply for the client's timeout is treated as in flight
 *   at a drop (the client closes the connection with it, and the reconnect
 *   finds out whether it was stored);
 * Other failures are reported and the next message goes on. A ChatClient
 * owns one (sending.ts): line mode and bots bound the waits (`lost` fails a
 * message, `abandon` the ones waiting, a few `rate_limited` are waited out),
 * the chat screen waits on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError } from '../../protocol/errors.js';
import type { AckReply, StoredDirectMessage, StoredMessage } from '../../protocol/messages.js';
import { nameKey } from '../../protocol/names.js';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import { ConnectionClosedError, ReplyTimeoutError } from '../client.js';
import type { Said } from './events.js';
import { isStoredCopy, isStoredDirectCopy } from './stored-copy.js';

/** A backoff for `rate_limited`: the server's tokens come back within a second or so. */
export const RATE_LIMIT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 2_000, random: Math.random };

export interface OutboxTiming {
  /** A message not acked after this long is shown as pending (a stalled server): soon enough to look immediate, later than a normal ack. */
  pendingAfterMs: number;
}

export const OUTBOX_TIMING: OutboxTiming = { pendingAfterMs: 300 };

/** A line said in a group (any: the connection's one group, when not known), or a direct message. */
export type OutboxItem = { kind: 'say'; group: string | undefined; text: string } | { kind: 'dm'; to: string; text: string };

/** How `rate_limited` is waited out: with `backoff`, `maxRetries` times at most (then the message fails with it). */
export interface RateWait {
  backoff: BackoffOptions;
  maxRetries: number;
}

export interface OutboxHooks {
  /** Sends one message; resolves with its ack. */
  send(item: OutboxItem): Promise<AckReply>;
  acked(item: OutboxItem, ack: AckReply): void;
  /** The message waits (slowed down, or offline): called once per message. */
  pending(item: OutboxItem): void;
  failed(item: OutboxItem, error: unknown): void;
  /** False once the client is quitting: waiting messages are then given up. */
  running(): boolean;
  /**
   * A send lost with the connection (or left without a reply): undefined (the
   * default) pauses until `resume`, the message kept in flight; an error fails
   * the message with it. `written`: it was written at least once without an ack seen.
   */
  lost?(error: Error, written: boolean): Error | undefined;
  /** The highest seq seen in `group` now (0 by default): a copy found stored is above the one seen at the first write. */
  seqIn?(group: string | undefined): number;
  /** The seq of the conversation with `user` a direct message is sent after; undefined when not known (it is then sent again after a drop). */
  seqWith?(user: string): Promise<number | undefined>;
  /** False when a send would not reach the server (the connection is closed): not counted as written. */
  writable?(): boolean;
}

interface Entry {
  item: OutboxItem;
  shownPending: boolean;
  /** Written at least once without an ack seen: the server may have it. */
  inFlight: boolean;
  /** Shows it pending if not done soon. */
  pendingTimer?: NodeJS.Timeout | undefined;
  /** The seq seen in its group (or conversation) at its first write. */
  seqAtSend?: number | undefined;
  /** `settle` or `settleDirect` found it stored (this copy): done without sending again. */
  copy?: Said | undefined;
  /** `abandon` failed it before it went. */
  abandoned?: Error | undefined;
  /** Settles what `push` returned. */
  done: { resolve(said: Said): void; reject(error: unknown): void };
}

export class Outbox {
  private readonly queue: Entry[] = [];
  private draining = false;
  /** While offline: resolved by `resume` (and `abandon`). */
  private offline: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    private readonly hooks: OutboxHooks,
    private readonly backoff: BackoffOptions = RATE_LIMIT_BACKOFF,
    private readonly timing: OutboxTiming = OUTBOX_TIMING,
    private readonly maxRateRetries = Number.POSITIVE_INFINITY,
  ) {}

  /** Messages not acked yet. */
  get size(): number {
    return this.queue.length;
  }

  get paused(): boolean {
    return this.offline !== undefined;
  }

  /** Queues `item`; resolves once it is acked or found stored, rejects with why it failed (also told to `failed`). */
  push(item: OutboxItem): Promise<Said> {
    let done!: Entry['done'];
    const said = new Promise<Said>((resolve, reject) => { done = { resolve, reject }; });
    // A view told through `failed` need not look at the promise.
    said.catch(() => undefined);
    const entry: Entry = { item, shownPending: false, inFlight: false, done };
    if (this.offline !== undefined) this.markPending(entry);
    else {
      entry.pendingTimer = setTimeout(() => this.markPending(entry), this.timing.pendingAfterMs);
      entry.pendingTimer.unref();
    }
    this.enqueue(entry);
    return said;
  }

  private enqueue(entry: Entry): void {
    this.queue.push(entry);
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
  settle(missed: readonly StoredMessage[], self: string): StoredMessage[] {
    const copies: StoredMessage[] = [];
    for (const entry of this.queue) {
      const { item } = entry;
      if (!entry.inFlight || item.kind !== 'say') continue;
      const copy = missed.find((message) => !copies.includes(message) && isStoredCopy(message, self, { ...item, seqAtSend: entry.seqAtSend }));
      if (copy !== undefined) copies.push(copy);
      entry.copy = copy;
    }
    return copies;
  }

  /** The direct messages in flight whose conversation's seq at their first write is known: a reconnect asks what was stored `since` it. */
  inFlightDirect(): { to: string; since: number }[] {
    return this.queue.flatMap(({ item, inFlight, seqAtSend }) => (inFlight && item.kind === 'dm' && seqAtSend !== undefined ? [{ to: item.to, since: seqAtSend }] : []));
  }

  /**
   * After a reconnect, before `resume`: `stored` are the messages of the
   * conversation with `to` after the seq of `inFlightDirect`. A direct message
   * in flight whose text is there, from `self`, was stored: it is not sent again.
   */
  settleDirect(to: string, stored: readonly StoredDirectMessage[], self: string): void {
    const copies: StoredDirectMessage[] = [];
    const toKey = nameKey(to);
    for (const entry of this.queue) {
      const { item } = entry;
      if (!entry.inFlight || item.kind !== 'dm' || nameKey(item.to) !== toKey) continue;
      const copy = stored.find((message) => !copies.includes(message) && isStoredDirectCopy(message, self, { ...item, seqAtSend: entry.seqAtSend }));
      if (copy !== undefined) copies.push(copy);
      entry.copy = copy;
    }
  }

  /** The lowest seq seen at the first write of a line in flight in `group`: the rejoin asks from there. */
  inFlightSince(group: string): number | undefined {
    const groupKey = nameKey(group);
    const seqs = this.queue.flatMap((entry) => (entry.inFlight && entry.item.kind === 'say' && entry.seqAtSend !== undefined
      && (entry.item.group === undefined || nameKey(entry.item.group) === groupKey) ? [entry.seqAtSend] : []));
    return seqs.length === 0 ? undefined : Math.min(...seqs);
  }

  /** No reconnect came: what waits fails with `failure(written)` (written: the message may have been stored). */
  abandon(failure: (written: boolean) => Error): void {
    for (const entry of this.queue) entry.abandoned = failure(entry.inFlight);
    this.resume();
  }

  /** Connected again: waiting messages go, in order. */
  resume(): void {
    const offline = this.offline;
    this.offline = undefined;
    offline?.resolve();
  }

  private markPending(entry: Entry): void {
    clearTimeout(entry.pendingTimer);
    if (entry.shownPending) return;
    entry.shownPending = true;
    this.hooks.pending(entry.item);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let entry = this.queue[0]; entry !== undefined && this.hooks.running(); entry = this.queue[0]) {
        await this.deliver(entry);
        clearTimeout(entry.pendingTimer);
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
      if (entry.abandoned !== undefined) return this.fail(entry, entry.abandoned);
      if (entry.copy !== undefined) return this.done(entry, { type: 'ack', seq: entry.copy.seq, ts: entry.copy.ts });
      try {
        const { item } = entry;
        if (!entry.inFlight) entry.seqAtSend ??= item.kind === 'say' ? this.hooks.seqIn?.(item.group) ?? 0 : await this.hooks.seqWith?.(item.to);
        entry.inFlight ||= this.hooks.writable?.() ?? true;
        return this.done(entry, await this.hooks.send(entry.item));
      } catch (error) {
        // No reply in time: as at a drop (the client closed the connection with it); the resume settles it.
        if (error instanceof ConnectionClosedError || error instanceof ReplyTimeoutError) {
          const failure = this.hooks.lost?.(error, entry.inFlight);
          if (failure !== undefined) return this.fail(entry, failure);
          // The owner pauses on the connection's close; this covers a close it has not seen yet.
          this.pause();
          continue;
        }
        entry.inFlight = false;
        if (!(error instanceof ProtocolError && error.code === 'rate_limited') || attempt >= this.maxRateRetries) return this.fail(entry, error);
        // It waits, and so does everything behind it.
        for (const waiting of this.queue) this.markPending(waiting);
        await sleep(backoffDelay(attempt++, this.backoff));
      }
    }
  }

  /** Acked, or found stored (its copy's seq and time, as the ack would have said: the chat screen shows a direct message so). */
  private done(entry: Entry, ack: AckReply): void {
    this.hooks.acked(entry.item, ack);
    entry.done.resolve({ seq: ack.seq, ts: ack.ts });
  }

  private fail(entry: Entry, error: unknown): void {
    entry.inFlight = false;
    this.hooks.failed(entry.item, error);
    entry.done.reject(error);
  }
}
