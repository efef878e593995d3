/**
 * The lists the server sends, bounded on the screen: the group table, who is
 * online on a join and `/who`. A server may send a list of any length within
 * its frame (hundreds of thousands of names): the first ones are shown and
 * the rest counted. Pure; everything from the network is sanitized.
 */
import kleur from 'kleur';
import type { GroupSummary, JoinedReply, MemberRole, MembersReply } from '../protocol/messages.js';
import { nameColor, renderNotice, renderStatus } from './render-parts.js';
import { sanitizeLine } from './sanitize.js';
import { displayWidth } from './width.js';

/** Rows of the group table at most; the rest are counted. */
export const GROUP_TABLE_MAX_ROWS = 100;
/** Names of a member list at most; the rest are counted. */
export const MEMBERS_MAX_SHOWN = 50;

/** `alice, bob and 12 more`: the first names of `names`, the rest counted (`moreUnknown`: the server cut the list). */
export function namesLine(names: readonly string[], moreUnknown = false): string {
  const shown = names.slice(0, MEMBERS_MAX_SHOWN).map(sanitizeLine).join(', ');
  const hidden = names.length - Math.min(names.length, MEMBERS_MAX_SHOWN);
  if (hidden > 0) return `${shown} and ${hidden} more${moreUnknown ? ' (and others)' : ''}`;
  return moreUnknown ? `${shown} and others` : shown;
}

/** The groups as a table: number, name, members online, and (from servers with read markers) unread, private, topic. */
export function renderGroupTable(groups: readonly GroupSummary[]): string {
  if (groups.length === 0) return kleur.dim('No groups yet.');
  const shownGroups = groups.slice(0, GROUP_TABLE_MAX_ROWS);
  const names = shownGroups.map((group) => sanitizeLine(group.name));
  const nameWidth = Math.max(5, ...names.map(displayWidth));
  const numberWidth = String(shownGroups.length).length;
  const extras = shownGroups.some((group) => group.unread !== undefined || group.private !== undefined);
  const header = kleur.bold(`${'#'.padStart(numberWidth)}  ${'group'.padEnd(nameWidth)}  online${extras ? '  unread  topic' : ''}`);
  const rows = shownGroups.map((group, index) => {
    const name = names[index]!;
    const padded = name + ' '.repeat(nameWidth - displayWidth(name));
    const online = String(group.members).padStart(6);
    const row = `${kleur.dim(String(index + 1).padStart(numberWidth))}  ${nameColor(name)(padded)}  ${group.members > 0 ? kleur.green(online) : kleur.dim(online)}`;
    return extras ? `${row}  ${groupExtras(group)}` : row;
  });
  const hidden = groups.length - shownGroups.length;
  const footer = hidden > 0 ? [renderNotice(`… ${hidden} more not shown: /groups TEXT lists the groups whose name holds TEXT`)] : [];
  return [header, ...rows, ...footer].join('\n');
}

/** The unread count (blank where never joined), a private mark, and the topic. */
function groupExtras(group: GroupSummary): string {
  const unread = typeof group.unread === 'number' && group.unread > 0 ? kleur.bold().yellow(String(group.unread).padStart(6)) : ' '.repeat(6);
  const topic = [group.private === true ? '(private)' : '', sanitizeLine(group.topic ?? '')].filter((part) => part !== '').join(' ');
  return `${unread}  ${kleur.dim(topic)}`.trimEnd();
}

/** The mark before a name by its role, as IRC servers' prefixes (owner `~`, admin `&`, op `@`). */
export const ROLE_MARKS: Readonly<Record<MemberRole, string>> = { owner: '~', admin: '&', moderator: '@' };
const ROLE_ORDER: readonly MemberRole[] = ['owner', 'admin', 'moderator'];
const ROLE_LEGEND = '(~ owner, & admin, @ moderator)';

/**
 * `names` with their role marks (`roles`, an addition: none from an older
 * server): the owner, then admins, then moderators, then the others, each in
 * the order given (as irssi's /names puts ops first); a legend when any is marked.
 */
function markedNames(names: readonly string[], roles: Readonly<Record<string, MemberRole>> | undefined): { names: string[]; legend: string } {
  const roleOf = (name: string): MemberRole | undefined => (roles !== undefined && Object.hasOwn(roles, name) ? roles[name] : undefined);
  const rank = (name: string): number => {
    const role = roleOf(name);
    return role === undefined ? ROLE_ORDER.length : ROLE_ORDER.indexOf(role);
  };
  const ordered = [...names].sort((a, b) => rank(a) - rank(b));
  const marked = ordered.map((name) => {
    const role = roleOf(name);
    return role === undefined ? name : `${ROLE_MARKS[role]}${name}`;
  });
  return { names: marked, legend: ordered.some((name) => roleOf(name) !== undefined) ? ` ${kleur.dim(ROLE_LEGEND)}` : '' };
}

/** The lines after a `join`: the group and who is in it, and a hint when older messages exist. */
export function renderJoined(joined: JoinedReply): string[] {
  const more = joined.members_more === true;
  const count = `${joined.members.length}${more ? '+' : ''}`;
  // A server sends `roles` with `who` only; the join line marks the owner `joined` names.
  const owner = typeof joined.owner === 'string' ? { [joined.owner]: 'owner' as const } : {};
  const { names, legend } = markedNames(joined.members, joined.roles ?? owner);
  const lines = [renderStatus(`joined ${sanitizeLine(joined.group)} — ${count} online: ${namesLine(names, more)}`) + legend];
  if (joined.more) lines.push(renderNotice('(earlier messages: /history)'));
  return lines;
}

export function renderMembers(reply: MembersReply): string {
  const more = reply.more === true;
  const { names, legend } = markedNames(reply.members, reply.roles);
  return renderStatus(`${reply.members.length}${more ? '+' : ''} in ${sanitizeLine(reply.group)}: ${namesLine(names, more)}`) + legend;
}
