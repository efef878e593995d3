/**
 * What the chat screen shows of a lost connection; the ChatClient
 * (model/chat-client.ts) reconnects and resumes. In this order:
 * `-- connection lost`, one status line counting down (the `untilStopped`
 * the screen gives its ChatClient's `keepUp`, chat.ts), `-- reconnected`, `(N
 * messages while you were away)` and those messages, the live ones held
 * meanwhile (the ChatClient emits them after); then what the user typed while
 * offline goes (the ChatClient's outbox, resumed once `restored` is told).
 */
import type { ChatParts } from './chat-parts.js';
import { CertificateError } from './connect.js';
import type { ChatClient } from './model/chat-client.js';
import type { Rejoined } from './model/rejoin.js';
import { renderCommandFailure, renderConnectionLost, renderGivingUp, renderMissed, renderStatus } from './render.js';

/** What the recovery's view needs of the chat screen besides its parts. */
export interface RecoveryHooks {
  quitting(): boolean;
  quit(code: number): Promise<void>;
  /** The server said `account_disabled`: the close that follows ends the client. */
  accountDisabled(): boolean;
  /** Called once a recovery is complete (the group resumed). */
  resumed(): void;
}

/** Listens to `chat`'s recovery events and shows them. */
export function showRecovery(chat: ChatClient, parts: ChatParts, hooks: RecoveryHooks): void {
  const { terminal } = parts;
  // What the last rejoin found: a refusal is said once the live messages held are shown.
  let rejoined: Rejoined | undefined;
  chat.on('lost', (error) => {
    if (hooks.quitting()) return;
    // A disabled account is refused at every login: said once (the error before the close), no reconnect.
    if (hooks.accountDisabled()) {
      void hooks.quit(1);
      return;
    }
    parts.screen.statusLine(renderConnectionLost(error));
  });
  chat.on('resumed', (resumed) => {
    rejoined = resumed.rejoined;
    parts.screen.statusLine(renderStatus('reconnected'));
    if (rejoined !== undefined) showMissed(parts, rejoined);
  });
  chat.on('restored', () => {
    const refused = rejoined?.refused;
    rejoined = undefined;
    if (refused !== undefined) terminal.print(renderCommandFailure(refused, undefined));
    hooks.resumed();
  });
  chat.on('gave_up', (error) => {
    const failure = error.cause instanceof Error ? error.cause : error;
    parts.screen.statusLine(renderGivingUp(failure));
    // A certificate that fails now is refused as at the start (exit 3); any other final failure is 1.
    void hooks.quit(failure instanceof CertificateError ? 3 : 1);
  });
}

/** The members, how many messages were missed (when the rejoin was not refused), and those messages. */
function showMissed(parts: ChatParts, rejoined: Rejoined): void {
  if (rejoined.members !== undefined) parts.names.replaceUsers(rejoined.members);
  if (rejoined.refused === undefined && rejoined.missed.length > 0) parts.terminal.print(renderMissed(rejoined.missed.length));
  const group = parts.view.current;
  if (group === undefined || group.name !== rejoined.group) return;
  for (const message of rejoined.missed) parts.view.show(message, 'missed');
  group.lastSeq = Math.max(group.lastSeq, rejoined.lastSeq);
}
