/**
 * The mention rule (December additions, `activity.mention`): `@` followed by
 * a name, in any case. The `@` starts the text or follows a character that a
 * name cannot hold (so `me@alice` mentions nobody); the name is the longest
 * run of name characters after it, without trailing dots (so `@alice.` at the
 * end of a sentence mentions alice, `@alice.bob` mentions alice.bob only).
 */
import { isValidName, nameKey } from './names.js';

const MENTION = /(?<![A-Za-z0-9_.-])@([A-Za-z0-9_.-]+)/g;
const NONE: ReadonlySet<string> = new Set();

/** The name keys that `text` mentions. */
export function mentionedKeys(text: string): ReadonlySet<string> {
  if (!text.includes('@')) return NONE;
  const keys = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const name = match[1]!.replace(/\.+$/, '');
    if (isValidName(name)) keys.add(nameKey(name));
  }
  return keys;
}

/** Whether `text` mentions `user` (any case). */
export function mentions(text: string, user: string): boolean {
  return mentionedKeys(text).has(nameKey(user));
}
