/**
 * Messages said in a group, sent one at a time and in order. One the server
 * refuses with `rate_limited` is not dropped: it is shown as pending, and sent
 * again after a short backoff, before anything said after it; other failures
 * are reported and the next message goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError } from '../protocol/errors.js';
import type { AckReply } from '../protocol/messages.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';

/** A backoff for `rate_limited`: the server's tokens come back within a second or so. */
export const RATE_LIMIT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 2_000, random: Math.random };

export interface OutboxItem {
  /** The group it was said in. */
  group: string;
  text: string;
}

export interface OutboxHooks {
  /** Sends one message; resolves with its ack. */
  send(text: string): Promise<AckReply>;
  acked(item: OutboxItem, ack: AckReply): void;
  /** The server asked to slow down: the message waits (called once per message). */
  pending(item: OutboxItem): void;
  failed(item: OutboxItem, error: unknown): void;
  /** False once the client is quitting: waiting messages are then given up. */
  running(): boolean;
}

export class Outbox {
  private readonly queue: OutboxItem[] = [];
  private draining = false;

  constructor(private readonly hooks: OutboxHooks, private readonly backoff: BackoffOptions = RATE_LIMIT_BACKOFF) {}

  /** Messages not acked yet. */
  get size(): number {
    return this.queue.length;
  }

  push(item: OutboxItem): void {
    this.queue.push(item);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let item = this.queue[0]; item !== undefined && this.hooks.running(); item = this.queue[0]) {
        await this.deliver(item);
        this.queue.shift();
      }
    } finally {
      this.draining = false;
    }
  }

  private async deliver(item: OutboxItem): Promise<void> {
    for (let attempt = 0; this.hooks.running(); attempt++) {
      try {
        this.hooks.acked(item, await this.hooks.send(item.text));
        return;
      } catch (error) {
        if (!(error instanceof ProtocolError && error.code === 'rate_limited')) {
          this.hooks.failed(item, error);
          return;
        }
        if (attempt === 0) this.hooks.pending(item);
        await sleep(backoffDelay(attempt, this.backoff));
      }
    }
  }
}
