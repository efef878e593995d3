/**
 * What the server sends unasked, as the chat screen shows it: each message in
 * its window (window-screen.ts): a group's presence, topic and roles in the
 * group's window, a direct message in the conversation with the other side
 * (the user's own from another device too), a deletion in place; the
 * server's notices and shutdown in the status window (window 1).
 */
import { assertNever } from '../protocol/errors.js';
import type { Unsolicited } from './client.js';
import type { ChatParts } from './chat-parts.js';
import { removedFromGroup } from './group-moves.js';
import { renderCommandFailure, renderError, renderPresence, renderShutdown } from './render.js';
import { nameKey } from '../protocol/names.js';
import { renderAdminNotice, renderRoleChange, renderTopic } from './render-moderation.js';

export interface ReceiverHooks {
  /** The server said `account_disabled`: the close that follows ends the client. */
  accountDisabled(): void;
}

/** Shows `message` (a `msg` is the ChatClient's `message` event, shown by chat.ts). */
export function receive(parts: ChatParts, message: Unsolicited, hooks: ReceiverHooks): void {
  const { screen, view, names, status } = parts;
  switch (message.type) {
    case 'msg': return;
    case 'presence':
      if (view.isCurrent(message.group)) names.noteUsers(message.event === 'join' ? [message.user] : [], message.event === 'leave' ? [message.user] : []);
      screen.groupEvent(message.group, renderPresence(message.user, message.group, message.event, Date.now(), message));
      return;
    case 'dm':
      names.noteUsers([message.from]);
      screen.directMessage(message, 'live');
      return;
    case 'error':
      if (message.code === 'account_disabled') hooks.accountDisabled();
      screen.statusLine(renderError(message.code, message.message));
      return;
    case 'shutdown': screen.statusLine(renderShutdown(message.message)); return;
    case 'notice': screen.statusLine(renderAdminNotice(message)); return;
    case 'topic':
      status.topicMessage(message); // the current group's is printed there
      if (!view.isCurrent(message.group)) screen.groupEvent(message.group, renderTopic(message.group, message.topic, message.by));
      return;
    case 'activity': status.activity(message); return;
    case 'role':
      status.roleMessage(message); // the current group's is printed there
      if (!view.isCurrent(message.group)) screen.groupEvent(message.group, renderRoleChange(message, nameKey(message.user) === nameKey(parts.self)));
      return;
    case 'account_role': status.accountRoleIs(message.role); return;
    case 'kicked': case 'group_deleted':
      void removedFromGroup(parts, message).then((list) => { view.shownList = list ?? view.shownList; }, (error: unknown) => parts.terminal.print(renderCommandFailure(error, undefined)));
      return;
    default:
      assertNever(message);
  }
}
