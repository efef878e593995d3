/**
 * The chat screen's parts, as the controller (chat.ts) hands them to the
 * command runner, the group moves and the recovery's view: one bag instead of a host interface
 * per part.
 */
import type { GroupSummary } from '../protocol/messages.js';
import type { ChatTerminal } from './chat-terminal.js';
import type { CompletionNames } from './completion.js';
import type { GroupStatus } from './group-status.js';
import type { ChatClient } from './model/chat-client.js';
import type { ShownGroup } from './shown-group.js';
import type { WindowScreen } from './window-screen.js';

export interface ChatParts {
  /** The model: every request goes through it; what the user says and sends through its outbox (`send`). */
  readonly chat: ChatClient;
  /** The signed-in user's name. */
  readonly self: string;
  /** The terminal as the screen's parts print on it: what they print is kept in the shown window. */
  readonly terminal: ChatTerminal;
  /** The windows: what arrives, in its window; switching. */
  readonly screen: WindowScreen;
  readonly status: GroupStatus;
  readonly names: CompletionNames;
  /** The group the connection is in, shown in its window. */
  readonly view: ShownGroup;
  /** The server's group list now (kept for Tab and the unread counts). */
  refreshGroups(): Promise<GroupSummary[]>;
  /** `/set bell on|off`. */
  setBell(on: boolean): void;
  /** `/set log on|off`: the window logs (log-writer.ts). */
  setLog(on: boolean): void;
  quit(): Promise<void>;
  /** `/passwd` succeeded: reconnects sign in with the new password. */
  passwordChanged?(password: string): void;
}
