/**
 * The chat screen after a lost connection: reconnect with backoff (one status
 * line), then, in this order, `-- reconnected`, `(N messages while you were
 * away)` and those messages (resumed page by page), the live ones held
 * meanwhile, and last what the user typed while offline (the outbox, sent
 * now, in order). The chat controller supplies the view.
 */
import type { StoredMessage } from '../protocol/messages.js';
import type { ChatConnection, Reconnect } from './chat-connection.js';
import { CertificateError } from './connect.js';
import { join } from './model/requests.js';
import type { Outbox } from './model/outbox.js';
import { reconnectWithBackoff } from './reconnect-status.js';
import { renderCommandFailure, renderConnectionLost, renderGivingUp, renderMissed, renderStatus } from './render.js';
import { GroupResume, MissedMessages } from './model/resume.js';

/** What recovery needs of the chat screen. */
export interface RecoveryView {
  readonly self: string;
  readonly outbox: Outbox;
  print(text: string): void;
  /** The status line (undefined removes it). */
  status(text: string | undefined): void;
  quitting(): boolean;
  quit(code: number): Promise<void>;
  /** Makes `client` the current connection, listened to. */
  adopt(client: ChatConnection): void;
  /** Whether `client` is the current connection and has not closed. */
  isLive(client: ChatConnection): boolean;
  /** The current group: its name and the highest seq shown (updated here after a resume). */
  group(): { name: string; lastSeq: number } | undefined;
  /** Shows a group message once (by seq). */
  show(message: StoredMessage): boolean;
  /** A live message, shown when it belongs to the current group. */
  showLive(message: StoredMessage): void;
  members(names: string[]): void;
  /** Called once a recovery is complete (the group resumed, the outbox sent). */
  resumed?(): void;
}

export class ChatRecovery {
  private readonly resume = new GroupResume();

  constructor(private readonly reconnect: Reconnect, private readonly view: RecoveryView) {}

  /** Holds a live message while a resume pages; false (not held) otherwise. */
  hold(message: StoredMessage): boolean {
    return this.resume.hold(message);
  }

  async recover(error: Error | undefined): Promise<void> {
    const view = this.view;
    view.outbox.pause();
    view.print(renderConnectionLost(error));
    let client: ChatConnection | undefined;
    try {
      client = await reconnectWithBackoff({ attempt: this.reconnect, status: (text) => view.status(text), stopped: () => view.quitting() });
    } catch (failure) {
      view.print(renderGivingUp(failure instanceof Error ? failure : new Error(String(failure))));
      // A certificate that fails now is refused as at the start (exit 3); any other final failure is 1.
      await view.quit(failure instanceof CertificateError ? 3 : 1);
      return;
    }
    if (client === undefined) return;
    view.adopt(client);
    view.print(renderStatus('reconnected'));
    const group = view.group();
    let missed: StoredMessage[] = [];
    try {
      if (group) missed = await this.resumeGroup(client, group);
    } catch (failure) {
      view.print(renderCommandFailure(failure, undefined));
    }
    // Lost again meanwhile: the next recovery sends what waits.
    if (!view.isLive(client)) return;
    view.outbox.settle(missed, view.self);
    view.outbox.resume();
    view.resumed?.();
  }

  /** Rejoins `group` page by page (resume.ts); resolves with the messages missed. */
  private async resumeGroup(client: ChatConnection, group: { name: string; lastSeq: number }): Promise<StoredMessage[]> {
    const view = this.view;
    const missed = new MissedMessages(group.lastSeq);
    await this.resume.run({
      lastShownSeq: () => missed.lastSeq,
      requestPage: (since) => join(client, group.name, since),
      showPage: (page) => {
        view.members(page.members);
        return missed.take(page);
      },
      reportMissed: (count) => view.print(renderMissed(count)),
      // After the count (and also after a failed page): what was collected, before the live messages held.
      beforeLive: () => {
        for (const message of missed.messages) view.show(message);
        group.lastSeq = Math.max(group.lastSeq, missed.lastSeq);
      },
      showLive: (message) => view.showLive(message),
    });
    return missed.messages;
  }
}
