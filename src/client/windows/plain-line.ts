/**
 * A scroll-back line as plain text, with no colour and nothing a terminal
 * would act on (sanitize.ts): what the log file holds and what `/lastlog`
 * searches. A message is `<from> text`, an action (`/me …`) `* from text`, an
 * event its text; the lines of a multi-line text after the first are indented
 * under it.
 */
import { ACTION_PREFIX, isAction } from '../render-notices.js';
import { sanitizeLine, sanitizeText } from '../sanitize.js';
import type { ScrollLine } from './scroll-back.js';

/** `<bob> hello`, `* bob waves`, or an event's text; no time. */
export function plainLine(line: ScrollLine): string {
  if (line.kind === 'event') return sanitizeLine(line.text);
  const from = sanitizeLine(line.from);
  const action = line.deletedBy === undefined && isAction(line.text);
  const prefix = action ? `* ${from} ` : `<${from}> `;
  const text = sanitizeText(action ? line.text.slice(ACTION_PREFIX.length) : line.text);
  return prefix + text.split('\n').join(`\n${' '.repeat(prefix.length)}`);
}
