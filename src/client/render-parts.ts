/**
 * The pieces every rendered line is made of: a name's colour, a time, mention
 * highlighting, the status style, and what a render needs to know. Shared by
 * render.ts and render-notices.ts (neither imports the other's pieces back).
 */
import kleur from 'kleur';
import { mentionSpans } from '../protocol/mentions.js';
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

/**
 * Highlights the mentions of `self` in already sanitized text, by the one
 * mention rule (protocol/mentions.ts: the name as a word, with or without
 * `@`), which the server's `activity.mention` follows too.
 */
export function highlightMentions(text: string, self: string): { text: string; mentioned: boolean } {
  const key = nameKey(self);
  if (key === '') return { text, mentioned: false };
  let highlighted = '';
  let copied = 0;
  for (const span of mentionSpans(text)) {
    if (span.key !== key) continue;
    highlighted += text.slice(copied, span.start) + kleur.bold().inverse(text.slice(span.start, span.end));
    copied = span.end;
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
