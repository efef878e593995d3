/**
 * The status of the other groups, shown in the chat prompt: `[ops 3, random
 * 12 @1] dev> ` (ops has 3 unread messages; random 12, one report of them
 * mentioning the user). Pure.
 */
import kleur from 'kleur';
import { sanitizeLine } from './sanitize.js';
import type { UnreadGroup } from './model/unread.js';

/** Groups named in the status at most; the rest are counted: `+2 more`. */
export const STATUS_MAX_GROUPS = 4;

/** `[ops 3, random 12 @1]`, or '' when no other group has unread messages. */
export function renderUnreadStatus(groups: readonly UnreadGroup[]): string {
  if (groups.length === 0) return '';
  const shown = groups.slice(0, STATUS_MAX_GROUPS).map((group) => {
    const entry = `${sanitizeLine(group.name)} ${group.unread}`;
    return group.mentions > 0 ? kleur.yellow(`${entry} @${group.mentions}`) : entry;
  });
  if (groups.length > STATUS_MAX_GROUPS) shown.push(`+${groups.length - STATUS_MAX_GROUPS} more`);
  return `${kleur.cyan('[')}${shown.join(', ')}${kleur.cyan(']')}`;
}

/** The chat prompt: the status of the other groups (when any), then the current group's name. */
export function renderStatusPrompt(group: string | undefined, others: readonly UnreadGroup[]): string {
  const status = renderUnreadStatus(others);
  const name = group === undefined ? '' : kleur.bold(sanitizeLine(group));
  return `${status}${status !== '' && name !== '' ? ' ' : ''}${name}> `;
}
