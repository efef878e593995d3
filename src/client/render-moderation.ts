/** The lines of moderation, topics and unread messages (render.ts is full). Pure; everything from the network is sanitized. */
import kleur from 'kleur';
import type { AccountRole, GroupDeletedMessage, KickedMessage, NoticeMessage, RoleMessage } from '../protocol/messages.js';
import { formatTime, renderStatus } from './render-parts.js';
import { sanitizeLine } from './sanitize.js';

/** The topic, on join (`by` absent) or when it changed. */
export function renderTopic(group: string, topic: string, by?: string): string {
  const text = sanitizeLine(topic);
  if (by === undefined) return renderStatus(text === '' ? `${sanitizeLine(group)} has no topic` : `topic: ${text}`);
  return renderStatus(text === '' ? `${sanitizeLine(by)} cleared the topic` : `${sanitizeLine(by)} set the topic: ${text}`);
}

/** Removed from the current group: by whom, why, and whether for good. */
export function renderKicked(message: KickedMessage): string {
  const reason = message.reason === undefined || message.reason === '' ? '' : `: ${sanitizeLine(message.reason)}`;
  const verb = message.banned ? 'banned you from' : 'removed you from';
  return kleur.yellow(`-- ${sanitizeLine(message.by)} ${verb} ${sanitizeLine(message.group)}${reason}`);
}

export function renderGroupDeleted(message: GroupDeletedMessage): string {
  return kleur.yellow(`-- ${sanitizeLine(message.by)} deleted the group ${sanitizeLine(message.group)}`);
}

/** Under the group list after a removal: how to go on. */
export const BACK_AT_LIST_HINT = 'Join another: a number from the list, /join GROUP, or /next.';

export function renderBanned(group: string): string {
  return kleur.red(`! you are banned from ${sanitizeLine(group)}`);
}

/** What a command that succeeded did. */
export function renderDone(text: string): string {
  return renderStatus(sanitizeLine(text));
}

/** Before the messages `/next` shows. */
export function renderUnreadHeader(group: string, count: number): string {
  return renderStatus(`${count} unread in ${sanitizeLine(group)} since your last visit`);
}

/** Under the `/next` header when retention removed some of the unread messages (a notice's words). */
export function renderExpired(expired: number, unread: number): string {
  const all = expired >= unread;
  return all ? '(all of them expired: the server no longer keeps them)' : `(the oldest ${expired} expired: the server no longer keeps them; the ${unread - expired} kept follow)`;
}

export const NO_UNREAD_NOTICE = 'no other group has unread messages';

/** `set_role` in the current group (the user's own role when `mine`): who did it, and what it means for /help. */
export function renderRoleChange(message: RoleMessage, mine: boolean): string {
  const by = sanitizeLine(message.by);
  const group = sanitizeLine(message.group);
  const who = mine ? 'you' : sanitizeLine(message.user);
  if (message.role === 'moderator') return renderStatus(`${by} made ${who} a moderator of ${group}${mine ? ' (/help lists what you may do)' : ''}`);
  return renderStatus(`${by} made ${who} a member of ${group} (no longer a moderator)`);
}

/** The account's server-wide role changed. */
export function renderAccountRole(role: AccountRole): string {
  return renderStatus(role === 'admin' ? 'your account is now an admin (/help lists the admin commands)' : 'your account is no longer an admin');
}

/** An admin's `notice` to everyone signed in: `HH:MM notice from admin: text`, on one line. */
export function renderAdminNotice(message: NoticeMessage): string {
  return kleur.bold().yellow(`${formatTime(message.ts)} notice from ${sanitizeLine(message.by)}: ${sanitizeLine(message.text)}`);
}

/** Line mode's notice: `[notice] admin: text`. */
export function plainNotice(message: NoticeMessage): string {
  return `[notice] ${sanitizeLine(message.by)}: ${sanitizeLine(message.text)}`;
}
