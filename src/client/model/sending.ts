/**
 * The ChatClient's outbox (outbox.ts): each message sent on its current
 * connection, one at a time and in order, exactly once. How long it waits is
 * the owner's: the chat screen waits on (rate limits, reconnects until the
 * user quits) and shows what waits; line mode and bots get each message's
 * outcome from its promise, a few `rate_limited` waited out and a drop failing
 * it when no reconnect comes (`lost`, `abandon`).
 */
import type { AckReply } from '../../protocol/messages.js';
import { OUTBOX_TIMING, Outbox, type OutboxHooks, type OutboxItem, RATE_LIMIT_BACKOFF, type RateWait } from './outbox.js';
import { BOUNDED_RATE_WAIT, type Connection } from './connection.js';
import { directMessage, say } from './requests.js';

/** The chat screen: until the server takes it, shown pending meanwhile. */
const ENDLESS_RATE_WAIT: RateWait = { backoff: RATE_LIMIT_BACKOFF, maxRetries: Number.POSITIVE_INFINITY };

/** What the chat screen shows of its messages: pending, sent, failed. */
export interface SendingView extends Pick<OutboxHooks, 'acked' | 'pending' | 'failed'> {
  /** False when a lost connection ends the client (nothing waits for it): the outbox is not paused. */
  waitsOnLost(): boolean;
}

/** What the outbox asks its ChatClient. */
export interface SendingOwner {
  /** The current connection (another one after a reconnect). */
  connection(): Connection;
  /** The highest seq seen in `group` now (see OutboxHooks.seqIn). */
  seqIn(group: string | undefined): number;
  /** A message was acked. */
  acked(item: OutboxItem, ack: AckReply): void;
  /** `group` as a `say` names it: undefined for the current group (the server's default). */
  named(group: string | undefined): string | undefined;
  /** The seq of the conversation with `user` a direct message is sent after (see OutboxHooks.seqWith). */
  seqWith(user: string): Promise<number | undefined>;
  /** A send lost with the connection: undefined to wait for the reconnect, or the error to fail it with. */
  lost(error: Error, written: boolean): Error | undefined;
  /** The view shown to, once the chat screen set one. */
  view(): SendingView | undefined;
  /** False once the owner stopped sending (quitting): what waits is given up. */
  running(): boolean;
}

/** The outbox of a ChatClient; `endless`: the chat screen's waits. */
export function chatOutbox(owner: SendingOwner, endless: boolean): Outbox {
  const rate = endless ? ENDLESS_RATE_WAIT : BOUNDED_RATE_WAIT;
  return new Outbox({
    send: (item) => (item.kind === 'say' ? say(owner.connection(), item.text, owner.named(item.group)) : directMessage(owner.connection(), item.to, item.text)),
    acked: (item, ack) => {
      owner.acked(item, ack);
      owner.view()?.acked(item, ack);
    },
    pending: (item) => owner.view()?.pending(item),
    failed: (item, error) => owner.view()?.failed(item, error),
    running: () => owner.running(),
    lost: (error, written) => owner.lost(error, written),
    seqIn: (group) => owner.seqIn(group),
    seqWith: (user) => owner.seqWith(user),
    writable: () => owner.connection().isOpen !== false,
  }, rate.backoff, OUTBOX_TIMING, rate.maxRetries);
}
