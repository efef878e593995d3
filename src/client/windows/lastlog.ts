/**
 * `/lastlog TEXT` (interface.md): the lines of a window's scroll-back that
 * hold TEXT, oldest first. Case does not matter (irssi's `/lastlog` default);
 * the search is over the line as plain text (plain-line.ts: the author and the
 * text, not the time), so escapes cannot hide a match and a deleted message is
 * found by `(message deleted)`, never by its old text. Pure.
 */
import { plainLine } from './plain-line.js';
import type { ScrollLine } from './scroll-back.js';

/** The lines holding `text`, in any case; none for an empty `text`. */
export function lastlog(lines: readonly ScrollLine[], text: string): ScrollLine[] {
  const wanted = text.toLowerCase();
  if (wanted === '') return [];
  return lines.filter((line) => plainLine(line).toLowerCase().includes(wanted));
}
