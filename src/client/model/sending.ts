/**
 * The outbox (outbox.ts) run on a ChatClient: each message sent on its
 * current connection, one at a time and in order; paused when the connection
 * is lost, settled with what the rejoin found (a message whose ack was lost
 * in the drop is not sent again: exactly once) and resumed once restored; a
 * direct message held for its recipient released at the recipient's
 * presence. The chat screen's sending: what is shown of it, its view's hooks say.
 */
import type { ChatClient } from './chat-client.js';
import { Outbox, type OutboxHooks, type OutboxItem } from './outbox.js';
import type { Rejoined } from './rejoin.js';
import { directMessage, say } from './requests.js';

export interface SendingView extends Omit<OutboxHooks, 'send'> {
  /** False when a lost connection ends the client (nothing waits for it): the outbox is not paused. */
  waitsOnLost(): boolean;
}

export class Sending {
  private readonly outbox: Outbox;
  /** What the last rejoin found: the outbox is settled with it once restored. */
  private rejoined: Rejoined | undefined;

  /** Listens to `chat` from now: made before the views that print its `lost`, so that what waits is shown pending first. */
  constructor(chat: ChatClient, view: SendingView) {
    this.outbox = new Outbox({
      ...view,
      send: (item) => (item.kind === 'say' ? say(chat.caller, item.text) : directMessage(chat.caller, item.to, item.text)),
    });
    chat.on('lost', () => {
      if (view.waitsOnLost()) this.outbox.pause();
    });
    chat.on('resumed', ({ rejoined }) => { this.rejoined = rejoined; });
    chat.on('restored', () => {
      const { rejoined } = this;
      this.rejoined = undefined;
      // A refused rejoin found nothing to settle with: what was in flight goes again.
      this.outbox.settle(rejoined !== undefined && rejoined.refused === undefined ? rejoined.missed : [], chat.self ?? '');
      this.outbox.resume();
    });
    chat.on('presence', (message) => {
      if (message.event === 'join') this.outbox.recipientOnline(message.user);
    });
  }

  /** Messages not acked yet (held ones included). */
  get size(): number {
    return this.outbox.size;
  }

  push(item: OutboxItem): void {
    this.outbox.push(item);
  }

  /** Quitting (the view's `running` is false now): what waits is given up. */
  giveUp(): void {
    this.outbox.resume();
  }
}
