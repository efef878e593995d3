/**
 * The chat screen's moves between groups that the December additions bring:
 * back at the group list after a kick, a ban or a deletion; `/next` to the
 * next group with unread messages, from the read marker on; and the
 * moderation commands (moderation.ts), run on the screen's parts (chat-parts.ts).
 */
import type { GroupDeletedMessage, GroupSummary, KickedMessage } from '../protocol/messages.js';
import { nameKey } from '../protocol/names.js';
import type { ChatParts } from './chat-parts.js';
import { runModeration } from './moderation.js';
import type { ModerationCommand } from './moderation-commands.js';
import { renderGroupTable, renderNotice } from './render.js';
import { BACK_AT_LIST_HINT, NO_UNREAD_NOTICE, renderExpired, renderGroupDeleted, renderKicked, renderUnreadHeader } from './render-moderation.js';

/** Out of the current group (its window closed; `why`, said after): the list, and how to go on; resolves with the list shown. */
export async function backAtList(parts: ChatParts, why?: string): Promise<GroupSummary[]> {
  const current = parts.view.current;
  if (current !== undefined) parts.chat.removedFrom(current.name);
  parts.status.left(current?.name, parts.chat.group);
  parts.view.forget(parts.chat.group);
  parts.view.refreshPrompt();
  if (why !== undefined) parts.terminal.print(why);
  const list = await parts.refreshGroups();
  parts.terminal.print(renderGroupTable(list));
  parts.terminal.print(renderNotice(BACK_AT_LIST_HINT));
  return list;
}

/** Removed from the current group (kicked, banned, or the group deleted): said, then back at the list; undefined for another group. */
export async function removedFromGroup(parts: ChatParts, message: KickedMessage | GroupDeletedMessage): Promise<GroupSummary[] | undefined> {
  const current = parts.view.current;
  if (current === undefined || nameKey(current.name) !== nameKey(message.group)) {
    // Another group's window: said there and in window 1, and closed.
    const window = parts.screen.windows.list.findGroup(message.group);
    if (window === undefined) return undefined;
    parts.chat.removedFrom(message.group);
    parts.status.left(message.group, parts.chat.group);
    parts.screen.statusLine(message.type === 'kicked' ? renderKicked(message) : renderGroupDeleted(message));
    parts.screen.close(window);
    return undefined;
  }
  if (message.type === 'group_deleted') parts.status.forget(message.group);
  return backAtList(parts, message.type === 'kicked' ? renderKicked(message) : renderGroupDeleted(message));
}

/** `/next`: the next group with unread messages, shown from the read marker on. */
export async function jumpToNext(parts: ChatParts): Promise<void> {
  const target = parts.status.next();
  if (target === undefined) {
    parts.terminal.print(renderNotice(NO_UNREAD_NOTICE));
    return;
  }
  parts.status.flush();
  parts.terminal.print(renderUnreadHeader(target.name, target.unread));
  let joined = await parts.chat.join(target.name, { since: target.since, keep: true });
  // Retention removed the oldest of them (first_seq past the read marker): said, before what is left.
  const expired = joined.first_seq === undefined ? 0 : Math.min(target.unread, joined.first_seq - target.since - 1);
  if (expired > 0) parts.terminal.print(renderNotice(renderExpired(expired, target.unread)));
  parts.view.showJoined(joined, false);
  // Over 1,000 unread: the rest, page by page.
  for (let current = parts.view.current; joined.more && current !== undefined; current = parts.view.current) {
    joined = await parts.chat.join(target.name, { since: current.lastSeq, keep: true });
    parts.view.showJoined(joined, true);
  }
}

/** Runs a moderation command; resolves with the group list when it deleted the current group. */
export async function moderate(parts: ChatParts, command: ModerationCommand): Promise<GroupSummary[] | undefined> {
  let list: GroupSummary[] | undefined;
  await runModeration(command, parts, async (group) => {
    parts.status.forget(group);
    list = await backAtList(parts);
  });
  return list;
}
