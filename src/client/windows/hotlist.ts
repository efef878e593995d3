/**
 * The hotlist in the status line (interface.md: `[2:ops 3 @1, 4:bob 1]`): the
 * windows not shown that had messages since they were last shown, by number,
 * with the count and the mentions; a conversation's entry and an entry with a
 * mention stand out (a direct message is always for the user). Pure.
 */
import kleur from 'kleur';
import { sanitizeLine } from '../sanitize.js';
import type { ChatWindow } from './window-list.js';

/** Windows named in the hotlist at most; the rest are counted: `+2 more`. */
export const HOTLIST_MAX_WINDOWS = 8;

export interface HotlistEntry {
  number: number;
  title: string;
  conversation: boolean;
  messages: number;
  mentions: number;
}

/** The entries of `windows` (all of them, by number) with activity, the shown one left out. */
export function hotlistEntries(windows: readonly ChatWindow[], shown: ChatWindow): HotlistEntry[] {
  const entries: HotlistEntry[] = [];
  windows.forEach((window, index) => {
    if (window === shown || window.activity.messages === 0) return;
    entries.push({
      number: index + 1, title: window.title, conversation: window.target.kind === 'conversation',
      messages: window.activity.messages, mentions: window.activity.mentions,
    });
  });
  return entries;
}

/** `[2:ops 3 @1, 4:bob 1]`, or '' when no window has activity. */
export function renderHotlist(entries: readonly HotlistEntry[]): string {
  if (entries.length === 0) return '';
  const shown = entries.slice(0, HOTLIST_MAX_WINDOWS).map((entry) => {
    const text = `${entry.number}:${sanitizeLine(entry.title)} ${entry.messages}${entry.mentions > 0 ? ` @${entry.mentions}` : ''}`;
    if (entry.mentions > 0) return kleur.yellow(text);
    return entry.conversation ? kleur.magenta(text) : text;
  });
  if (entries.length > HOTLIST_MAX_WINDOWS) shown.push(`+${entries.length - HOTLIST_MAX_WINDOWS} more`);
  return `${kleur.cyan('[')}${shown.join(', ')}${kleur.cyan(']')}`;
}
