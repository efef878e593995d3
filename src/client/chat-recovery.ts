/**
 * The chat screen after a lost connection: reconnect with backoff (one status
 * line), then, in this order, `-- reconnected`, `(N messages while you were
 * away)` and those messages (resumed page by page), the live ones held
 * meanwhile, and last what the user typed while offline (the outbox, sent
 * now, in order). The chat controller supplies its parts (chat-parts.ts) and a few hooks.
 */
import type { StoredMessage } from '../protocol/messages.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import type { ChatConnection, Reconnect } from './chat-connection.js';
import type { ChatParts } from './chat-parts.js';
import { CertificateError } from './connect.js';
import { join } from './model/requests.js';
import { reconnectWithBackoff } from './reconnect-status.js';
import { renderCommandFailure, renderConnectionLost, renderGivingUp, renderMissed, renderStatus } from './render.js';
import { GroupResume, MissedMessages } from './model/resume.js';

/** What recovery needs of the chat screen besides its parts. */
export interface RecoveryHooks {
  quitting(): boolean;
  quit(code: number): Promise<void>;
  /** Makes `client` the current connection, listened to. */
  adopt(client: ChatConnection): void;
  /** Whether `client` is the current connection and has not closed. */
  isLive(client: ChatConnection): boolean;
  /** A live message, shown when it belongs to the current group. */
  showLive(message: StoredMessage): void;
  /** Called once a recovery is complete (the group resumed, the outbox sent). */
  resumed(): void;
}

export class ChatRecovery {
  private readonly resume = new GroupResume();

  constructor(
    private readonly reconnect: Reconnect,
    private readonly parts: ChatParts,
    private readonly hooks: RecoveryHooks,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  /** Holds a live message while a resume pages; false (not held) otherwise. */
  hold(message: StoredMessage): boolean {
    return this.resume.hold(message);
  }

  async recover(error: Error | undefined): Promise<void> {
    const { parts, hooks } = this;
    const { terminal } = parts;
    parts.outbox.pause();
    terminal.print(renderConnectionLost(error));
    let client: ChatConnection | undefined;
    try {
      client = await reconnectWithBackoff({ attempt: this.reconnect, status: (text) => terminal.setStatus?.(text), stopped: () => hooks.quitting() }, this.backoff);
    } catch (failure) {
      terminal.print(renderGivingUp(failure instanceof Error ? failure : new Error(String(failure))));
      // A certificate that fails now is refused as at the start (exit 3); any other final failure is 1.
      await hooks.quit(failure instanceof CertificateError ? 3 : 1);
      return;
    }
    if (client === undefined) return;
    hooks.adopt(client);
    terminal.print(renderStatus('reconnected'));
    const group = parts.view.current;
    let missed: StoredMessage[] = [];
    try {
      if (group) missed = await this.resumeGroup(client, group);
    } catch (failure) {
      terminal.print(renderCommandFailure(failure, undefined));
    }
    // Lost again meanwhile: the next recovery sends what waits.
    if (!hooks.isLive(client)) return;
    parts.outbox.settle(missed, parts.self);
    parts.outbox.resume();
    hooks.resumed();
  }

  /** Rejoins `group` page by page (resume.ts); resolves with the messages missed. */
  private async resumeGroup(client: ChatConnection, group: { name: string; lastSeq: number }): Promise<StoredMessage[]> {
    const { parts, hooks } = this;
    const missed = new MissedMessages(group.lastSeq);
    await this.resume.run({
      lastShownSeq: () => missed.lastSeq,
      requestPage: (since) => join(client, group.name, since),
      showPage: (page) => {
        parts.names.replaceUsers(page.members);
        return missed.take(page);
      },
      reportMissed: (count) => parts.terminal.print(renderMissed(count)),
      // After the count (and also after a failed page): what was collected, before the live messages held.
      beforeLive: () => {
        for (const message of missed.messages) parts.view.show(message);
        group.lastSeq = Math.max(group.lastSeq, missed.lastSeq);
      },
      showLive: (message) => hooks.showLive(message),
    });
    return missed.messages;
  }
}
