/**
 * The mention rule (interface.md: "the user's name as a word, with or without
 * `@`"), one rule for the server's `activity.mention` and for the client's
 * highlight, bell and counts. A word is the longest run of name characters
 * (`A-Z a-z 0-9 _ . -`) not preceded by one, optionally after an `@` that is
 * itself not preceded by a name character (so `me@alice` mentions nobody),
 * without trailing dots (so `alice.` at the end of a sentence mentions alice,
 * `alice.bob` mentions alice.bob only). A word mentions the user whose name it
 * is, in any case: `alice: hi`, `hi @Alice` and `thanks alice.` all mention alice.
 */
import { isValidName, nameKey, type NameKey } from './names.js';

/** An `@` (optional) and a run of name characters, neither preceded by a name character or an `@`. */
const WORD = /(?<![A-Za-z0-9_.@-])@?[A-Za-z0-9_.-]+/g;

/** One mention: where it is in the text (the `@` included) and the name key it names. */
export interface MentionSpan {
  start: number;
  end: number;
  key: NameKey;
}

/** Every word of `text` that could name a user (a valid name), in order. */
export function mentionSpans(text: string): MentionSpan[] {
  const spans: MentionSpan[] = [];
  for (const match of text.matchAll(WORD)) {
    const start = match.index;
    const word = match[0].replace(/\.+$/, '');
    const name = word.startsWith('@') ? word.slice(1) : word;
    if (isValidName(name)) spans.push({ start, end: start + word.length, key: nameKey(name) });
  }
  return spans;
}

/** The name keys that `text` mentions. */
export function mentionedKeys(text: string): ReadonlySet<NameKey> {
  return new Set(mentionSpans(text).map((span) => span.key));
}

/** Whether `text` mentions `user` (any case). */
export function mentions(text: string, user: string): boolean {
  const key = nameKey(user);
  return mentionSpans(text).some((span) => span.key === key);
}
