/**
 * The pieces every rendered line is made of: a name's colour, a time, mention
 * highlighting, the status style, and what a render needs to know. Shared by
 * render.ts and render-notices.ts (neither imports the other's pieces back).
 */
import kleur from 'kleur';
import { nameKey } from '../protocol/names.js';

type Paint = (text: string) => string;

/** Never red: red means an error. */
const NAME_PAINTS: readonly Paint[] = [
  kleur.green, kleur.yellow, kleur.blue, kleur.magenta, kleur.cyan,
  (t) => kleur.bold().green(t), (t) => kleur.bold().yellow(t), (t) => kleur.bold().blue(t),
  (t) => kleur.bold().magenta(t), (t) => kleur.bold().cyan(t),
];

/** The same colour for a name every time, in any case. */
export function nameColor(name: string): Paint {
  let hash = 0x811c9dc5;
  for (const char of nameKey(name)) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return NAME_PAINTS[hash % NAME_PAINTS.length]!;
}

export function formatTime(ts: number): string {
  const date = new Date(ts);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** A character that may be part of a name (`A-Z a-z 0-9 _ . -`). */
function isNameChar(char: string | undefined): boolean {
  if (char === undefined || char.length !== 1) return false;
  const code = char.charCodeAt(0);
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || char === '_' || char === '.' || char === '-';
}

/** ASCII letters in lower case, everything else as it is: the same length, so indexes carry over. */
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/**
 * Highlights whole-word mentions of `self` (optionally after `@`) in already
 * sanitized text. Matched as a plain string, never as a pattern: the name
 * comes from the server. A mention is not preceded by a name character, and
 * not followed by one other than `.` (a mention may end a sentence).
 */
export function highlightMentions(text: string, self: string): { text: string; mentioned: boolean } {
  const name = asciiLowerCase(self);
  if (name === '') return { text, mentioned: false };
  const haystack = asciiLowerCase(text);
  let highlighted = '';
  let copied = 0;
  for (let at = haystack.indexOf(name); at >= 0; at = haystack.indexOf(name, at + 1)) {
    const end = at + name.length;
    if (at < copied || isNameChar(text[at - 1]) || (isNameChar(text[end]) && text[end] !== '.')) continue;
    const start = text[at - 1] === '@' && !isNameChar(text[at - 2]) ? at - 1 : at;
    highlighted += text.slice(copied, start) + kleur.bold().inverse(text.slice(start, end));
    copied = end;
  }
  return { text: highlighted + text.slice(copied), mentioned: copied > 0 };
}

export interface RenderContext {
  /** The signed-in user's name. */
  self: string;
  /** Terminal columns. */
  width: number;
  /** When set, a message not of this (local) day shows its full date, not only its time (/history). */
  now?: number | undefined;
}

export function renderStatus(text: string): string {
  return kleur.cyan(`-- ${text}`);
}

export function renderNotice(text: string): string {
  return kleur.dim(text);
}
