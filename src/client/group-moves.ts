/**
 * The chat screen's moves between groups that the December additions bring:
 * back at the group list after a kick, a ban or a deletion; `/next` to the
 * next group with unread messages, from the read marker on; and the
 * moderation commands, run against the screen (moderation.ts).
 */
import type { GroupDeletedMessage, GroupSummary, JoinedReply, KickedMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { ChatConnection } from './chat-connection.js';
import type { GroupStatus } from './group-status.js';
import { join } from './model/requests.js';
import { runModeration } from './moderation.js';
import type { ModerationCommand } from './moderation-commands.js';
import { renderGroupTable, renderNotice } from './render.js';
import { BACK_AT_LIST_HINT, NO_UNREAD_NOTICE, renderExpired, renderGroupDeleted, renderKicked, renderUnreadHeader } from './render-moderation.js';
import type { ChatTerminal } from './chat-terminal.js';

/** What these moves need of the chat screen. */
export interface ChatScreen {
  readonly client: ChatConnection;
  readonly terminal: ChatTerminal;
  readonly status: GroupStatus;
  readonly self: string;
  /** The current group's name and the highest seq shown in it; undefined outside a group. */
  current(): { name: string; lastSeq: number } | undefined;
  /** Shows a `joined` reply (resumed: a further page of the same group). */
  showJoined(joined: JoinedReply, resumed: boolean): void;
  /** Out of the group: no group, no members, the prompt redrawn. */
  clearGroup(): void;
  /** The server's group list now (kept for Tab and the unread counts). */
  refreshGroups(): Promise<GroupSummary[]>;
  /** `/passwd` succeeded: reconnects sign in with the new password. */
  passwordChanged?(password: string): void;
}

/** Out of the current group: the list, and how to go on; resolves with the list shown. */
export async function backAtList(screen: ChatScreen): Promise<GroupSummary[]> {
  screen.status.left();
  screen.clearGroup();
  const list = await screen.refreshGroups();
  screen.terminal.print(renderGroupTable(list));
  screen.terminal.print(renderNotice(BACK_AT_LIST_HINT));
  return list;
}

/** Removed from the current group (kicked, banned, or the group deleted): said, then back at the list; undefined for another group. */
export async function removedFromGroup(screen: ChatScreen, message: KickedMessage | GroupDeletedMessage): Promise<GroupSummary[] | undefined> {
  const current = screen.current();
  if (current === undefined || nameKey(current.name) !== nameKey(message.group)) return undefined;
  screen.terminal.print(message.type === 'kicked' ? renderKicked(message) : renderGroupDeleted(message));
  if (message.type === 'group_deleted') screen.status.forget(message.group);
  return backAtList(screen);
}

/** `/next`: the next group with unread messages, shown from the read marker on. */
export async function jumpToNext(screen: ChatScreen): Promise<void> {
  const target = screen.status.next();
  if (target === undefined) {
    screen.terminal.print(renderNotice(NO_UNREAD_NOTICE));
    return;
  }
  screen.status.flush();
  screen.terminal.print(renderUnreadHeader(target.name, target.unread));
  let joined = await join(screen.client, target.name, target.since);
  // Retention removed the oldest of them (first_seq past the read marker): said, before what is left.
  const expired = joined.first_seq === undefined ? 0 : Math.min(target.unread, joined.first_seq - target.since - 1);
  if (expired > 0) screen.terminal.print(renderNotice(renderExpired(expired, target.unread)));
  screen.showJoined(joined, false);
  // Over 1,000 unread: the rest, page by page.
  for (let current = screen.current(); joined.more && current !== undefined; current = screen.current()) {
    joined = await join(screen.client, target.name, current.lastSeq);
    screen.showJoined(joined, true);
  }
}

/** Runs a moderation command; resolves with the group list when it deleted the current group. */
export async function moderate(screen: ChatScreen, command: ModerationCommand): Promise<GroupSummary[] | undefined> {
  const client = screen.client;
  let list: GroupSummary[] | undefined;
  await runModeration(command, {
    call: async (request, expect) => {
      const reply = await client.call(request, expect);
      if (request.type === 'passwd') screen.passwordChanged?.(request.new);
      return reply;
    },
    currentGroup: () => screen.current()?.name,
    currentTopic: () => screen.status.currentTopic,
    self: screen.self,
    print: (text) => screen.terminal.print(text),
    ask: screen.terminal.question?.bind(screen.terminal),
    secret: screen.terminal.secret?.bind(screen.terminal),
    topicChanged: (topic, by) => screen.status.topicChanged(topic, by),
    roles: () => screen.status.roles,
    groupDeleted: async (group) => {
      screen.status.forget(group);
      list = await backAtList(screen);
    },
  });
  return list;
}
